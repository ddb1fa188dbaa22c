/** A float map of the input's shape (H x W x channels), e.g. an attribution. */
export interface FloatMap {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** Cuts an inclusive box [y0, x0, y1, x1] (clipped) out of item `item` of a batch of maps. */
export function cropMap(batch: Float32Array, item: number, height: number, width: number, channels: number, box: readonly number[]): FloatMap {
  const y0 = Math.max(0, Math.floor(box[0]));
  const x0 = Math.max(0, Math.floor(box[1]));
  const y1 = Math.min(height - 1, Math.ceil(box[2]));
  const x1 = Math.min(width - 1, Math.ceil(box[3]));
  const h = y1 - y0 + 1;
  const w = x1 - x0 + 1;
  const out = new Float32Array(h * w * channels);
  const base = item * height * width * channels;
  for (let y = 0; y < h; y++) {
    const from = base + ((y0 + y) * width + x0) * channels;
    out.set(batch.subarray(from, from + w * channels), y * w * channels);
  }
  return { data: out, height: h, width: w, channels };
}
