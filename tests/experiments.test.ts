import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageTensorData } from '../pipeline/assets/images.ts';
import { MOBILENET_PREPROCESS } from '../pipeline/assets/preprocess.ts';
import { boxToInput, dogPartsSchema, loadDogParts } from '../pipeline/experiments/dog-parts.ts';
import { correspondenceSummary, partsBelowRandom, transferSummary } from '../pipeline/experiments/summaries.ts';
import { mulberry32, gaussians } from '../pipeline/featurevis/random.ts';
import { correspondenceDelta, diffSigns, hamming, occludeRect } from '../pipeline/methods/correspondence.ts';
import { accuracy, fitLinearProbe } from '../pipeline/methods/linear-probe.ts';
import { runLayers } from '../pipeline/model/activations.ts';
import { atlasModelFromLayersModel, type AtlasModel } from '../pipeline/model/atlas-model.ts';
import { imageBatch } from '../pipeline/model/image-batch.ts';
import { pooledFeatures } from '../pipeline/model/pooled-features.ts';
import { useWasmWithCpuReference } from './helpers/backends.ts';
import { tinyAtlas, tinyChain } from './helpers/tiny-models.ts';

beforeAll(async () => {
  await useWasmWithCpuReference();
});

/** A 4×4 RGB "network" whose only layer is the identity (1×1 conv, eye weights): features = input. */
function identityModel(): AtlasModel {
  const input = tf.input({ shape: [4, 4, 3], name: 'image' });
  const id = tf.layers.conv2d({ filters: 3, kernelSize: 1, useBias: false, name: 'id', weights: [tf.eye(3).reshape([1, 1, 3, 3])] }).apply(input) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({ name: 'flat' }).apply(id) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 2, name: 'logits' }).apply(flat) as tf.SymbolicTensor;
  const out = tf.layers.activation({ activation: 'softmax', name: 'probs' }).apply(logits) as tf.SymbolicTensor;
  return atlasModelFromLayersModel(tf.model({ inputs: input, outputs: out }), { id: 'identity', labels: ['a', 'b'], inputSize: [4, 4], preprocess: MOBILENET_PREPROCESS });
}

const photo = (data: Float32Array): ImageTensorData => ({ data, width: 4, height: 4, originalWidth: 4, originalHeight: 4 });

describe('correspondence Δ', () => {
  it('equals the hand-computed value when occlusion flips a known set of signs', async () => {
    const m = identityModel();
    // Grey (127.5) everywhere except the top-left 2×2 square that gets occluded: ε = x − x̃ is
    // non-zero only there, +1 where the pixel was brighter than grey, −1 where darker.
    const make = (top: number, bottom: number) => {
      const d = new Float32Array(48).fill(127.5);
      for (const [y, v] of [[0, top], [1, bottom]]) for (const x of [0, 1]) d.fill(v, (y * 4 + x) * 3, (y * 4 + x) * 3 + 3);
      return d;
    };
    const images = [make(200, 200), make(50, 50), make(200, 50)];
    const rect: [number, number, number, number] = [0, 0, 2, 2];
    const feats = (list: Float32Array[]) => {
      const x = imageBatch(m, list.map(photo));
      const out = runLayers(m, x, ['id']).id;
      const rows = (out.arraySync() as number[][][][]).map((img) => Float32Array.from(img.flat(2)));
      tf.dispose([x, out]);
      return rows;
    };
    const original = feats(images);
    const occluded = feats(images.map((d) => occludeRect(d, [4, 4], rect, 127.5)));
    const signs = images.map((_, i) => diffSigns(original[i], occluded[i]));
    expect(Array.from(signs[0]).filter((s) => s === 1)).toHaveLength(12);
    expect(Array.from(signs[1]).filter((s) => s === -1)).toHaveLength(12);
    // Of 48 values: A and B differ in all 12 occluded ones, A and C in the 6 of the bottom row, B and C in the top row's 6.
    expect(hamming(signs[0], signs[1])).toBe(12 / 48);
    expect(hamming(signs[0], signs[2])).toBe(6 / 48);
    expect(correspondenceDelta(signs)).toBeCloseTo(2 * (12 + 6 + 6) / 48, 12);
  });

  it('is zero for identical changes and symmetric in the images', () => {
    const s = Int8Array.from([1, -1, 0, 1]);
    expect(correspondenceDelta([s, s, s])).toBe(0);
    const t = Int8Array.from([1, 1, 0, 0]);
    expect(correspondenceDelta([s, t])).toBe(correspondenceDelta([t, s]));
    expect(correspondenceDelta([s, t])).toBe(1);
  });

  it('maps a box marked on the photo into the centre-cropped or squashed input', () => {
    expect(boxToInput([0.5, 0.5, 0.25, 0.5], { width: 400, height: 200 }, 100, 'center-crop')).toEqual([50, 50, 100, 100]);
    expect(boxToInput([0.5, 0.5, 0.25, 0.5], { width: 400, height: 200 }, 100, 'squash')).toEqual([50, 50, 75, 100]);
    expect(() => boxToInput([0, 0, 0.1, 0.1], { width: 400, height: 200 }, 100, 'center-crop')).toThrow(/outside/);
  });

  it('reads the committed parts file and names a bad box', async () => {
    const { parts } = await loadDogParts();
    expect(parts.images.length).toBeGreaterThanOrEqual(5);
    const bad = dogPartsSchema.safeParse({ images: [{ image: 'a', parts: { rightEye: [0.9, 0, 0.2, 0.1], leftEye: [0, 0, 0.1, 0.1], nose: [0, 0, 0.1, 0.1] } }, parts.images[0]] });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/inside the photo/);
  });

  it('says what the numbers show', () => {
    const layer = (name: string, d: number, draws: number[]) => ({ layer: name, delta: { rightEye: d, leftEye: d + 0.1, nose: d + 0.2 }, random: { mean: 3, sd: 0.2, draws } });
    const low = layer('conv5', 1, [2.8, 3, 3.2]);
    const high = layer('logits', 3.5, [2.8, 3, 3.2]);
    expect(partsBelowRandom(low)).toEqual(['rightEye', 'leftEye', 'nose']);
    expect(partsBelowRandom(high)).toEqual([]);
    const text = correspondenceSummary([low, high], 5);
    expect(text).toBe(
      'Compared with 3 boxes of the same size at random positions, hiding any of the three parts (at conv5) changes the features of the 5 dogs more consistently than every random box (lower Δ; conv5: 1.00–1.20 against 3.00 ± 0.20), while at logits no part does (logits: 3.50–3.70 against 3.00 ± 0.20).',
    );
    const eyes = { ...low, layer: 'mid', delta: { rightEye: 1, leftEye: 1.5, nose: 3.1 } };
    expect(correspondenceSummary([eyes], 5)).toMatch(/hiding the right eye or left eye \(at mid\) .*\(lower Δ; mid: 1\.00–1\.50 against/);
  });
});

/** n points per class around well separated centres (±6 on one axis per class) with unit noise. */
function clusters(n: number, classes: number, dims: number, seed: number): { x: Float32Array; y: Int32Array } {
  const noise = gaussians(n * classes * dims, mulberry32(seed));
  const x = new Float32Array(n * classes * dims);
  const y = new Int32Array(n * classes);
  for (let i = 0; i < n * classes; i++) {
    y[i] = i % classes;
    for (let d = 0; d < dims; d++) x[i * dims + d] = noise[i * dims + d] + (d === y[i] ? 6 : 0);
  }
  return { x, y };
}

describe('linear probe', () => {
  it('separates linearly separable features perfectly, the same way every time', () => {
    const train = clusters(30, 4, 8, 1);
    const test = clusters(25, 4, 8, 2);
    const probe = fitLinearProbe(train.x, train.y, 120, 8, 4);
    const predicted = probe.predict(test.x, 100);
    expect(accuracy(predicted, test.y)).toBe(1);
    const again = fitLinearProbe(train.x, train.y, 120, 8, 4);
    expect(Array.from(again.predict(test.x, 100))).toEqual(Array.from(predicted));
    probe.dispose();
    again.dispose();
  });

  it('stays near chance when the labels carry no information', () => {
    const train = clusters(50, 4, 8, 3);
    const test = clusters(100, 4, 8, 4);
    // Shuffle the labels against the features: nothing left to learn.
    const random = mulberry32(5);
    const shuffled = Int32Array.from(train.y, () => Math.floor(random() * 4));
    const testLabels = Int32Array.from(test.y, () => Math.floor(random() * 4));
    const probe = fitLinearProbe(train.x, shuffled, 200, 8, 4);
    const acc = accuracy(probe.predict(test.x, 400), testLabels);
    probe.dispose();
    // 400 test points: chance is 0.25 with a standard error of ~0.022.
    expect(Math.abs(acc - 0.25)).toBeLessThan(0.08);
  });

  it('rejects labels outside the classes', () => {
    expect(() => fitLinearProbe(new Float32Array(4), [0, 3], 2, 2, 3)).toThrow(/not a class index/);
  });

  it('summarises the best layer per dataset from the numbers', () => {
    const text = transferSummary([{ name: 'CIFAR-10', chance: 0.1, test: 500, layers: [{ layer: 'a', accuracy: 0.3 }, { layer: 'b', accuracy: 0.62 }, { layer: 'c', accuracy: 0.5 }] }]);
    const tied = transferSummary([{ name: 'X', chance: 0.2, test: 10, layers: [{ layer: 'a', accuracy: 0.5 }, { layer: 'b', accuracy: 1 }, { layer: 'c', accuracy: 1 }] }]);
    expect(tied).toMatch(/b is the first of 2 layers that reach the best accuracy, 100%/);
    expect(text).toBe('Linear probes on frozen features: on CIFAR-10, with 500 test images and chance at 10%, the best layer is b at 62%, against 30% for the first layer (a) and 50% for the last (c).');
  });
});

describe('pooled layer features', () => {
  it('runs each image through the network once for all layers, and pools each layer exactly', async () => {
    const m = tinyAtlas(tinyChain());
    const n = 37;
    const random = mulberry32(9);
    const pixels = Array.from({ length: n }, () => Float32Array.from({ length: 16 * 16 * 3 }, () => random() * 255));
    const loads = new Array(n).fill(0);
    const layerIds = m.layers.map((l) => l.id);
    const feats = await pooledFeatures(
      m,
      n,
      async (start, end) => {
        for (let i = start; i < end; i++) loads[i]++;
        return pixels.slice(start, end).map((d) => ({ data: d, width: 16, height: 16, originalWidth: 16, originalHeight: 16 }));
      },
      layerIds,
      { batchSize: 8 },
    );
    expect(loads).toEqual(new Array(n).fill(1));
    expect([...feats.keys()]).toEqual(layerIds);
    for (const id of layerIds) {
      const direct = tf.tidy(() => {
        const x = imageBatch(m, pixels.map((d) => ({ data: d, width: 16, height: 16, originalWidth: 16, originalHeight: 16 })));
        const a = runLayers(m, x, [id])[id];
        return a.rank === 4 ? tf.mean(a, [1, 2]) : a;
      });
      const want = direct.dataSync();
      direct.dispose();
      const got = feats.get(id)!;
      expect(got.length).toBe(want.length);
      let err = 0;
      for (let k = 0; k < got.length; k++) err = Math.max(err, Math.abs(got[k] - want[k]));
      expect(err).toBeLessThan(1e-4);
    }
  });
});
