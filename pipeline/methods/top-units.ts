/** A channel's strongest response in one image, and where it happened. */
export interface TopUnit {
  channel: number;
  y: number;
  x: number;
  value: number;
}

/**
 * The k channels with the strongest single activation in one image's [h, w, c] map, each at its
 * argmax position (Zeiler & Fergus project one activation per feature map). One pass over the data;
 * only the c per-channel maxima get sorted. Ties: first position in row-major order, lower channel.
 */
export function topUnits(values: Float32Array, shape: [number, number, number], k: number): TopUnit[] {
  const [h, w, c] = shape;
  if (values.length !== h * w * c) throw new Error(`topUnits: ${values.length} values do not fit shape [${shape.join(', ')}]`);
  const best = new Float32Array(c).fill(-Infinity);
  const at = new Int32Array(c);
  for (let p = 0, i = 0; p < h * w; p++) {
    for (let ch = 0; ch < c; ch++, i++) {
      // Strictly greater keeps the first position on ties.
      if (values[i] > best[ch]) {
        best[ch] = values[i];
        at[ch] = p;
      }
    }
  }
  const order = Array.from({ length: c }, (_, ch) => ch).sort((a, b) => best[b] - best[a] || a - b);
  return order.slice(0, Math.max(0, Math.min(k, c))).map((ch) => ({
    channel: ch,
    y: Math.floor(at[ch] / w),
    x: at[ch] % w,
    value: best[ch],
  }));
}
