import path from 'node:path';
import sharp from 'sharp';
import { atlasLayers } from '../atlas/select-units.ts';
import { RANKING_RULE, tieOrder, topIndices } from '../methods/ranking.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import { ATLAS_KINDS, type FeatureVisRecord, type UnitPatchesRecord } from '../records/atlas-schemas.ts';
import { freshRecord, fromSiteSrc, publicPaths, readRecord, writeRecord } from '../records/io.ts';
import type { UnitStatsRecord } from '../records/schemas.ts';
import { unitTags, type RgbImage } from '../tags/unit-tags.ts';
import { classIndexOf, type CheckedImage } from './check-images.ts';
import { imagenetGroups } from '../tags/imagenet-groups.ts';
import type { BuildContext } from './context.ts';
import { readDatasetMatrix, type DatasetMatrix } from './dataset-matrix.ts';
import { provenance, stepKey } from './provenance.ts';
import { sig } from '../records/sig.ts';
import { atlasRecordFile } from './unit-atlas.ts';

/**
 * Searchable tags for every unit of every layer, each with its evidence: ImageNet classes
 * over-represented among the unit's top dataset images (all units), and colour / orientation /
 * frequency words from its feature visualization and top patches (units that have them).
 */

const CODE_VERSION = 3;
/** Images per unit whose classes are tested for over-representation (ranked by RANKING_RULE). */
const TOP_IMAGES = 50;

async function readRgb(file: string, region?: { left: number; top: number; width: number; height: number }): Promise<RgbImage> {
  let img = sharp(file).removeAlpha();
  if (region) img = img.extract(region);
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), w: info.width, h: info.height };
}

async function patchImages(rec: UnitPatchesRecord, ctx: BuildContext): Promise<RgbImage[]> {
  const file = fromSiteSrc(publicPaths(ctx.publicDir), rec.sheet.src);
  const [th, tw] = rec.sheet.tile;
  return Promise.all(rec.items.map((_, i) => readRgb(file, { left: (i % rec.sheet.cols) * tw, top: Math.floor(i / rec.sheet.cols) * th, width: tw, height: th })));
}

interface LayerEvidence {
  vis: Map<number, FeatureVisRecord>;
  patches: Map<number, UnitPatchesRecord>;
}

async function layerEvidence(model: AtlasModel, layer: string, channels: number, ctx: BuildContext): Promise<LayerEvidence> {
  const vis = new Map<number, FeatureVisRecord>();
  const patches = new Map<number, UnitPatchesRecord>();
  for (let u = 0; u < channels; u++) {
    const v = await readRecord(atlasRecordFile(ctx.recordsDir, 'featureVis', model.id, layer, u), ATLAS_KINDS.featureVis.schema);
    if (v) vis.set(u, v);
    const p = await readRecord(atlasRecordFile(ctx.recordsDir, 'unitPatches', model.id, layer, u), ATLAS_KINDS.unitPatches.schema);
    if (p) patches.set(u, p);
  }
  return { vis, patches };
}

export async function unitTagsStep(model: AtlasModel, dataset: CheckedImage[], stats: Map<string, UnitStatsRecord>, ctx: BuildContext): Promise<void> {
  const first = [...stats.values()][0];
  const maxima: DatasetMatrix | null = first ? await readDatasetMatrix('pre-maxima', model.id, first.key, ctx.config.cacheDir) : null;
  const classOf = new Map(dataset.map((d) => [d.id, classIndexOf(d, model)]));
  const imageClasses = maxima ? maxima.images.map((id) => classOf.get(id) ?? -1) : [];
  const shaOf = new Map(dataset.map((d) => [d.id, d.sha256]));
  const tie = tieOrder(maxima ? maxima.images.map((id) => shaOf.get(id) ?? id) : []);
  const means: DatasetMatrix | null = first ? await readDatasetMatrix('profiles', model.id, first.key, ctx.config.cacheDir) : null;
  // Coarse ImageNet groups in this model's class order (by WordNet id when the order is not the standard one).
  const groups = imagenetGroups(model.labels, model.wnids);
  const counts = new Array(model.labels.length).fill(0);
  for (const c of imageClasses) if (c >= 0) counts[c]++;
  let tagged = 0;
  let cached = 0;
  for (const layer of atlasLayers(model)) {
    const ev = await layerEvidence(model, layer.id, layer.channels, ctx);
    const key = stepKey('unit-tags', CODE_VERSION, {
      model: model.contentHash ?? model.id,
      stats: stats.get(layer.id)?.key ?? null,
      vis: [...ev.vis.values()].map((v) => v.key),
      patches: [...ev.patches.values()].map((p) => p.key),
    });
    const file = path.join(ctx.recordsDir, 'atlas', 'tags', model.id, `${layer.id}.json`);
    if (await freshRecord(file, ATLAS_KINDS.unitTags.schema, key)) {
      cached++;
      continue;
    }
    const startedAt = performance.now();
    const units = [];
    for (let u = 0; u < layer.channels; u++) {
      const top = maxima?.has(layer.id) && means?.has(layer.id) ? topIndices(maxima.column(layer.id, u), means.column(layer.id, u), tie, TOP_IMAGES).map((i) => imageClasses[i]).filter((c) => c >= 0) : [];
      const v = ev.vis.get(u);
      const p = ev.patches.get(u);
      const sources = [top.length ? `classes of the top ${top.length} dataset images (by the maximum before the rectifier)` : '', v ? 'feature visualization' : '', p ? 'top-9 patches' : ''].filter(Boolean);
      const tags = unitTags({
        topImageClasses: top,
        datasetClassCounts: counts,
        labels: model.labels,
        featureVis: v ? await readRgb(fromSiteSrc(publicPaths(ctx.publicDir), v.image.src)) : undefined,
        patches: p ? await patchImages(p, ctx) : undefined,
      }, { enrichment: { groups } });
      if (tags.length) tagged++;
      units.push({ unit: u, tags: tags.map((t) => ({ ...t, score: sig(t.score, 3) })), sources });
    }
    const prov = provenance(ctx, { method: 'unit tags', codeVersion: CODE_VERSION, params: { topImages: TOP_IMAGES, ranking: RANKING_RULE }, model: model.id, layer: layer.id, startedAt });
    await writeRecord(file, ATLAS_KINDS.unitTags.schema, { model: model.id, layer: layer.id, units, key, provenance: prov });
  }
  ctx.log.info(`${model.id}: unit tags ${cached ? `(${cached} layers cached) ` : ''}${tagged ? `— ${tagged} newly tagged units` : ''}`);
}
