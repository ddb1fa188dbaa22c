import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ablationSummary, deadUnits, foldChannelMax } from '../../pipeline/training/ablation-measures.ts';
import { mulberry32 } from '../../pipeline/featurevis/random.ts';

describe('ablation measures', () => {
  it('per-filter maxima of a tiny ReLU conv equal a brute-force loop, folded over batches', async () => {
    const rand = mulberry32(5);
    const [n, s, inC, c, k] = [3, 6, 3, 4, 3];
    const x = Array.from({ length: n * s * s * inC }, () => rand() * 2 - 1);
    const w = Array.from({ length: k * k * inC * c }, () => rand() * 2 - 1);
    const bias = [0.1, -0.2, -50, 0]; // unit 2 can never fire: the dead one
    // Brute force: valid convolution, stride 1, then ReLU, max over images and positions.
    const o = s - k + 1;
    const expected = new Array<number>(c).fill(-Infinity);
    for (let i = 0; i < n; i++)
      for (let y = 0; y < o; y++)
        for (let xx = 0; xx < o; xx++)
          for (let u = 0; u < c; u++) {
            let v = bias[u];
            for (let dy = 0; dy < k; dy++)
              for (let dx = 0; dx < k; dx++)
                for (let ch = 0; ch < inC; ch++)
                  v += x[((i * s + y + dy) * s + xx + dx) * inC + ch] * w[((dy * k + dx) * inC + ch) * c + u];
            expected[u] = Math.max(expected[u], Math.max(0, v));
          }
    const acts = tf.tidy(() =>
      tf.relu(tf.conv2d(tf.tensor4d(x, [n, s, s, inC]), tf.tensor4d(w, [k, k, inC, c]), 1, 'valid').add(bias)),
    );
    const data = (await acts.data()) as Float32Array;
    acts.dispose();
    const per = o * o * c;
    const maxima = new Float32Array(c).fill(-Infinity);
    // One image per "batch": the fold across calls must equal the max over all of them.
    for (let i = 0; i < n; i++) foldChannelMax(maxima, data.subarray(i * per, (i + 1) * per), c);
    expected.forEach((e, u) => expect(maxima[u]).toBeCloseTo(e, 4));
    expect(deadUnits(maxima)).toEqual(expected.map((e, u) => (e <= 0 ? u : -1)).filter((u) => u >= 0));
    expect(deadUnits(maxima)).toContain(2);
  });

  it('the summary names the more accurate variant, the margin and both dead counts, and flips with the numbers', () => {
    const small = { name: 'small-first', testAccuracy: 0.55, dead: 0, filters: 16 };
    const large = { name: 'large-first', testAccuracy: 0.42, dead: 5, filters: 16 };
    const text = ablationSummary(small, large);
    expect(text).toMatch(/The small-first variant is more accurate/);
    expect(text).toContain('55.0% against 42.0% (13.0 points)');
    expect(text).toContain('0 of 16 in the small-first variant, 5 of 16 in the large-first variant');
    const swapped = ablationSummary({ ...small, testAccuracy: 0.42 }, { ...large, testAccuracy: 0.55 });
    expect(swapped).toMatch(/The large-first variant is more accurate/);
    expect(ablationSummary(small, { ...large, testAccuracy: 0.55 })).toMatch(/same test accuracy/);
  });
});
