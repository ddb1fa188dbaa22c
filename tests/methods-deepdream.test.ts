import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AtlasModel } from '../pipeline/model/atlas-model.ts';
import { deepDream, rollImage, seededRandom, type DeepDreamSpec } from '../pipeline/methods/deepdream.ts';
import { maxAbsDiff, seededTensor, useWasmWithCpuReference } from './helpers/backends.ts';
import { tinyAtlas, tinyChain } from './helpers/tiny-models.ts';

const pixels = (seed: number) => tf.tidy(() => tf.add(tf.mul(seededTensor([16, 16, 3], seed), 60), 127.5)) as tf.Tensor3D;
// The tiny chain's first layer responds strongly to its input; deeper ones mostly pass their biases.
const spec: DeepDreamSpec = { layer: 'c1', octaves: 3, octaveScale: 1.4, steps: 8, stepSize: 0.02, jitter: 2, seed: 7 };

describe('DeepDream', () => {
  let m: AtlasModel;
  beforeAll(async () => {
    await useWasmWithCpuReference();
    m = tinyAtlas(tinyChain());
  });

  it('rolls like numpy.roll: pixel (y, x) moves to (y + dy, x + dx), wrapping', async () => {
    const x = tf.reshape(tf.range(0, 4 * 5 * 3), [1, 4, 5, 3]) as tf.Tensor4D;
    const src = (await x.array())[0];
    for (const [dy, dx] of [[1, 2], [-1, 7], [0, 0], [4, -5]]) {
      const out = (await rollImage(x, dy, dx).array())[0];
      for (let y = 0; y < 4; y++) for (let c = 0; c < 5; c++) expect(out[(((y + dy) % 4) + 4) % 4][(((c + dx) % 5) + 5) % 5]).toEqual(src[y][c]);
    }
  });

  it('the seeded generator repeats for a seed and stays in [0, 1)', () => {
    const [a, b, c] = [seededRandom(3), seededRandom(3), seededRandom(4)];
    const xs = Array.from({ length: 100 }, a);
    expect(Array.from({ length: 100 }, b)).toEqual(xs);
    expect(Array.from({ length: 100 }, c)).not.toEqual(xs);
    expect(xs.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('raises its objective, keeps the shape and the 0..255 range, and is deterministic for a seed', async () => {
    const input = pixels(51);
    const a = await deepDream(m, input, spec);
    expect(a.objectiveEnd).toBeGreaterThan(a.objectiveStart * 3);
    expect(a.gradientSteps).toBe(24);
    expect(a.pixels.shape).toEqual([16, 16, 3]);
    const [lo, hi] = [(await a.pixels.min().data())[0], (await a.pixels.max().data())[0]];
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(255);
    const av = new Float32Array(await a.pixels.data());
    expect(maxAbsDiff(av, new Float32Array(await input.data()))).toBeGreaterThan(5);
    a.pixels.dispose();

    // The first run filled the backward kernels' filter cache; the second must leave nothing behind.
    const before = tf.memory().numTensors;
    const again = await deepDream(m, input, spec);
    expect(again.objectiveEnd).toBe(a.objectiveEnd);
    expect(maxAbsDiff(new Float32Array(await again.pixels.data()), av)).toBe(0);
    again.pixels.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const other = await deepDream(m, input, { ...spec, seed: 8 });
    expect(maxAbsDiff(new Float32Array(await other.pixels.data()), av)).toBeGreaterThan(1e-3);
  });

  it('raises the objective of a deeper layer too', async () => {
    const res = await deepDream(m, pixels(54), { ...spec, layer: 'c3', octaves: 2, jitter: 0, steps: 10 });
    expect(res.objectiveEnd).toBeGreaterThan(res.objectiveStart * 1.1);
  });

  it('with no steps returns the input image', async () => {
    const input = pixels(52);
    const res = await deepDream(m, input, { ...spec, steps: 0 });
    expect(res.objectiveEnd).toBeCloseTo(res.objectiveStart, 5);
    expect(maxAbsDiff(new Float32Array(await res.pixels.data()), new Float32Array(await input.data()))).toBeLessThan(1e-3);
  });

  it('fails clearly when the network produces NaN', async () => {
    const broken = tinyChain();
    const c1 = broken.getLayer('c1');
    c1.setWeights(c1.getWeights().map((w) => tf.fill(w.shape, NaN)));
    await expect(deepDream(tinyAtlas(broken), pixels(53), spec)).rejects.toThrow(/DeepDream: NaN/);
  });
});
