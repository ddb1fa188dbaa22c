import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { logits, runLayers } from '../pipeline/model/activations.ts';
import type { AtlasModel } from '../pipeline/model/atlas-model.ts';
import { preprocess } from '../pipeline/model/image-batch.ts';
import { defaultInvarianceSpec, invarianceCurves, transformPixels, type InvarianceSpec } from '../pipeline/methods/invariance.ts';
import { maxAbsDiff, seededTensor, useWasmWithCpuReference } from './helpers/backends.ts';
import { tinyAtlas, tinyChain } from './helpers/tiny-models.ts';

const pixels = (seed: number) => tf.tidy(() => tf.add(tf.mul(seededTensor([16, 16, 3], seed), 127.5), 127.5)) as tf.Tensor3D;

/** Shift right by k whole pixels in plain JS, grey where nothing comes in. */
function shiftedByHand(img: number[][][], k: number, fill: number): number[][][] {
  return img.map((row) => row.map((_, x) => (x - k >= 0 && x - k < row.length ? row[x - k] : [fill, fill, fill])));
}

/** Features of one 0..255 image: flattened layer activations and class probabilities. */
async function features(m: AtlasModel, img: tf.Tensor4D, layers: string[]): Promise<{ acts: Float32Array[]; probs: Float32Array }> {
  const x = preprocess(m, img);
  const out = runLayers(m, x, layers);
  return {
    acts: await Promise.all(layers.map(async (l) => new Float32Array(await out[l].data()))),
    probs: new Float32Array(await tf.softmax(logits(m, x)).data()),
  };
}

const euclid = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));

describe('invariance (Zeiler & Fergus Fig. 5)', () => {
  let m: AtlasModel;
  beforeAll(async () => {
    await useWasmWithCpuReference();
    m = tinyAtlas(tinyChain());
  });

  it('translate by k px is the image shifted right by k, grey where uncovered', async () => {
    const img = tf.expandDims(pixels(61), 0) as tf.Tensor4D;
    const src = (await img.array())[0];
    for (const k of [3, -2, 0]) {
      const out = (await transformPixels(img, 'translate', k).array())[0];
      expect(maxAbsDiff(Float32Array.from(out.flat(2)), Float32Array.from(shiftedByHand(src, k, 127.5).flat(2)))).toBeLessThan(1e-3);
    }
  });

  it('rotate 90 turns the picture counter-clockwise; rotate 0/360 and scale 1 leave it unchanged', async () => {
    const img = tf.expandDims(pixels(62), 0) as tf.Tensor4D;
    const src = (await img.array())[0];
    const rot = (await transformPixels(img, 'rotate', 90).array())[0];
    // Counter-clockwise: the top-right corner comes to the top-left, so out[y][x] = in[x][W-1-y].
    const expected = src.map((row, y) => row.map((_, x) => src[x][15 - y]));
    expect(maxAbsDiff(Float32Array.from(rot.flat(2)), Float32Array.from(expected.flat(2)))).toBeLessThan(1e-2);
    const flat = Float32Array.from(src.flat(2));
    for (const [kind, amount] of [['rotate', 0], ['rotate', 360], ['scale', 1], ['translate', 0]] as const) {
      expect(maxAbsDiff(new Float32Array(await transformPixels(img, kind, amount).data()), flat), `${kind} ${amount}`).toBeLessThan(1e-2);
    }
  });

  it('scale 0.5 shrinks about the centre and fills the border with grey', async () => {
    const img = tf.expandDims(pixels(63), 0) as tf.Tensor4D;
    const out = (await transformPixels(img, 'scale', 0.5).array())[0];
    for (const [y, x] of [[0, 0], [0, 15], [15, 0], [15, 15], [2, 8], [8, 2]]) expect(out[y][x]).toEqual([127.5, 127.5, 127.5]);
    // Output pixel (y, x) samples input (2y − 7.5, 2x − 7.5): halfway between four input pixels near the centre.
    const src = (await img.array())[0];
    const mean4 = (y: number, x: number) => (src[y][x][0] + src[y][x + 1][0] + src[y + 1][x][0] + src[y + 1][x + 1][0]) / 4;
    for (const [y, x] of [[7, 7], [7, 8], [8, 7], [9, 10]]) expect(out[y][x][0]).toBeCloseTo(mean4(2 * y - 8, 2 * x - 8), 2);
  });

  it('curves: distance 0 and the untransformed probability at the identity; other points equal a one-image loop', async () => {
    const img = pixels(64);
    const spec: InvarianceSpec = { translate: [-3, 0, 2], rotate: [0, 45, 90, 180, 360], scale: [0.6, 1, 1.5], layers: ['c1', 'c3', 'gap'], classIndex: 2 };
    const curves = await invarianceCurves(m, img, spec, 2);
    expect(curves.map((c) => c.kind)).toEqual(['translate', 'rotate', 'scale']);
    const batch = tf.expandDims(img, 0) as tf.Tensor4D;
    const base = await features(m, batch, spec.layers);
    for (const curve of curves) {
      expect(curve.amounts).toEqual(spec[curve.kind]);
      expect(curve.forwardPasses).toBe(curve.amounts.length);
      for (const [i, amount] of curve.amounts.entries()) {
        const f = await features(m, transformPixels(batch, curve.kind, amount), spec.layers);
        expect(curve.probability[i]).toBeCloseTo(f.probs[2], 5);
        spec.layers.forEach((l, j) => expect(curve.distance[l][i]).toBeCloseTo(euclid(f.acts[j], base.acts[j]), 3));
        const identity = amount === (curve.kind === 'scale' ? 1 : 0) || (curve.kind === 'rotate' && amount === 360);
        if (identity) {
          expect(curve.probability[i]).toBeCloseTo(base.probs[2], 5);
          for (const l of spec.layers) expect(curve.distance[l][i]).toBeLessThan(1e-2);
        } else {
          // Moving the picture really moves the early features.
          expect(curve.distance.c1[i]).toBeGreaterThan(1);
        }
      }
    }
    const before = tf.memory().numTensors;
    await invarianceCurves(m, img, spec, 4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('default spec: Zeiler & Fergus ranges, shifts scaled to the input side, identity on every curve', () => {
    const spec = defaultInvarianceSpec(m, 1);
    // At 16 px the 13 shifts round onto fewer whole pixels.
    expect(spec.translate).toEqual([-4, -3, -2, -1, 0, 1, 2, 3, 4]);
    expect(defaultInvarianceSpec({ ...m, inputSize: [224, 224] }, 1).translate).toEqual([-60, -50, -40, -30, -20, -10, 0, 10, 20, 30, 40, 50, 60]);
    expect(spec.rotate).toEqual([0, 30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 330, 360]);
    expect(spec.scale).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8]);
    expect(spec.layers).toEqual(['c1', 'gap']);
    expect(spec.classIndex).toBe(1);
  });
});
