/**
 * Rankings of images by a unit follow the value before the rectifier. A tiny model whose unit 1 is
 * 10·R through ReLU6 reads exactly 6 on every test image (R from 211 to 255), so the outputs all tie;
 * the images are written weakest first, so a ranking that fell back on file order would list them
 * backwards. The dataset pass (top-9, the matrix the tags rank by), the gallery pass (strongest
 * photo, its ranking, the layer's strongest unit) and the home page's striking units must all
 * follow R. Unit 0 (10·G, G = 230 everywhere) is capped too and ties exactly even before the cap.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strikingUnits } from '../pipeline/atlas/striking-units.ts';
import { initBackend } from '../pipeline/engine/backend.ts';
import { tieOrder, topIndices } from '../pipeline/methods/ranking.ts';
import type { AtlasModel } from '../pipeline/model/atlas-model.ts';
import type { CheckedImage } from '../pipeline/steps/check-images.ts';
import type { BuildContext } from '../pipeline/steps/context.ts';
import { readDatasetMatrix } from '../pipeline/steps/dataset-matrix.ts';
import { datasetStats } from '../pipeline/steps/dataset-stats.ts';
import { galleryActivations } from '../pipeline/steps/gallery-activations.ts';
import { silentLog } from '../pipeline/util/log.ts';
import { tinyAtlas } from './helpers/tiny-models.ts';

const REDS = Array.from({ length: 12 }, (_, i) => 211 + 4 * i); // written weakest first
let root = '';
let ctx: BuildContext;
let model: AtlasModel;
let images: CheckedImage[];

/** conv 1x1 (unit 0 = 10·G, unit 1 = 10·R, in MobileNet's [−1, 1] input) → ReLU6 → global pool → dense. */
function cappedModel(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3], name: 'image' });
  let x = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'c' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu6', name: 'c_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 3, name: 'logits' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.activation({ activation: 'softmax', name: 'probs' }).apply(x) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  m.getLayer('c').setWeights([tf.tensor4d([0, 10, 10, 0, 0, 0], [1, 1, 3, 2]), tf.zeros([2])]);
  m.getLayer('logits').setWeights([tf.ones([2, 3]), tf.zeros([3])]);
  return m;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'atlas-capped-'));
  const backend = await initBackend('wasm');
  ctx = {
    config: { cacheDir: path.join(root, 'cache') },
    backend,
    recordsDir: path.join(root, 'records'),
    publicDir: path.join(root, 'public', 'generated'),
    log: silentLog,
  } as unknown as BuildContext;
  model = tinyAtlas(cappedModel(), 'capped');
  images = [];
  for (const [i, r] of REDS.entries()) {
    const file = path.join(root, `red-${String(i).padStart(2, '0')}.png`);
    await sharp({ create: { width: 16, height: 16, channels: 3, background: { r, g: 230, b: 40 } } }).png().toFile(file);
    images.push({ id: `red-${i}`, file, sha256: createHash('sha256').update(await readFile(file)).digest('hex'), source: 'user' });
  }
}, 60_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const byRedDesc = () => [...images.keys()].sort((a, b) => REDS[b] - REDS[a]).map((i) => images[i].id);

describe('rankings of a capped unit follow the value before the cap', () => {
  it('every output is at the cap: the test really has ties', async () => {
    const stats = await datasetStats(model, images, 'reds', ctx);
    const u = stats!.layers.find((l) => l.layer === 'c')!.units[1];
    expect(u.top.map((t) => t.value)).toEqual(Array(9).fill(6));
    expect(u.max).toBe(6);
  });

  it('top-9 dataset images are ordered by the pre-cap value, with it recorded', async () => {
    const stats = await datasetStats(model, images, 'reds', ctx);
    const u = stats!.layers.find((l) => l.layer === 'c')!.units[1];
    expect(u.top.map((t) => t.image)).toEqual(byRedDesc().slice(0, 9));
    // pre = 10·(R/127.5 − 1), strictly decreasing down the list
    for (const t of u.top) expect(t.pre).toBeCloseTo(10 * (REDS[images.findIndex((d) => d.id === t.image)] / 127.5 - 1), 2);
    expect(u.preMax).toBeCloseTo(10 * (255 / 127.5 - 1), 2);
    const tied = stats!.layers.find((l) => l.layer === 'c')!.units[0];
    expect(tied.ties).toBe(8);
    expect(u.ties).toBe(0);
    expect(tied.top.map((t) => t.image)).toEqual([...images].sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1)).map((d) => d.id).slice(0, 9));
  });

  it('the per-image matrix the tags rank by holds the pre-cap maxima', async () => {
    const stats = await datasetStats(model, images, 'reds', ctx);
    const m = await readDatasetMatrix('pre-maxima', model.id, stats!.layers[0].key, ctx.config.cacheDir);
    const means = await readDatasetMatrix('profiles', model.id, stats!.layers[0].key, ctx.config.cacheDir);
    const tie = tieOrder(m!.images.map((id) => images.find((d) => d.id === id)!.sha256));
    expect(topIndices(m!.column('c', 1), means!.column('c', 1), tie, 12).map((i) => m!.images[i])).toEqual(byRedDesc());
  });

  it('the strongest gallery photo, the gallery ranking and the striking unit follow the pre-cap value', async () => {
    const { layers, images: maps } = await galleryActivations(model, images, ctx);
    const view = layers.find((l) => l.layer === 'c')!;
    const u = view.units[1];
    expect(u.imageMax).toEqual(Array(images.length).fill(6));
    expect(u.bestImage).toBe(byRedDesc()[0]);
    expect(u.ranking.map((i) => view.images[i])).toEqual(byRedDesc());
    // Both units read 6 on the reddest photo; before the cap unit 1 (10·R = 10) beats unit 0 (10·G ≈ 8.04).
    const reddest = maps.find((r) => r.image === byRedDesc()[0])!.layers.find((l) => l.layer === 'c')!;
    expect([reddest.maxUnit, reddest.max]).toEqual([1, 6]);
    const striking = strikingUnits(['c'], new Map([['c', view]]), 1);
    expect(striking[0]).toMatchObject({ unit: 1, image: byRedDesc()[0] });
    // Unit 0 ties exactly before the cap too: its ranking goes by SHA-256.
    const bySha = [...images].sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1)).map((d) => d.id);
    expect(view.units[0].ranking.map((i) => view.images[i])).toEqual(bySha);
  });
});

describe('the tie rule', () => {
  it('breaks exact ties by the map mean, then by SHA-256, not by input order', () => {
    const values = [1, 3, 3, 2, 3];
    const flat = [0, 0, 0, 0, 0];
    const tie = tieOrder(['e', 'd', 'a', 'c', 'b']);
    expect(topIndices(values, flat, tie, 4)).toEqual([2, 4, 1, 3]);
    expect(topIndices(values.slice().reverse(), flat, tieOrder(['b', 'c', 'a', 'd', 'e']), 4)).toEqual([2, 0, 3, 1]);
    expect(topIndices(values, [0, 0.1, 0.5, 0, 0.2], tie, 4)).toEqual([2, 4, 1, 3]);
    expect(topIndices(values, [0, 0.9, 0.5, 0, 0.2], tie, 4)).toEqual([1, 2, 4, 3]);
  });
});
