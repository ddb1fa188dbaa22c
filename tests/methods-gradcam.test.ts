import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLayers } from '../pipeline/model/activations.ts';
import type { AtlasModel } from '../pipeline/model/atlas-model.ts';
import { layerAttribution } from '../pipeline/model/attribution.ts';
import { execute } from '../pipeline/model/executor.ts';
import { preprocess } from '../pipeline/model/image-batch.ts';
import { gradCam } from '../pipeline/methods/gradcam.ts';
import { maxAbsDiff, seededTensor, useWasmWithCpuReference } from './helpers/backends.ts';
import { tinyAtlas, tinyChain } from './helpers/tiny-models.ts';

const image = (seed: number) => tf.tidy(() => tf.add(tf.mul(seededTensor([1, 16, 16, 3], seed), 127.5), 127.5)) as tf.Tensor4D;
const relErr = (a: Float32Array, b: Float32Array) => maxAbsDiff(a, b) / Math.max(1e-6, ...Array.from(b, Math.abs));

/** alpha_c = mean over positions of G[.., c]; map = ReLU(sum_c alpha_c A[.., c]), in plain loops over [h, w, c] data. */
function byHand(a: Float32Array, g: Float32Array, [h, w, c]: number[]): { alpha: Float32Array; map: Float32Array } {
  const alpha = new Float32Array(c);
  for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) alpha[ch] += g[p * c + ch] / (h * w);
  const map = new Float32Array(h * w);
  for (let p = 0; p < h * w; p++) {
    let s = 0;
    for (let ch = 0; ch < c; ch++) s += alpha[ch] * a[p * c + ch];
    map[p] = Math.max(0, s);
  }
  return { alpha, map };
}

/**
 * d(logit k)/dA by central differences, every entry of A perturbed in one batch. From c3 (after its
 * ReLU) to the logits the network is linear (global average pool, dense), so this is exact up to rounding.
 */
async function finiteDifferences(m: AtlasModel, a: tf.Tensor, classes: number[], eps = 0.05): Promise<Float32Array[]> {
  const from = m.runNode(m.layerById.get('c3')!.outputNode);
  const node = m.runNode(m.logitsNode);
  const n = a.size;
  const [plus, minus] = [eps, -eps].map((e) =>
    tf.tidy(() => {
      const batch = tf.add(tf.tile(tf.reshape(a, [1, -1]), [n, 1]), tf.mul(tf.eye(n), e));
      return tf.reshape(execute(m.runGraph, { [from]: tf.reshape(batch, [n, ...a.shape.slice(1)]) }, [node])[node], [n, -1]);
    }),
  );
  const [p, q] = [await plus.array(), await minus.array()] as number[][][];
  return classes.map((k) => Float32Array.from({ length: n }, (_, i) => (p[i][k] - q[i][k]) / (2 * eps)));
}

describe('Grad-CAM', () => {
  let m: AtlasModel;
  beforeAll(async () => {
    await useWasmWithCpuReference();
    m = tinyAtlas(tinyChain());
  });

  it('equals the formula with dlogit/dA from finite differences (c3, linear head)', async () => {
    const x = preprocess(m, image(31));
    const classes = [0, 2, 3];
    const res = await gradCam(m, x, classes, 'c3');
    expect(res.shape).toEqual([3, 3]);
    const act = runLayers(m, x, ['c3']).c3;
    const a = new Float32Array(await act.data());
    const grads = await finiteDifferences(m, act, classes);
    classes.forEach((_, i) => {
      const { alpha, map } = byHand(a, grads[i], [3, 3, 5]);
      expect(relErr(res.alphas[i], alpha)).toBeLessThan(1e-3);
      expect(relErr(res.maps[i], map)).toBeLessThan(1e-3);
    });
    expect(res.maps.some((map) => map.some((v) => v > 0))).toBe(true);
  });

  it('equals the formula with one layer gradient per class (pw2, through ReLUs)', async () => {
    const x = preprocess(m, image(32));
    const classes = [3, 1, 0, 2];
    const res = await gradCam(m, x, classes, 'pw2');
    expect(res.shape).toEqual([8, 8]);
    let positive = 0;
    for (const [i, k] of classes.entries()) {
      const { activation, gradient } = layerAttribution(m, x, { kind: 'class', index: k }, 'pw2');
      const { alpha, map } = byHand(new Float32Array(await activation.data()), new Float32Array(await gradient.data()), [8, 8, 6]);
      expect(relErr(res.alphas[i], alpha)).toBeLessThan(1e-4);
      expect(relErr(res.maps[i], map)).toBeLessThan(1e-4);
      positive += map.filter((v) => v > 0).length;
      tf.dispose([activation, gradient]);
    }
    // Both signs occur: the ReLU mattered somewhere and some map is non-trivial.
    expect(positive).toBeGreaterThan(0);
    expect(positive).toBeLessThan(classes.length * 64);
  });

  it('frees its tensors and rejects non-spatial layers', async () => {
    const x = preprocess(m, image(33));
    await gradCam(m, x, [1, 2], 'dw2');
    const before = tf.memory().numTensors;
    await gradCam(m, x, [1, 2], 'dw2');
    await gradCam(m, x, [0, 3, 1], 'dw2');
    expect(tf.memory().numTensors).toBe(before);
    await expect(gradCam(m, x, [1], 'gap')).rejects.toThrow(/spatial/);
  });
});
