/**
 * Counts how many rankings of the default gallery are decided by ties, under the output value (as
 * the site used to rank) and under RANKING_RULE (as it ranks now): units whose nine strongest
 * dataset images share one output value; units with an exact tie left in their top 9 (and how many
 * of those respond identically to every image) or in the top 50 their tags are tested on; units
 * whose strongest gallery photo ties with the next.
 * Runs the dataset pass into a scratch directory and the gallery through the model (a few minutes on 2 cores):
 *   npx tsx pipeline/bench/ranking-ties.ts [--config FILE] [--out DIR]
 */
import path from 'node:path';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfiguredModel } from '../model/load-configured-model.ts';
import { pipelineContext } from '../cli/pipeline-context.ts';
import { checkImages } from '../steps/check-images.ts';
import { readDatasetMatrix } from '../steps/dataset-matrix.ts';
import { datasetStats } from '../steps/dataset-stats.ts';
import * as tf from '@tensorflow/tfjs';
import { loadImageTensorData } from '../assets/images.ts';
import { forEachBatch } from '../model/activations.ts';
import { tieOrder, topIndices } from '../methods/ranking.ts';
import { datasetInfo } from '../steps/dataset-images.ts';

const { values: args } = parseArgs({ options: { config: { type: 'string' }, out: { type: 'string' } } });
const out = path.resolve(args.out ?? path.join(os.tmpdir(), 'atlas-ranking-ties'));
const ctx = await pipelineContext({ config: args.config }, { recordsDir: path.join(out, 'records'), publicDir: path.join(out, 'public') });
const { gallery, dataset } = await checkImages(ctx);
const model = await loadConfiguredModel(ctx.config.models[0], ctx.fetchOpts);
const stats = await datasetStats(model, dataset, datasetInfo(ctx)?.id ?? 'dataset', ctx);
if (!stats) throw new Error('no dataset configured');
const pre = await readDatasetMatrix('pre-maxima', model.id, stats.layers[0].key, ctx.config.cacheDir);
const means = await readDatasetMatrix('profiles', model.id, stats.layers[0].key, ctx.config.cacheDir);
const tie = tieOrder(pre!.images.map((id) => dataset.find((d) => d.id === id)!.sha256));

let units = 0;
let allNineTieOutput = 0;
let tiedTop9 = 0;
let tiedTop9Constant = 0;
let tiedTop50 = 0;
for (const layer of stats.layers) {
  const spatial = model.layers.find((l) => l.id === layer.layer)!;
  if (!spatial.spatial || spatial.kind === 'logits') continue;
  for (const u of layer.units) {
    units++;
    // How the rectified output (the old ranking value) ties: all nine strongest images share one value.
    if (u.top.length === 9 && u.top.every((t) => t.value === u.top[0].value)) allNineTieOutput++;
    const col = pre!.column(layer.layer, u.index);
    const mean = means!.column(layer.layer, u.index);
    if (u.ties > 0) {
      tiedTop9++;
      if (col.every((v, i) => v === col[0] && mean[i] === mean[0])) tiedTop9Constant++;
    }
    const top50 = topIndices(col, mean, tie, 50);
    if (top50.some((x, i) => i > 0 && col[x] === col[top50[i - 1]] && mean[x] === mean[top50[i - 1]])) tiedTop50++;
  }
}
console.log(JSON.stringify({ dataset: { units, allNineTieOutput, tiedTop9, tiedTop9Constant, tiedTop50 } }));

// Gallery: is each unit's strongest photo tied with the next, by output and by the value before the rectifier?
const layers = model.layers.filter((l) => l.spatial && l.kind !== 'logits');
const perImage = new Map<string, { post: Float32Array; pre: Float32Array; mean: Float32Array }[]>(layers.map((l) => [l.id, []]));
const load = (start: number, end: number) => Promise.all(gallery.slice(start, end).map((g) => loadImageTensorData(g.file, model.inputSize[0], { fit: model.preprocess.fit })));
await forEachBatch(model, gallery.length, 4, load, layers.map((l) => l.id), async (acts, start, end, pre) => {
  for (const l of layers) {
    const b = end - start;
    const flat = tf.reshape(acts[l.id], [b, -1, l.channels]);
    const reduced = [tf.max(flat, 1), tf.max(tf.reshape(pre[l.id], [b, -1, l.channels]), 1), tf.mean(flat, 1)];
    const [a, p, m] = (await Promise.all(reduced.map((t) => t.data()))) as Float32Array[];
    tf.dispose([flat, ...reduced]);
    const row = (x: Float32Array, i: number) => x.slice(i * l.channels, (i + 1) * l.channels);
    for (let i = 0; i < b; i++) perImage.get(l.id)!.push({ post: row(a, i), pre: row(p, i), mean: row(m, i) });
  }
}, true);
let galleryUnits = 0;
let bestTiedOutput = 0;
let bestTiedRank = 0;
const galleryTie = tieOrder(gallery.map((g) => g.sha256));
for (const l of layers) {
  const imgs = perImage.get(l.id)!;
  for (let k = 0; k < l.channels; k++) {
    galleryUnits++;
    const o = imgs.map((m) => m.post[k]).sort((a, b) => b - a);
    const r = topIndices(imgs.map((m) => m.pre[k]), imgs.map((m) => m.mean[k]), galleryTie, 2);
    if (o[0] === o[1]) bestTiedOutput++;
    if (imgs[r[0]].pre[k] === imgs[r[1]].pre[k] && imgs[r[0]].mean[k] === imgs[r[1]].mean[k]) bestTiedRank++;
  }
}
console.log(JSON.stringify({ gallery: { units: galleryUnits, photos: gallery.length, bestTiedOutput, bestTiedRank } }));
