import { describe, expect, it } from 'vitest';
import { topUnits, type TopUnit } from '../pipeline/methods/top-units.ts';

/** Small integers, so equal values (ties) are common. */
function randomInts(n: number, seed: number, levels: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.floor((s / 2147483648) * levels) - 3;
  });
}

/** The obvious way: per channel the first position of its maximum, then k rounds of "take the best left". */
function bruteForce(values: Float32Array, [h, w, c]: [number, number, number], k: number): TopUnit[] {
  const perChannel: TopUnit[] = [];
  for (let ch = 0; ch < c; ch++) {
    let best: TopUnit | null = null;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = values[(y * w + x) * c + ch];
        if (!best || v > best.value) best = { channel: ch, y, x, value: v };
      }
    }
    perChannel.push(best!);
  }
  const out: TopUnit[] = [];
  const left = [...perChannel];
  while (out.length < k && left.length) {
    let pick = 0;
    for (let i = 1; i < left.length; i++) if (left[i].value > left[pick].value) pick = i;
    out.push(left.splice(pick, 1)[0]);
  }
  return out;
}

describe('topUnits', () => {
  it.each([
    [[5, 7, 11], 4, 3, 1],
    [[6, 6, 16], 6, 9, 2],
    [[3, 4, 9], 200, 9, 3],
    [[1, 1, 5], 2, 5, 4],
  ] as [[number, number, number], number, number, number][])('matches brute force on %j with %i levels, k=%i', (shape, levels, k, seed) => {
    const values = randomInts(shape[0] * shape[1] * shape[2], seed, levels);
    expect(topUnits(values, shape, k)).toEqual(bruteForce(values, shape, k));
  });

  it('breaks ties by first position, then by lower channel', () => {
    // [2, 2, 3]: channel 0 peaks (7) at (0,1) and (1,0), channel 2 (7) at (0,1) and (1,1), channel 1 (5) at (1,0).
    const values = new Float32Array([1, 0, 2, 7, 0, 7, 7, 5, 0, 0, 0, 7]);
    expect(topUnits(values, [2, 2, 3], 3)).toEqual([
      { channel: 0, y: 0, x: 1, value: 7 },
      { channel: 2, y: 0, x: 1, value: 7 },
      { channel: 1, y: 1, x: 0, value: 5 },
    ]);
  });

  it('returns each channel at most once, and at most c units', () => {
    const values = randomInts(4 * 4 * 6, 9, 50);
    const top = topUnits(values, [4, 4, 6], 10);
    expect(top).toHaveLength(6);
    expect(new Set(top.map((u) => u.channel)).size).toBe(6);
    expect(topUnits(values, [4, 4, 6], 0)).toEqual([]);
  });

  it('rejects data that does not fit the shape', () => {
    expect(() => topUnits(new Float32Array(10), [2, 2, 3], 1)).toThrow(/do not fit/);
  });
});
