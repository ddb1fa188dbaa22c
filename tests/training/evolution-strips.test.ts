import { describe, expect, it } from 'vitest';
import { updateStrongest, type Strongest } from '../../pipeline/steps/evolution.ts';

/** Deterministic small integers, so ties are frequent. */
function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) % 7) - 3);
}

describe('evolution strips', () => {
  it('each unit gets the strongest activation over every batch, ties to the earliest image, then raster position', () => {
    const [n, h, w, c] = [5, 3, 4, 6];
    const batches = [values(n * h * w * c, 11), values(n * h * w * c, 29), values(2 * h * w * c, 47)];
    const shapes: [number, number, number, number][] = [[n, h, w, c], [n, h, w, c], [2, h, w, c]];
    const units = [0, 2, 5];
    const best = new Map<string, Strongest>();
    let offset = 0;
    batches.forEach((v, b) => {
      updateStrongest(best, 'conv1', v, shapes[b], units, offset);
      offset += shapes[b][0];
    });
    for (const unit of units) {
      // Brute force over (image, y, x) in order: the first occurrence of the maximum.
      let want: Strongest = { image: -1, value: -Infinity, pos: [0, 0] };
      let image = 0;
      batches.forEach((v, b) => {
        for (let i = 0; i < shapes[b][0]; i++, image++)
          for (let y = 0; y < h; y++)
            for (let x = 0; x < w; x++) {
              const a = v[((i * h + y) * w + x) * c + unit];
              if (a > want.value) want = { image, value: a, pos: [y, x] };
            }
      });
      const all = batches.flatMap((v, b) => Array.from({ length: shapes[b][0] * h * w }, (_, k) => v[k * c + unit]));
      expect(want.value).toBe(Math.max(...all));
      const first = all.indexOf(want.value);
      expect([want.image, want.pos[0], want.pos[1]]).toEqual([Math.floor(first / (h * w)), Math.floor((first % (h * w)) / w), first % w]);
      expect(best.get(`conv1:${unit}`)).toEqual(want);
    }
    // The data has ties at the maximum, so the rule is exercised.
    const unit0 = batches.flatMap((v, b) => Array.from({ length: shapes[b][0] * h * w }, (_, k) => v[k * c]));
    expect(unit0.filter((a) => a === Math.max(...unit0)).length).toBeGreaterThan(1);
  });
});
