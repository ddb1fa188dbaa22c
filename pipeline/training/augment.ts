import { mulberry32 } from '../featurevis/random.ts';
import type { PixelSet } from './cifar-data.ts';

export interface Augmentation {
  flip: boolean;
  /** Largest shift in pixels each way; the uncovered border is zero (mid grey after scaling to [-1, 1]). */
  shift: number;
}

/** Seeded Fisher-Yates: epoch e of seed s is the same order on every run, so resuming needs no RNG state. */
export function shuffledOrder(n: number, seed: number): Int32Array {
  const random = mulberry32(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * Float inputs for the images `indices`, scaled to [-1, 1] (the net's preprocessing, x/127.5 - 1),
 * each optionally mirrored and shifted with draws from `random` (seeded by the caller per batch).
 */
export function batchInputs(set: PixelSet, indices: ArrayLike<number>, aug: Augmentation | null, random: () => number): Float32Array {
  const s = set.size;
  const plane = s * s * 3;
  const out = new Float32Array(indices.length * plane);
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b] * plane;
    const flip = aug?.flip ? random() < 0.5 : false;
    const dx = aug?.shift ? Math.floor(random() * (2 * aug.shift + 1)) - aug.shift : 0;
    const dy = aug?.shift ? Math.floor(random() * (2 * aug.shift + 1)) - aug.shift : 0;
    for (let y = 0; y < s; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= s) continue;
      for (let x = 0; x < s; x++) {
        let sx = x - dx;
        if (flip) sx = s - 1 - sx;
        if (sx < 0 || sx >= s) continue;
        const o = b * plane + (y * s + x) * 3;
        const i = src + (sy * s + sx) * 3;
        out[o] = set.pixels[i] / 127.5 - 1;
        out[o + 1] = set.pixels[i + 1] / 127.5 - 1;
        out[o + 2] = set.pixels[i + 2] / 127.5 - 1;
      }
    }
  }
  return out;
}
