/**
 * The pipeline's atlas and per-image steps on the tiny gallery, in-process: top-9 selection against
 * a brute-force sort, receptive-field crops that contain what drives the unit, and caching (a warm
 * run rewrites nothing; a changed parameter redoes only the method it belongs to).
 */
import * as tf from '@tensorflow/tfjs';
import { readFile, readdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImageTensorData } from '../pipeline/assets/images.ts';
import { fetchOptionsFor, loadConfig } from '../pipeline/config/index.ts';
import { initBackend } from '../pipeline/engine/backend.ts';
import { runLayers, runPreActivations } from '../pipeline/model/activations.ts';
import { tieOrder, topIndices } from '../pipeline/methods/ranking.ts';
import type { AtlasModel } from '../pipeline/model/atlas-model.ts';
import { imageBatch } from '../pipeline/model/image-batch.ts';
import { loadConfiguredModel } from '../pipeline/model/load-configured-model.ts';
import { unitBox } from '../pipeline/model/receptive-field.ts';
import type { UnitStatsRecord } from '../pipeline/records/schemas.ts';
import { checkImages } from '../pipeline/steps/check-images.ts';
import type { BuildContext } from '../pipeline/steps/context.ts';
import { runPipeline } from '../pipeline/steps/run-pipeline.ts';
import { silentLog } from '../pipeline/util/log.ts';
import { writeTinyGallery } from './site/tiny-gallery.ts';

let root = '';
let configFile = '';
let model: AtlasModel;

async function context(): Promise<BuildContext> {
  const config = await loadConfig({ path: configFile });
  const backend = await initBackend('wasm');
  return { config, fetchOpts: fetchOptionsFor(config), backend, recordsDir: path.join(root, 'records'), publicDir: path.join(root, 'public', 'generated'), log: silentLog };
}

/** Every record file under the records dir with its modification time. */
async function recordTimes(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const dir = path.join(root, 'records');
  for (const f of (await readdir(dir, { recursive: true })) as string[]) {
    if (f.endsWith('.json')) out.set(f, (await stat(path.join(dir, f))).mtimeMs);
  }
  return out;
}

beforeAll(async () => {
  process.env.ATLAS_WORKERS = '0';
  root = await mkdtemp(path.join(os.tmpdir(), 'atlas-pipeline-'));
  configFile = await writeTinyGallery(root);
  const ctx = await context();
  await runPipeline(ctx);
  model = await loadConfiguredModel(ctx.config.models[0], ctx.fetchOpts);
}, 600_000);

afterAll(async () => {
  delete process.env.ATLAS_WORKERS;
  if (root) await rm(root, { recursive: true, force: true });
});

/** Every dataset image's maximum of each unit of `layer`, after and before the rectifier. */
async function datasetMaxima(layer: string): Promise<{ ids: string[]; shas: string[]; max: number[][]; pre: number[][]; mean: number[][] }> {
  const ctx = await context();
  const { dataset } = await checkImages(ctx);
  const images = await Promise.all(dataset.map((d) => loadImageTensorData(d.file, model.inputSize[0], { fit: model.preprocess.fit })));
  const x = imageBatch(model, images);
  const rows = async (t: tf.Tensor, reduce = tf.max) => {
    const [n, , , c] = t.shape;
    const m = (await reduce(t, [1, 2]).data()) as Float32Array;
    return Array.from({ length: n }, (_, i) => Array.from(m.subarray(i * c!, (i + 1) * c!)));
  };
  return {
    ids: dataset.map((d) => d.id),
    shas: dataset.map((d) => d.sha256),
    max: await rows(runLayers(model, x, [layer])[layer]),
    pre: await rows(runPreActivations(model, x, [layer])[layer]),
    mean: await rows(runLayers(model, x, [layer])[layer], tf.mean),
  };
}

describe('unit atlas on the tiny gallery', () => {
  it('keeps each unit’s top images exactly as a brute-force sort of every image’s maximum before the rectifier', async () => {
    for (const layer of model.layers.filter((l) => l.spatial)) {
      const stats = JSON.parse(await readFile(path.join(root, 'records', 'unit-stats', 'tiny', `${layer.id}.json`), 'utf8')) as UnitStatsRecord;
      const { ids, shas, max, pre, mean } = await datasetMaxima(layer.id);
      const tie = tieOrder(shas);
      for (const u of stats.units) {
        const brute = topIndices(pre.map((p) => p[u.index]), mean.map((m) => m[u.index]), tie, 9);
        expect(u.top.map((t) => t.image)).toEqual(brute.map((i) => ids[i]));
        expect(u.top.map((t) => t.pre)).toEqual(brute.map((i) => expect.closeTo(pre[i][u.index], 3)));
        expect(u.top.map((t) => t.value)).toEqual(brute.map((i) => expect.closeTo(max[i][u.index], 3)));
      }
    }
  });

  it('crops the receptive field where the activation is: pixels outside the box do not change it, inside they do', async () => {
    const layer = model.layers.filter((l) => l.spatial && !l.receptiveField.global).at(-1)!;
    const stats = JSON.parse(await readFile(path.join(root, 'records', 'unit-stats', 'tiny', `${layer.id}.json`), 'utf8')) as UnitStatsRecord;
    const unit = stats.units.find((u) => u.max > 0)!;
    const top = unit.top[0];
    const ctx = await context();
    const { dataset } = await checkImages(ctx);
    const img = await loadImageTensorData(dataset.find((d) => d.id === top.image)!.file, model.inputSize[0], { fit: model.preprocess.fit });
    const box = unitBox(layer.receptiveField, top.pos![0], top.pos![1], model.inputSize);
    expect(box).toEqual(top.box);
    const [h, w] = model.inputSize;
    const valueWith = async (keep: (y: number, x: number) => boolean) => {
      const data = img.data.map((v, i) => (keep(Math.floor(i / 3 / w), Math.floor(i / 3) % w) ? v : 255 - v));
      const act = runLayers(model, imageBatch(model, [{ ...img, data }]), [layer.id])[layer.id];
      const c = layer.channels;
      return (await act.data())[(top.pos![0] * layer.shape[1] + top.pos![1]) * c + unit.index];
    };
    const inside = (y: number, x: number) => y >= box[0] && y <= box[2] && x >= box[1] && x <= box[3];
    expect(await valueWith(inside)).toBeCloseTo(top.value, 3);
    expect(Math.abs((await valueWith((y, x) => !inside(y, x))) - top.value)).toBeGreaterThan(1e-3);
    expect(h * w).toBeGreaterThan((box[2] - box[0] + 1) * (box[3] - box[1] + 1));
  });

  it('writes feature visualizations, patches, tags, class models and every per-image method', async () => {
    const times = await recordTimes();
    const kinds = (prefix: string) => [...times.keys()].filter((f) => f.startsWith(prefix)).length;
    expect(kinds('atlas/feature-vis/tiny/')).toBeGreaterThan(0);
    expect(kinds('atlas/patches/tiny/')).toBeGreaterThan(0);
    expect(kinds('atlas/tags/tiny/')).toBeGreaterThan(0);
    expect(kinds('atlas/class-models/tiny/')).toBeGreaterThan(0);
    for (const m of ['projections', 'gradcam', 'occlusion', 'deepdream', 'invariance', 'patch-detection']) expect(kinds(`analyses/${m}/tiny/`), m).toBe(3);
  });

  it('a warm run rewrites nothing; changing an occlusion setting redoes only the occlusion records', async () => {
    const before = await recordTimes();
    await runPipeline(await context());
    expect(await recordTimes()).toEqual(before);

    const config = JSON.parse(await readFile(configFile, 'utf8'));
    await writeFile(configFile, JSON.stringify({ ...config, analyses: { occlusion: { pairs: [[60, 30]] } } }));
    await runPipeline(await context());
    const after = await recordTimes();
    const changed = [...after.keys()].filter((f) => after.get(f) !== before.get(f));
    expect(changed.sort()).toEqual([...before.keys()].filter((f) => f.startsWith('analyses/occlusion/')).sort());
    const rec = JSON.parse(await readFile(path.join(root, 'records', changed[0]), 'utf8'));
    expect(rec.sweeps.map((s: { size: number }) => s.size)).toEqual([Math.round((60 * 16) / 224)]);
  });
});
