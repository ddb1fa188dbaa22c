import type { Rect } from '../experiments/dog-parts.ts';

/**
 * Zeiler & Fergus's correspondence measure (Sec. 4.4): occlude the same part in several images,
 * take each image's feature change ε_i = x_i − x̃_i, and sum the Hamming distances between the
 * sign patterns of every ordered pair, Δ = Σ_{i≠j} H(sign(ε_i), sign(ε_j)). H here is the fraction
 * of the layer's values whose signs differ, so Δ is comparable across layers of any size: 0 when
 * the occlusion moves every value the same way in every image, at most n(n−1).
 */

/** sign(x − x̃) per value: −1, 0 or +1. */
export function diffSigns(original: ArrayLike<number>, occluded: ArrayLike<number>): Int8Array {
  if (original.length !== occluded.length) throw new Error(`feature vectors differ in length: ${original.length} vs ${occluded.length}`);
  const out = new Int8Array(original.length);
  for (let k = 0; k < out.length; k++) out[k] = Math.sign(original[k] - occluded[k]);
  return out;
}

/** Normalised Hamming distance: the fraction of positions where the two sign patterns differ. */
export function hamming(a: Int8Array, b: Int8Array): number {
  if (a.length !== b.length) throw new Error(`sign patterns differ in length: ${a.length} vs ${b.length}`);
  let differ = 0;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) differ++;
  return a.length ? differ / a.length : 0;
}

/** Δ = Σ over ordered pairs i ≠ j of H(s_i, s_j). */
export function correspondenceDelta(signs: Int8Array[]): number {
  let sum = 0;
  for (let i = 0; i < signs.length; i++) for (let j = i + 1; j < signs.length; j++) sum += 2 * hamming(signs[i], signs[j]);
  return sum;
}

/** A copy of an RGB image (H×W×3, row-major) with the rectangle set to `fill`. */
export function occludeRect(image: Float32Array, [h, w]: [number, number], [x0, y0, x1, y1]: Rect, fill: number): Float32Array {
  if (image.length !== h * w * 3) throw new Error(`image has ${image.length} values, expected ${h}×${w}×3`);
  const out = image.slice();
  for (let y = Math.max(0, y0); y < Math.min(h, y1); y++) out.fill(fill, (y * w + Math.max(0, x0)) * 3, (y * w + Math.min(w, x1)) * 3);
  return out;
}

/** A width×height rectangle at a uniformly random position inside a size×size input. */
export function randomRect(random: () => number, size: number, width: number, height: number): Rect {
  const x0 = Math.floor(random() * (size - width + 1));
  const y0 = Math.floor(random() * (size - height + 1));
  return [x0, y0, x0 + width, y0 + height];
}
