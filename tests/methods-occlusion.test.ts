import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { logits, runLayers } from '../pipeline/model/activations.ts';
import type { AtlasModel } from '../pipeline/model/atlas-model.ts';
import { preprocess } from '../pipeline/model/image-batch.ts';
import { occlusionPositions, occlusionSweep, proportionalSpecs, type Readout } from '../pipeline/methods/occlusion.ts';
import { maxAbsDiff, seededTensor, useWasmWithCpuReference } from './helpers/backends.ts';
import { tinyAtlas, tinyChain } from './helpers/tiny-models.ts';

const image = (seed: number) => tf.tidy(() => tf.add(tf.mul(seededTensor([1, 16, 16, 3], seed), 127.5), 127.5)) as tf.Tensor4D;

/** One occluded image at a time, the square made by padding a block of ones into a mask. */
async function bruteForce(m: AtlasModel, x: tf.Tensor4D, size: number, stride: number, fill: number, readouts: Readout[]): Promise<Float32Array[]> {
  const [, h, w] = x.shape;
  const maps: number[][] = readouts.map(() => []);
  for (let y0 = 0; y0 + size <= h; y0 += stride) {
    for (let x0 = 0; x0 + size <= w; x0 += stride) {
      const occluded = tf.tidy(() => {
        const mask = tf.pad(tf.ones([1, size, size, 1]), [[0, 0], [y0, h - y0 - size], [x0, w - x0 - size], [0, 0]]);
        return tf.add(tf.mul(x, tf.sub(1, mask)), tf.mul(mask, fill)) as tf.Tensor4D;
      });
      for (const [i, r] of readouts.entries()) {
        const v = tf.tidy(() =>
          r.kind === 'class'
            ? tf.gather(tf.squeeze(tf.softmax(logits(m, occluded))), r.index)
            : tf.max(tf.gather(runLayers(m, occluded, [r.layer])[r.layer], r.channel, 3)),
        );
        maps[i].push((await v.data())[0]);
        v.dispose();
      }
      occluded.dispose();
    }
  }
  return maps.map((v) => Float32Array.from(v));
}

describe('occlusion sweep', () => {
  let m: AtlasModel;
  beforeAll(async () => {
    await useWasmWithCpuReference();
    m = tinyAtlas(tinyChain());
  });

  it('positions keep the square inside the image, stride not dividing evenly', () => {
    expect(occlusionPositions(16, 4, 2)).toEqual([0, 2, 4, 6, 8, 10, 12]);
    expect(occlusionPositions(16, 5, 3)).toEqual([0, 3, 6, 9]);
    expect(occlusionPositions(16, 16, 3)).toEqual([0]);
    expect(() => occlusionPositions(16, 17, 1)).toThrow(/does not fit/);
    expect(() => occlusionPositions(16, 4, 0)).toThrow(/positive integers/);
  });

  it('proportional specs rescale size and stride, at least 1', () => {
    expect(proportionalSpecs([[32, 16], [64, 8], [3, 1]], 224, 112)).toEqual([[16, 8], [32, 4], [2, 1]]);
    expect(proportionalSpecs([[32, 16]], 224, 16)).toEqual([[2, 1]]);
  });

  const readouts: Readout[] = [
    { kind: 'class', index: 1 },
    { kind: 'class', index: 3 },
    { kind: 'unit', layer: 'pw2', channel: 2 },
    { kind: 'unit', layer: 'c3', channel: 2 },
    { kind: 'unit', layer: 'c1', channel: 3 },
    { kind: 'unit', layer: 'pw2', channel: 5 },
  ];

  it.each([
    [4, 2, 0, 7],
    [5, 3, 0.3, 4],
  ])('size %i stride %i fill %f: every map equals the one-image-at-a-time loop', async (size, stride, fill, batchSize) => {
    const x = preprocess(m, image(21));
    const progress: [number, number][] = [];
    const res = await occlusionSweep(m, x, { size, stride, fill }, readouts, { batchSize, onProgress: (d, t) => progress.push([d, t]) });
    const n = occlusionPositions(16, size, stride).length;
    expect([res.rows, res.cols]).toEqual([n, n]);
    expect(res.forwardPasses).toBe(n * n + 1);
    expect(progress.at(-1)).toEqual([n * n, n * n]);
    expect(progress).toHaveLength(Math.ceil((n * n) / batchSize));
    const ref = await bruteForce(m, x, size, stride, fill, readouts);
    for (const [i, map] of res.maps.entries()) {
      expect(map).toHaveLength(n * n);
      expect(maxAbsDiff(map, ref[i])).toBeLessThan(1e-5);
      // A map that did not vary would not show the comparison is meaningful.
      expect(Math.max(...map) - Math.min(...map)).toBeGreaterThan(1e-4);
    }
  });

  it('baseline holds the readouts of the unoccluded image', async () => {
    const x = preprocess(m, image(22));
    const res = await occlusionSweep(m, x, { size: 8, stride: 8 }, readouts);
    const probs = await tf.softmax(logits(m, x)).data();
    const pw2 = await tf.max(runLayers(m, x, ['pw2']).pw2, [0, 1, 2]).data();
    const c3 = await tf.max(runLayers(m, x, ['c3']).c3, [0, 1, 2]).data();
    const c1 = await tf.max(runLayers(m, x, ['c1']).c1, [0, 1, 2]).data();
    const expected = [probs[1], probs[3], pw2[2], c3[2], c1[3], pw2[5]];
    expect(maxAbsDiff(Float32Array.from(res.baseline), Float32Array.from(expected))).toBeLessThan(1e-6);
    expect(res.forwardPasses).toBe(5);
  });

  it('a unit of the logits layer reads the raw score, a class its probability', async () => {
    const x = preprocess(m, image(24));
    const res = await occlusionSweep(m, x, { size: 8, stride: 8 }, [{ kind: 'class', index: 2 }, { kind: 'unit', layer: 'logits', channel: 2 }]);
    const raw = await logits(m, x).data();
    const probs = await tf.softmax(logits(m, x)).data();
    expect(res.baseline[0]).toBeCloseTo(probs[2], 6);
    expect(res.baseline[1]).toBeCloseTo(raw[2], 5);
    expect(Math.abs(raw[2] - probs[2])).toBeGreaterThan(1e-3);
  });

  it('does not leak tensors and rejects bad readouts', async () => {
    const x = preprocess(m, image(23));
    const before = tf.memory().numTensors;
    await occlusionSweep(m, x, { size: 4, stride: 4 }, readouts, { batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    await expect(occlusionSweep(m, x, { size: 4, stride: 4 }, [{ kind: 'class', index: 4 }])).rejects.toThrow(/out of range/);
    await expect(occlusionSweep(m, x, { size: 4, stride: 4 }, [{ kind: 'unit', layer: 'nope', channel: 0 }])).rejects.toThrow(/no layer/);
  });
});
