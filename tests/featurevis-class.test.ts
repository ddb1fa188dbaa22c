import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MOBILENET_PREPROCESS } from '../pipeline/assets/preprocess.ts';
import { atlasModelFromLayersModel, type AtlasModel } from '../pipeline/model/atlas-model.ts';
import { classModel, gaussianBlur, lucidClassModel, meanPixel } from '../pipeline/featurevis/class-model.ts';
import { needsFixedInput } from '../pipeline/featurevis/render.ts';
import { useWasmWithCpuReference } from './helpers/backends.ts';
import { tinyAtlas, tinyBranches } from './helpers/tiny-models.ts';

beforeAll(async () => {
  await useWasmWithCpuReference();
});

/**
 * conv 5x5 → relu → global pool → dense (identity) → softmax, so logit c = mean of unit c:
 *   0: vertical stripes (odd Gabor along x), no bias — dead on a flat image;
 *   1: mean brightness with bias 0.5 — alive on the mean (zero) image.
 */
function headModel(): AtlasModel {
  const input = tf.input({ shape: [32, 32, 3], name: 'image' });
  let x = tf.layers.conv2d({ filters: 2, kernelSize: 5, padding: 'same', name: 'units' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'units_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 2, name: 'logits' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.activation({ activation: 'softmax', name: 'probs' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const k = new Float32Array(5 * 5 * 3 * 2);
  for (let y = 0; y < 5; y++)
    for (let xx = 0; xx < 5; xx++)
      for (let c = 0; c < 3; c++) {
        const envelope = Math.exp(-((xx - 2) ** 2 + (y - 2) ** 2) / (2 * 1.5 ** 2));
        k[((y * 5 + xx) * 3 + c) * 2] = 0.3 * envelope * Math.sin((2 * Math.PI * (xx - 2)) / 5);
        k[((y * 5 + xx) * 3 + c) * 2 + 1] = 1 / 75;
      }
  model.getLayer('units').setWeights([tf.tensor4d(k, [5, 5, 3, 2]), tf.tensor1d([0, 0.5])]);
  model.getLayer('logits').setWeights([tf.eye(2), tf.zeros([2])]);
  return atlasModelFromLayersModel(model, { id: 'head', labels: ['stripes', 'bright'], inputSize: [32, 32], preprocess: MOBILENET_PREPROCESS });
}

describe('Simonyan class model (pixel space, Yosinski regularizers)', () => {
  const model = headModel();

  it('the mean image is the pixel that preprocessing maps to 0', () => {
    expect(meanPixel(model)).toEqual([127.5, 127.5, 127.5]);
    expect(meanPixel({ ...model, preprocess: { scale: [1, 1, 1], offset: [-10, -20, -30], channelOrder: 'bgr', fit: 'squash' } })).toEqual([30, 20, 10]);
  });

  it('raises the class score from the zero (mean) image', async () => {
    const r = await classModel(model, 1, { steps: 60, lr: 2 });
    expect(r.initialScores[0]).toBeCloseTo(0.5, 4); // the zero image: brightness unit = its bias
    expect(r.scores[0]).toBeGreaterThan(r.initialScores[0] + 0.3);
    expect(r.images[0]).toHaveLength(32 * 32 * 3);
  });

  it('a dead unit stays dead from the zero image (Simonyan) but rises from noise; the image gets vertical structure', async () => {
    const zero = await classModel(model, 0, { steps: 10, lr: 2 });
    expect(zero.scores[0]).toBe(0);
    const r = await classModel(model, [0, 0], { steps: 120, lr: 2, init: 'noise', seed: 3 });
    r.scores.forEach((s, i) => expect(s).toBeGreaterThan(r.initialScores[i] + 0.2));
    // Sobel energy along x beats y on the grey image.
    const img = r.images[0];
    const g = (y: number, x: number) => img[(y * 32 + x) * 3] + img[(y * 32 + x) * 3 + 1] + img[(y * 32 + x) * 3 + 2];
    let ex = 0;
    let ey = 0;
    for (let y = 1; y < 31; y++)
      for (let x = 1; x < 31; x++) {
        ex += (g(y, x + 1) - g(y, x - 1)) ** 2;
        ey += (g(y + 1, x) - g(y - 1, x)) ** 2;
      }
    expect(ex / ey).toBeGreaterThan(2);
  });

  it('regularizers: blur smooths, L2 decay and pixel-norm clipping pull towards the mean', async () => {
    const base = { steps: 40, lr: 2, init: 'noise' as const, seed: 4, blurEvery: 0, l2Decay: 0 };
    const energy = (img: Float32Array) => img.reduce((s, v) => s + (v - 0.5) ** 2, 0);
    const roughness = (img: Float32Array) => {
      let s = 0;
      for (let i = 3; i < img.length; i++) s += (img[i] - img[i - 3]) ** 2;
      return s;
    };
    const plain = await classModel(model, 0, base);
    const blurred = await classModel(model, 0, { ...base, blurEvery: 2, blurSigma: 1 });
    const decayed = await classModel(model, 0, { ...base, l2Decay: 0.05 });
    const clipped = await classModel(model, 0, { ...base, pixelNormPercentile: 50, gradientPercentile: 30, contributionPercentile: 20 });
    expect(roughness(blurred.images[0])).toBeLessThan(0.7 * roughness(plain.images[0]));
    expect(energy(decayed.images[0])).toBeLessThan(0.7 * energy(plain.images[0]));
    // Half the pixels are exactly the mean colour after pixel-norm clipping.
    expect(clipped.images[0].filter((v) => Math.abs(v - 0.5) < 1e-6).length).toBeGreaterThanOrEqual(0.45 * 32 * 32 * 3);
  });

  it('gaussianBlur keeps a constant interior and averages an impulse', async () => {
    const impulse = tf.buffer([1, 9, 9, 3]);
    impulse.set(1, 0, 4, 4, 0);
    const out = await gaussianBlur(impulse.toTensor() as tf.Tensor4D, 1).array();
    const total = out[0].flat().reduce((s, p) => s + p[0], 0);
    expect(total).toBeCloseTo(1, 4);
    expect(out[0][4][4][0]).toBeLessThan(0.2);
    expect(out[0][4][5][0]).toBeCloseTo(out[0][5][4][0], 6);
  });

  it('the Lucid-recipe class model (renderVis + classLogit) raises the score too', async () => {
    const r = await lucidClassModel(model, [1, 0], { size: 32, steps: 96, seed: 2 });
    expect(r.reached[0]).toBeGreaterThan(0.8); // from 0.5 on the grey start
    expect(r.reached[1]).toBeGreaterThan(0.3); // from ≈ 0
  });

  it('models with a flatten before the head run at their fixed input size', async () => {
    const m = tinyAtlas(tinyBranches());
    expect(needsFixedInput(m.runGraph, [m.runNode(m.logitsNode)])).toBe(true);
    expect(needsFixedInput(model.runGraph, [model.runNode(model.logitsNode)])).toBe(false);
    const r = await lucidClassModel(m, 1, { size: 20, steps: 24, seed: 1 });
    expect(r.history.at(-1)!.values[0]).toBeGreaterThan(r.history[0].values[0]);
    const c = await classModel(m, 2, { steps: 20, size: 20 });
    expect(c.scores[0]).toBeGreaterThan(c.initialScores[0]);
  });
});
