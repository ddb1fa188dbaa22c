/**
 * Counts how many rankings of the default gallery are decided by ties, before (output values, as
 * the site used to rank) and after (values before the rectifier, as it ranks now): units whose
 * nine strongest dataset images share one value, units with any tie inside their top 9 or the top
 * 50 their tags are tested on, and units whose strongest gallery photo is tied with the next.
 * Runs the dataset and gallery passes into a scratch directory (a few minutes on 2 cores):
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
import { galleryActivations } from '../steps/gallery-activations.ts';
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
const tie = tieOrder(pre!.images.map((id) => dataset.find((d) => d.id === id)!.sha256));

const hasTie = (v: number[]) => v.some((x, i) => i > 0 && x === v[i - 1]);
let units = 0;
let allNineTieOutput = 0;
let allNineTiePre = 0;
let anyTieTop9Pre = 0;
let anyTieTop50Pre = 0;
for (const layer of stats.layers) {
  const spatial = model.layers.find((l) => l.id === layer.layer)!;
  if (!spatial.spatial || spatial.kind === 'logits') continue;
  for (const u of layer.units) {
    units++;
    if (u.top.length === 9 && u.top.every((t) => t.value === u.top[0].value)) allNineTieOutput++;
    if (u.top.length === 9 && u.top.every((t) => t.pre === u.top[0].pre)) allNineTiePre++;
    if (hasTie(u.top.map((t) => t.pre))) anyTieTop9Pre++;
    // unrounded values: the matrix the tags rank by
    const col = pre!.column(layer.layer, u.index);
    if (hasTie(topIndices(col, tie, 50).map((i) => col[i]))) anyTieTop50Pre++;
  }
}
const views = (await galleryActivations(model, gallery, ctx)).layers;
let bestTiedOutput = 0;
let bestTiedPre = 0;
let viewUnits = 0;
for (const v of views) {
  for (const u of v.units) {
    viewUnits++;
    const o = [...u.imageMax].sort((a, b) => b - a);
    if (o[0] === o[1]) bestTiedOutput++;
    const p = u.ranking.map((i) => u.imagePreMax[i]);
    if (p[0] === p[1]) bestTiedPre++;
  }
}
console.log(JSON.stringify({ units, allNineTieOutput, allNineTiePre, anyTieTop9Pre, anyTieTop50Pre, viewUnits, bestTiedOutput, bestTiedPre }));
