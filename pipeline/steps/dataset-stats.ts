import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { loadImageTensorData } from '../assets/images.ts';
import { forEachBatch } from '../model/activations.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import type { LayerInfo } from '../model/layers.ts';
import { compareRank, RANKING_RULE, tieOrder, tiedRank, type RankKey } from '../methods/ranking.ts';
import { unitBox } from '../model/receptive-field.ts';
import { freshRecord, writeRecord } from '../records/io.ts';
import { modelEvalSchema, unitStatsSchema, type ModelEvalRecord, type UnitStatsRecord } from '../records/schemas.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { mapLimited } from '../util/map-limited.ts';
import { createProgress } from '../util/progress.ts';
import { classIndexOf, type CheckedImage } from './check-images.ts';
import type { BuildContext } from './context.ts';
import { hasMaps } from './model-record.ts';
import { provenance, stepKey } from './provenance.ts';
import { sig } from '../records/sig.ts';

/**
 * One streamed pass of the dataset through the model. Per unit of every layer: mean and max
 * activation, how often it fires, its 9 strongest images (with position and receptive-field box,
 * for the top-9 patches a later step renders) and its most similar units in the layer (Pearson
 * correlation of per-image mean activations). Also the model's top-1/top-5 accuracy, and compact
 * per-image matrices (kept in the cache) that later steps (tags, t-SNE, neighbours) can reuse.
 * "Strongest" follows RANKING_RULE: the maximum before the rectifier, so units capped by ReLU6 do
 * not tie.
 */

const CODE_VERSION = 3;
/** Bins of each unit's histogram of per-image maximum activations. */
const BINS = 24;
const BATCH = 16;
const TOP = 9;
const NEIGHBOURS = 8;

interface Accumulator {
  layer: LayerInfo;
  c: number;
  w: number;
  sumMean: Float64Array;
  max: Float32Array;
  /** Largest value before the rectifier. */
  preMax: Float32Array;
  active: Int32Array;
  /** Per unit, the TOP images by RANKING_RULE: value before the rectifier (topPre), map mean (topMean), output there (topVal). */
  topPre: Float32Array;
  topMean: Float32Array;
  topVal: Float32Array;
  topImg: Int32Array;
  topPos: Int32Array;
  /** [images, c]: spatial mean per image. */
  profile: Float32Array;
  /** [images, c]: spatial max per image (histograms). */
  maxima: Float32Array;
  /** [images, c]: spatial max before the rectifier per image (which images a unit prefers, for tags). */
  preMaxima: Float32Array;
}

export interface DatasetStatsResult {
  layers: UnitStatsRecord[];
  eval: ModelEvalRecord;
}

export async function datasetStats(model: AtlasModel, dataset: CheckedImage[], datasetId: string, ctx: BuildContext): Promise<DatasetStatsResult | null> {
  if (dataset.length === 0) return null;
  const fit = model.preprocess.fit;
  const params = { batch: BATCH, top: TOP, neighbours: NEIGHBOURS, similarity: 'pearson correlation of per-image spatial means', ranking: RANKING_RULE };
  const key = stepKey('unit-stats', CODE_VERSION, {
    model: model.contentHash ?? model.id,
    dataset: datasetId,
    images: dataset.map((d) => [d.id, d.sha256, d.classIndex ?? null, d.className ?? null]),
    fit,
    params,
  });
  const layerFile = (l: LayerInfo) => path.join(ctx.recordsDir, 'unit-stats', model.id, `${l.id}.json`);
  const evalFile = path.join(ctx.recordsDir, 'model-eval', `${model.id}.json`);
  const cachedLayers = await Promise.all(model.layers.map((l) => freshRecord(layerFile(l), unitStatsSchema, key)));
  const cachedEval = await freshRecord(evalFile, modelEvalSchema, key);
  if (cachedEval && cachedLayers.every(Boolean)) {
    ctx.log.info(`${model.id}: dataset statistics cached (${dataset.length} images)`);
    return { layers: cachedLayers as UnitStatsRecord[], eval: cachedEval };
  }

  const startedAt = performance.now();
  const n = dataset.length;
  const accs: Accumulator[] = model.layers.map((layer) => {
    const c = layer.channels;
    return {
      layer,
      c,
      w: layer.spatial ? layer.shape[1] : 1,
      sumMean: new Float64Array(c),
      max: new Float32Array(c).fill(-Infinity),
      preMax: new Float32Array(c).fill(-Infinity),
      active: new Int32Array(c),
      topPre: new Float32Array(c * TOP).fill(-Infinity),
      topMean: new Float32Array(c * TOP),
      topVal: new Float32Array(c * TOP).fill(-Infinity),
      topImg: new Int32Array(c * TOP).fill(-1),
      topPos: new Int32Array(c * TOP),
      profile: new Float32Array(n * c),
      maxima: new Float32Array(n * c),
      preMaxima: new Float32Array(n * c),
    };
  });
  const logitsAcc = accs.find((a) => a.layer.kind === 'logits');
  const truth = dataset.map((d) => classIndexOf(d, model));
  const tie = tieOrder(dataset.map((d) => d.sha256));
  let scored = 0;
  let top1 = 0;
  let top5 = 0;

  const load = (start: number, end: number) =>
    mapLimited(dataset.slice(start, end), 4, (d) => loadImageTensorData(d.file, model.inputSize[0], { fit }));
  const progress = createProgress({ label: `${model.id} dataset statistics`, total: n, noun: 'images' });
  await forEachBatch(model, n, BATCH, load, accs.map((a) => a.layer.id), async (acts, start, end, pre) => {
    const b = end - start;
    const reduced = tf.tidy(() =>
      accs.map((a) => {
        const flat = tf.reshape(acts[a.layer.id], [b, -1, a.c]);
        const flatPre = tf.reshape(pre[a.layer.id], [b, -1, a.c]);
        // The rectifier is monotone, so the position of the largest value before it also holds the largest output.
        return [tf.max(flat, 1), tf.mean(flat, 1), tf.max(flatPre, 1), tf.argMax(flatPre, 1)];
      }),
    );
    const host = await Promise.all(reduced.map((r) => Promise.all(r.map((t) => t.data()))));
    tf.dispose(reduced.flat());
    accs.forEach((a, li) => {
      const [mx, mean, preMx, arg] = host[li] as [Float32Array, Float32Array, Float32Array, Int32Array];
      accumulate(a, start, b, { mx, mean, preMx, arg }, tie);
    });
    if (logitsAcc) {
      const mean = host[accs.indexOf(logitsAcc)][1] as Float32Array;
      for (let i = 0; i < b; i++) {
        const t = truth[start + i];
        if (t < 0) continue;
        scored++;
        const row = mean.subarray(i * logitsAcc.c, (i + 1) * logitsAcc.c);
        let above = 0;
        for (let j = 0; j < row.length; j++) if (row[j] > row[t]) above++;
        if (above === 0) top1++;
        if (above < 5) top5++;
      }
    }
    progress.tick(b);
  }, true);
  progress.finish();

  const prov = (layer?: string) =>
    provenance(ctx, { method: 'unit-stats', codeVersion: CODE_VERSION, params: { ...params, dataset: datasetId }, model: model.id, layer, startedAt });
  const layers: UnitStatsRecord[] = [];
  for (const a of accs) {
    const neighbours = similarUnits(a.profile, n, a.c);
    const spatial = hasMaps(a.layer);
    const units: UnitStatsRecord['units'] = [];
    for (let k = 0; k < a.c; k++) {
      const top: UnitStatsRecord['units'][number]['top'] = [];
      let ties = 0;
      for (let j = 0; j < TOP; j++) {
        const img = a.topImg[k * TOP + j];
        if (img < 0) break;
        if (j > 0 && tiedRank(rankAt(a, k * TOP + j, tie), rankAt(a, k * TOP + j - 1, tie))) ties++;
        const entry: (typeof top)[number] = { image: dataset[img].id, value: sig(a.topVal[k * TOP + j]), pre: sig(a.topPre[k * TOP + j]) };
        if (spatial) {
          const p = a.topPos[k * TOP + j];
          const [y, xx] = [Math.floor(p / a.w), p % a.w];
          entry.pos = [y, xx];
          entry.box = unitBox(a.layer.receptiveField, y, xx, model.inputSize);
        }
        top.push(entry);
      }
      units.push({ index: k, mean: sig(a.sumMean[k] / n), max: sig(a.max[k]), preMax: sig(a.preMax[k]), ties, active: sig(a.active[k] / n, 3), top, neighbours: neighbours[k], histogram: histogram(a, k, n) });
    }
    layers.push(
      await writeRecord(layerFile(a.layer), unitStatsSchema, { model: model.id, layer: a.layer.id, dataset: datasetId, count: n, units, key, provenance: prov(a.layer.id) }),
    );
  }
  await writeMatrix('profiles', (a) => a.profile, model, dataset, accs, key, ctx);
  await writeMatrix('pre-maxima', (a) => a.preMaxima, model, dataset, accs, key, ctx);
  const evalRecord = await writeRecord(evalFile, modelEvalSchema, {
    model: model.id,
    dataset: datasetId,
    count: n,
    scored,
    top1: scored ? sig(top1 / scored) : null,
    top5: scored ? sig(top5 / scored) : null,
    key,
    provenance: prov(),
  });
  return { layers, eval: evalRecord };
}

interface BatchReductions {
  /** [b, c] spatial max, spatial mean, spatial max before the rectifier and where it is. */
  mx: Float32Array;
  mean: Float32Array;
  preMx: Float32Array;
  arg: Int32Array;
}

function rankAt(a: Accumulator, slot: number, tie: Int32Array): RankKey {
  return { value: a.topPre[slot], mean: a.topMean[slot], tie: tie[a.topImg[slot]] };
}

/** Adds a batch to the running statistics; each unit's top list is kept sorted by RANKING_RULE. */
function accumulate(a: Accumulator, start: number, b: number, r: BatchReductions, tie: Int32Array): void {
  const { c } = a;
  const { mx, mean, preMx, arg } = r;
  for (let i = 0; i < b; i++) {
    const img = start + i;
    a.profile.set(mean.subarray(i * c, (i + 1) * c), img * c);
    a.maxima.set(mx.subarray(i * c, (i + 1) * c), img * c);
    a.preMaxima.set(preMx.subarray(i * c, (i + 1) * c), img * c);
    for (let k = 0; k < c; k++) {
      const v = mx[i * c + k];
      const p = preMx[i * c + k];
      a.sumMean[k] += mean[i * c + k];
      if (v > a.max[k]) a.max[k] = v;
      if (p > a.preMax[k]) a.preMax[k] = p;
      if (v > 0) a.active[k]++;
      const base = k * TOP;
      const key: RankKey = { value: p, mean: mean[i * c + k], tie: tie[img] };
      const above = (slot: number) => a.topImg[slot] < 0 || compareRank(key, rankAt(a, slot, tie)) < 0;
      if (!above(base + TOP - 1)) continue;
      let j = TOP - 1;
      while (j > 0 && above(base + j - 1)) {
        a.topPre[base + j] = a.topPre[base + j - 1];
        a.topMean[base + j] = a.topMean[base + j - 1];
        a.topVal[base + j] = a.topVal[base + j - 1];
        a.topImg[base + j] = a.topImg[base + j - 1];
        a.topPos[base + j] = a.topPos[base + j - 1];
        j--;
      }
      a.topPre[base + j] = p;
      a.topMean[base + j] = key.mean;
      a.topVal[base + j] = v;
      a.topImg[base + j] = img;
      a.topPos[base + j] = arg[i * c + k];
    }
  }
}

/** Each unit's most correlated units (over images), strongest first; none for constant units. */
function similarUnits(profile: Float32Array, n: number, c: number): { unit: number; similarity: number }[][] {
  if (c < 2 || n < 2) return Array.from({ length: c }, () => []);
  const k = Math.min(NEIGHBOURS + 1, c);
  const [values, indices] = tf.tidy(() => {
    const p = tf.tensor2d(profile, [n, c]);
    const centred = tf.sub(p, tf.mean(p, 0));
    const norm = tf.sqrt(tf.sum(tf.square(centred), 0));
    const z = tf.div(centred, tf.maximum(norm, 1e-12));
    const corr = tf.matMul(z, z, true, false);
    const top = tf.topk(corr, k);
    return [top.values, top.indices];
  });
  const v = values.dataSync();
  const idx = indices.dataSync();
  tf.dispose([values, indices]);
  const out: { unit: number; similarity: number }[][] = [];
  for (let u = 0; u < c; u++) {
    const list: { unit: number; similarity: number }[] = [];
    for (let j = 0; j < k; j++) {
      const other = idx[u * k + j];
      const s = v[u * k + j];
      if (other !== u && s > 1e-6 && list.length < NEIGHBOURS) list.push({ unit: other, similarity: sig(s, 3) });
    }
    out.push(list);
  }
  return out;
}

/** Histogram of a unit's per-image maximum over the dataset, from 0 (or below) to its largest value. */
function histogram(a: Accumulator, k: number, n: number): { lo: number; hi: number; counts: number[] } {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const v = a.maxima[i * a.c + k];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const counts = new Array(BINS).fill(0);
  const width = (hi - lo) / BINS || 1;
  for (let i = 0; i < n; i++) counts[Math.min(BINS - 1, Math.floor((a.maxima[i * a.c + k] - lo) / width))]++;
  return { lo: sig(lo), hi: sig(hi), counts };
}

/** Spatial mean of each output map; spatial max before the rectifier (what rankings compare). */
export type DatasetMatrixKind = 'profiles' | 'pre-maxima';

/** Per-image statistic of every unit ([layer][image][unit] float32) plus a JSON header, in the derived cache. */
export function datasetMatrixFile(kind: DatasetMatrixKind, modelId: string, key: string, cacheDir: string): string {
  return path.join(cacheDir, 'derived', modelId, `dataset-${kind}-${key.slice(0, 16)}`);
}

async function writeMatrix(
  kind: DatasetMatrixKind,
  pick: (a: Accumulator) => Float32Array,
  model: AtlasModel,
  dataset: CheckedImage[],
  accs: Accumulator[],
  key: string,
  ctx: BuildContext,
): Promise<void> {
  let offset = 0;
  const layers = accs.map((a) => {
    const entry = { id: a.layer.id, channels: a.c, offset };
    offset += a.c * dataset.length;
    return entry;
  });
  const all = new Float32Array(offset);
  accs.forEach((a, i) => all.set(pick(a), layers[i].offset));
  const base = datasetMatrixFile(kind, model.id, key, ctx.config.cacheDir);
  await writeFileAtomic(`${base}.f32`, new Uint8Array(all.buffer));
  await writeFileAtomic(`${base}.json`, JSON.stringify({ key, images: dataset.map((d) => d.id), layout: '[layer][image][unit] float32', layers }));
}
