import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, fetchOptionsFor } from '../../pipeline/config/index.ts';
import { initBackend } from '../../pipeline/engine/backend.ts';
import { logits } from '../../pipeline/model/activations.ts';
import { loadConfiguredModel } from '../../pipeline/model/load-configured-model.ts';
import { orientation } from '../../pipeline/tags/structure-tensor.ts';
import { batchInputs } from '../../pipeline/training/augment.ts';
import { loadSavedLayersModel } from '../../pipeline/training/layers-model-files.ts';
import type { NetSpec } from '../../pipeline/training/net-spec.ts';
import { checkpointSchedule } from '../../pipeline/training/schedule.ts';
import { trainNet, type TrainSettings } from '../../pipeline/training/train.ts';
import { SYNTHETIC_CLASSES, syntheticSet } from './synthetic.ts';

const SPEC: NetSpec = { first: { kernel: 7, stride: 1 }, filters: [8, 8, 8], kernels: [3, 3], classes: 3, inputSize: 16 };
const SETTINGS: TrainSettings = { spec: SPEC, seed: 5, epochs: 6, schedule: checkpointSchedule(6), batchSize: 16, learningRate: 5e-3, augment: { flip: true, shift: 1 } };
const train = syntheticSet(80, 1);
const test = syntheticSet(40, 2);
let root: string;

beforeAll(async () => {
  await initBackend('wasm');
  root = await mkdtemp(path.join(os.tmpdir(), 'atlas-train-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function weightsOf(dir: string): Promise<Float32Array> {
  const m = await loadSavedLayersModel(dir);
  const all = m.getWeights().flatMap((w) => Array.from(w.dataSync()));
  m.dispose();
  return Float32Array.from(all);
}

describe('training', () => {
  it('the schedule is dense early, ends at the last epoch and never repeats', () => {
    expect(checkpointSchedule(8)).toEqual([1, 2, 3, 5, 8]);
    for (const n of [1, 2, 7, 20, 64]) {
      const s = checkpointSchedule(n);
      expect(s[0]).toBe(1);
      expect(s.at(-1)).toBe(n);
      expect(new Set(s).size).toBe(s.length);
    }
  });

  it('a tiny net learns stripes vs blobs (> 95 %) with first-layer filters oriented like the stripes', async () => {
    const record = await trainNet(train, test, SETTINGS, { root, name: 'synthetic' });
    expect(record.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(record.checkpoints.map((c) => c.epoch)).toEqual(SETTINGS.schedule);
    expect(record.history.at(-1)!.testAccuracy).toBeGreaterThan(0.95);

    const model = await loadSavedLayersModel(path.join(root, `synthetic-${record.key}`, 'epoch-6'));
    const kernel = (await model.getLayer('conv1').getWeights()[0].array()) as number[][][][];
    model.dispose();
    const k = SPEC.first.kernel;
    // Grey inputs: a filter acts through the sum of its three channel slices.
    const filters = Array.from({ length: SPEC.filters[0] }, (_, f) => {
      const gray = new Float32Array(k * k);
      for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) gray[y * k + x] = kernel[y][x].reduce((a, c) => a + c[f], 0);
      return orientation(gray, k, k, 1);
    });
    const near = (a: number, target: number) => Math.min(Math.abs(a - target), 180 - Math.abs(a - target)) < 22.5;
    const oriented = filters.filter((o) => o.coherence > 0.5);
    // The data hold stripes at 0 and 90 degrees only: coherent filters line up with one of them.
    expect(oriented.length).toBeGreaterThanOrEqual(2);
    expect(oriented.filter((o) => near(o.angle, 0) || near(o.angle, 90)).length / oriented.length).toBeGreaterThanOrEqual(0.75);
    expect(oriented.some((o) => near(o.angle, 0))).toBe(true);
    expect(oriented.some((o) => near(o.angle, 90))).toBe(true);
  }, 120_000);

  it('a run interrupted after epoch 2 and resumed ends with exactly the weights of an uninterrupted run', async () => {
    const settings = { ...SETTINGS, epochs: 4, schedule: checkpointSchedule(4) };
    const whole = await trainNet(train, test, settings, { root: path.join(root, 'whole'), name: 'run' });
    const part = await trainNet(train, test, settings, { root: path.join(root, 'resumed'), name: 'run', stopAfterEpochs: 2 });
    expect(part.history.map((h) => h.epoch)).toEqual([1, 2]);
    const resumed = await trainNet(train, test, settings, { root: path.join(root, 'resumed'), name: 'run' });
    expect(resumed.key).toBe(whole.key);
    expect(resumed.history.map((h) => h.testLoss)).toEqual(whole.history.map((h) => h.testLoss));
    for (const e of settings.schedule) {
      const a = await weightsOf(path.join(root, 'whole', `run-${whole.key}`, `epoch-${e}`));
      const b = await weightsOf(path.join(root, 'resumed', `run-${whole.key}`, `epoch-${e}`));
      expect(b).toEqual(a);
    }
    // A finished run is read back, not retrained.
    const again = await trainNet(train, test, settings, { root: path.join(root, 'whole'), name: 'run' });
    expect(again).toEqual(whole);
  }, 120_000);

  it('the saved model loads through a user-model config (modelUrl) and predicts exactly as trained', async () => {
    const record = await trainNet(train, test, SETTINGS, { root, name: 'synthetic' });
    const dir = path.join(root, `synthetic-${record.key}`, 'epoch-6');
    const configFile = path.join(root, 'atlas.config.json');
    const config = {
      mirror: null,
      cacheDir: './cache',
      models: [{ id: 'trained', modelUrl: './' + path.relative(root, path.join(dir, 'model.json')), labels: SYNTHETIC_CLASSES, preprocess: { scale: 1 / 127.5, offset: -1, fit: 'squash' } }],
      images: { showcase: false },
      dataset: false,
    };
    await writeFile(configFile, JSON.stringify(config));
    const resolved = await loadConfig({ path: configFile });
    const atlas = await loadConfiguredModel(resolved.models[0], fetchOptionsFor(resolved));
    expect(atlas.inputSize).toEqual([16, 16]);
    const trained = await loadSavedLayersModel(dir);
    const idx = Array.from({ length: 30 }, (_, i) => i);
    const raw = tf.tensor4d(Float32Array.from(idx.flatMap((i) => Array.from(test.pixels.subarray(i * 768, (i + 1) * 768)))), [30, 16, 16, 3]);
    const viaConfig = tf.tidy(() => tf.softmax(logits(atlas, tf.add(tf.mul(raw, 1 / 127.5), -1) as tf.Tensor4D)));
    const direct = tf.tidy(() => trained.predict(tf.tensor4d(batchInputs(test, idx, null, Math.random), [30, 16, 16, 3])) as tf.Tensor);
    const a = await viaConfig.data();
    const b = await direct.data();
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-6);
    expect(tf.argMax(viaConfig, 1).arraySync()).toEqual(tf.argMax(direct, 1).arraySync());
    tf.dispose([raw, viaConfig, direct]);
    trained.dispose();
    expect(JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')).epoch).toBe(6);
  }, 120_000);
});
