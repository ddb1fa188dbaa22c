/** Luma (Rec. 709 weights on the 8-bit sRGB values) of tightly packed RGB: the grey image pattern analysis needs. */
export function toGray(rgb: Uint8Array, pixels: number): Float32Array {
  const out = new Float32Array(pixels);
  for (let p = 0; p < pixels; p++) out[p] = (0.2126 * rgb[p * 3] + 0.7152 * rgb[p * 3 + 1] + 0.0722 * rgb[p * 3 + 2]) / 255;
  return out;
}
