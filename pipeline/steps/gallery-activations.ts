import * as tf from '@tensorflow/tfjs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { loadImageTensorData } from '../assets/images.ts';
import { DEFAULT_COLORMAP } from '../imaging/colormap.ts';
import { channelStats, ColorGrid, quantizeChannels, reduceMap, sheetColumns, tileGeometry, writeWebp, type ChannelStats } from '../imaging/maps.ts';
import { forEachBatch } from '../model/activations.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import type { LayerInfo } from '../model/layers.ts';
import { RANKING_RULE, tieOrder, topIndices } from '../methods/ranking.ts';
import { unitBox } from '../model/receptive-field.ts';
import { freshRecord, fromSiteSrc, publicPaths, toSiteSrc, writeRecord, type PublicPaths } from '../records/io.ts';
import {
  imageMapsSchema,
  sheetIndexSchema,
  unitViewsSchema,
  type ImageMapsRecord,
  type LayerMaps,
  type Prediction,
  type UnitViewsRecord,
} from '../records/schemas.ts';
import { mapLimited } from '../util/map-limited.ts';
import { createProgress } from '../util/progress.ts';
import type { CheckedImage } from './check-images.ts';
import type { BuildContext } from './context.ts';
import { mapLayers } from './model-record.ts';
import { provenance, stepKey } from './provenance.ts';
import { sig } from '../records/sig.ts';

/**
 * Everything the site shows of the gallery photos going through one model, from one forward pass
 * per photo:
 *  - per (image, layer): one sprite sheet of all the layer's feature maps (each normalised to its own
 *    range) with a JSON index of per-channel min/max/mean; plus the image's top-5 predictions;
 *  - per (layer, unit): its gallery-wide ranking and strongest response (unit pages cut the unit's
 *    tile from each photo's sheet by CSS rather than from a strip file per unit: ~8,000 fewer files);
 *  - per layer: a sheet of each unit's strongest map (the layer page grid) and a small preview row.
 * Image records are keyed per image, layer records on the whole gallery; only stale ones are redone.
 */

/** Sheets (image-maps) and unit views are versioned apart: dropping the strips left the sheets unchanged. */
const SHEET_CODE_VERSION = 3;
const CODE_VERSION = 4;
const COLORMAP = DEFAULT_COLORMAP;
/** Feature-map tiles on image pages: at least 56 px, sheets at most 1008 px wide (the page column). */
const SHEET = { target: 56, maxWidth: 1008 };
/** Layer page grid tiles, and the model page preview row. */
const THUMB = { target: 56, cols: 32 };
const PREVIEW = { target: 56, units: 8 };
const BATCH = 4;
const TOP_K = 5;

interface LayerActs {
  stats: ChannelStats;
  /** Channel-major 8-bit maps, each scaled to its own [min, max]. */
  u8: Uint8Array;
  /** Per channel, the largest value before the rectifier and where it is (rankings compare these). */
  preMax: Float32Array;
  preArgmax: Int32Array;
}

interface ImageActs {
  predictions: Prediction[];
  layers: Map<string, LayerActs>;
}

export interface GalleryActivationsResult {
  images: ImageMapsRecord[];
  layers: UnitViewsRecord[];
}

export async function galleryActivations(model: AtlasModel, gallery: CheckedImage[], ctx: BuildContext): Promise<GalleryActivationsResult> {
  const layers = mapLayers(model);
  const fit = model.preprocess.fit;
  const pub = publicPaths(ctx.publicDir);
  const modelHash = model.contentHash ?? model.id;
  const sheetParams = { sheet: SHEET, colormap: COLORMAP, topK: TOP_K, layers: layers.map((l) => l.id), ranking: 'value before the rectifier; ties: map mean, then lower unit' };
  const unitParams = { thumb: THUMB, preview: PREVIEW, colormap: COLORMAP, ranking: RANKING_RULE };
  const imageKeys = gallery.map((g) => stepKey('image-maps', SHEET_CODE_VERSION, { model: modelHash, image: g.sha256, fit, params: sheetParams }));
  const galleryIds = gallery.map((g) => [g.id, g.sha256]);
  const layerKeys = layers.map((l) => stepKey('unit-views', CODE_VERSION, { model: modelHash, layer: l.id, images: galleryIds, fit, params: unitParams }));

  const imageFile = (g: CheckedImage) => path.join(ctx.recordsDir, 'image-maps', model.id, `${g.id}.json`);
  const layerFile = (l: LayerInfo) => path.join(ctx.recordsDir, 'unit-views', model.id, `${l.id}.json`);
  const images: (ImageMapsRecord | undefined)[] = await Promise.all(
    gallery.map((g, i) =>
      freshRecord(imageFile(g), imageMapsSchema, imageKeys[i], (r) => r.layers.flatMap((l) => [fromSiteSrc(pub, l.sheet.src), fromSiteSrc(pub, l.index)])),
    ),
  );
  const views: (UnitViewsRecord | undefined)[] = await Promise.all(
    layers.map((l, i) => freshRecord(layerFile(l), unitViewsSchema, layerKeys[i], (r) => [fromSiteSrc(pub, r.thumbs.src), fromSiteSrc(pub, r.preview.src)])),
  );
  const staleImages = gallery.map((_, i) => i).filter((i) => !images[i]);
  const staleLayers = layers.map((_, i) => i).filter((i) => !views[i]);
  if (!staleImages.length && !staleLayers.length) {
    ctx.log.info(`${model.id}: gallery feature maps cached (${gallery.length} images, ${layers.length} layers)`);
    return { images: images as ImageMapsRecord[], layers: views as UnitViewsRecord[] };
  }

  const startedAt = performance.now();
  const acts = await forwardGallery(model, gallery, layers);
  const forwardMs = performance.now() - startedAt;

  const sheetProgress = createProgress({ label: `${model.id} feature-map sheets`, total: staleImages.length * layers.length, noun: 'sheets' });
  for (const i of staleImages) {
    const t0 = performance.now();
    const g = gallery[i];
    const layerMaps: LayerMaps[] = [];
    const dir = path.join(pub.dir, 'maps', model.id, g.id);
    await mapLimited(layers, 2, async (layer, li) => {
      layerMaps[li] = await writeLayerSheet(model, g, layer, acts[i].layers.get(layer.id)!, dir, imageKeys[i], pub);
      sheetProgress.tick();
    });
    await pruneDir(dir, new Set(layerMaps.flatMap((l) => [path.basename(l.sheet.src), path.basename(l.index)])));
    images[i] = await writeRecord(imageFile(g), imageMapsSchema, {
      model: model.id,
      image: g.id,
      fit,
      predictions: acts[i].predictions,
      layers: layerMaps,
      key: imageKeys[i],
      provenance: provenance(ctx, { method: 'feature-maps', codeVersion: SHEET_CODE_VERSION, params: sheetParams, model: model.id, image: g.id, startedAt: t0 - forwardMs / gallery.length }),
    });
  }
  sheetProgress.finish();

  const unitCount = staleLayers.reduce((s, li) => s + layers[li].channels, 0);
  const unitProgress = createProgress({ label: `${model.id} unit views`, total: unitCount, noun: 'units' });
  for (const li of staleLayers) {
    const t0 = performance.now();
    const view = await writeUnitViews(model, gallery, layers[li], acts, layerKeys[li], pub, (n) => unitProgress.tick(n));
    views[li] = await writeRecord(layerFile(layers[li]), unitViewsSchema, {
      ...view,
      provenance: provenance(ctx, { method: 'unit-views', codeVersion: CODE_VERSION, params: unitParams, model: model.id, layer: layers[li].id, startedAt: t0 }),
    });
  }
  unitProgress.finish();
  return { images: images as ImageMapsRecord[], layers: views as UnitViewsRecord[] };
}

/** Removes files in `dir` left over from earlier keys. */
async function pruneDir(dir: string, keep: Set<string>): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(entries.filter((e) => !keep.has(e) && !e.startsWith('.')).map((e) => rm(path.join(dir, e), { recursive: true, force: true })));
}

/** One forward pass per batch of photos (decoding the next batch meanwhile); keeps per-layer statistics and 8-bit maps, frees the tensors. */
async function forwardGallery(model: AtlasModel, gallery: CheckedImage[], layers: LayerInfo[]): Promise<ImageActs[]> {
  const logitsLayer = model.layers.find((l) => l.kind === 'logits');
  const ids = [...layers.map((l) => l.id), ...(logitsLayer ? [logitsLayer.id] : [])];
  const out: ImageActs[] = [];
  const progress = createProgress({ label: `${model.id} gallery forward`, total: gallery.length, noun: 'images' });
  const load = (start: number, end: number) =>
    Promise.all(gallery.slice(start, end).map((g) => loadImageTensorData(g.file, model.inputSize[0], { fit: model.preprocess.fit })));
  await forEachBatch(model, gallery.length, BATCH, load, ids, async (acts, start, end, pre) => {
    const b = end - start;
    const probs = logitsLayer ? tf.tidy(() => tf.softmax(tf.reshape(acts[logitsLayer.id], [b, -1]))) : null;
    const top = probs ? tf.topk(probs, Math.min(TOP_K, model.labels.length)) : null;
    const [p, idx] = top ? [(await top.values.array()) as number[][], (await top.indices.array()) as number[][]] : [[], []];
    tf.dispose([probs, top?.values, top?.indices].filter((t): t is tf.Tensor => !!t));
    const perImage: ImageActs[] = Array.from({ length: b }, (_, i) => ({
      predictions: (p[i] ?? []).map((probability, j) => ({ index: idx[i][j], label: model.labels[idx[i][j]], probability: sig(probability) })),
      layers: new Map(),
    }));
    for (const layer of layers) {
      const t = acts[layer.id];
      const [, h, w, c] = t.shape;
      const all = (await t.data()) as Float32Array;
      const allPre = (await pre[layer.id].data()) as Float32Array;
      perImage.forEach((img, i) => {
        const a = { h, w, c, data: all.subarray(i * h * w * c, (i + 1) * h * w * c) };
        const stats = channelStats(a);
        const u8 = quantizeChannels(a, stats.min, stats.max);
        const preStats = channelStats({ h, w, c, data: allPre.subarray(i * h * w * c, (i + 1) * h * w * c) });
        img.layers.set(layer.id, {
          stats,
          u8,
          preMax: preStats.max,
          preArgmax: preStats.argmax,
        });
      });
    }
    out.push(...perImage);
    progress.tick(b);
  }, true);
  progress.finish();
  return out;
}

function reducedTile(h: number, w: number, down: number): [number, number] {
  return [Math.floor(h / down), Math.floor(w / down)];
}

async function writeLayerSheet(
  model: AtlasModel,
  g: CheckedImage,
  layer: LayerInfo,
  acts: LayerActs,
  dir: string,
  key: string,
  pub: PublicPaths,
): Promise<LayerMaps> {
  const [h, w, c] = layer.shape;
  const geo = tileGeometry([h, w], SHEET.target);
  const [th, tw] = reducedTile(h, w, geo.down);
  const cols = sheetColumns(c, geo.tile[1], SHEET.maxWidth);
  const rows = Math.ceil(c / cols);
  const grid = new ColorGrid(cols, rows, th, tw, COLORMAP);
  for (let k = 0; k < c; k++) grid.put(k, reduceMap(acts.u8, k * h * w, h, w, geo.down));
  const base = `${layer.id}-${key.slice(0, 10)}`;
  const file = path.join(dir, `${base}.webp`);
  const written = await writeWebp(file, grid.rgb, grid.width, grid.height, { up: geo.up, lossless: geo.up >= 2, smartSubsample: false });
  const { min, max, mean } = acts.stats;
  // Strongest by the value before the rectifier (ReLU6 ties many units at 6); ties: the larger map mean, then the lower unit.
  let maxUnit = 0;
  for (let k = 1; k < c; k++) if (acts.preMax[k] > acts.preMax[maxUnit] || (acts.preMax[k] === acts.preMax[maxUnit] && mean[k] > mean[maxUnit])) maxUnit = k;
  const indexFile = path.join(dir, `${base}.json`);
  await writeRecord(indexFile, sheetIndexSchema, {
    model: model.id,
    image: g.id,
    layer: layer.id,
    normalization: 'per-channel min-max',
    colormap: COLORMAP,
    map: [h, w],
    scale: geo.scale,
    cols,
    rows,
    tile: geo.tile,
    min: Array.from(min, (v) => sig(v)),
    max: Array.from(max, (v) => sig(v)),
    mean: Array.from(mean, (v) => sig(v)),
  });
  return {
    layer: layer.id,
    channels: c,
    map: [h, w],
    scale: geo.scale,
    sheet: { src: toSiteSrc(pub, file), ...written, cols, rows, count: c, tile: geo.tile },
    index: toSiteSrc(pub, indexFile),
    max: sig(max[maxUnit]),
    maxUnit,
    preMax: sig(acts.preMax[maxUnit]),
  };
}

async function writeUnitViews(
  model: AtlasModel,
  gallery: CheckedImage[],
  layer: LayerInfo,
  acts: ImageActs[],
  key: string,
  pub: PublicPaths,
  tick: (n: number) => void,
): Promise<Omit<UnitViewsRecord, 'provenance'>> {
  const [h, w, c] = layer.shape;
  const n = h * w;
  const per = acts.map((a) => a.layers.get(layer.id)!);
  const layerDir = path.join(pub.dir, 'units', model.id, layer.id);

  // Per unit: its strongest response over the gallery, and the photo it responds to most (RANKING_RULE).
  const units: UnitViewsRecord['units'] = [];
  const best = new Int32Array(c);
  const tie = tieOrder(gallery.map((g) => g.sha256));
  for (let k = 0; k < c; k++) {
    let mx = -Infinity;
    per.forEach((p) => (mx = Math.max(mx, p.stats.max[k])));
    const ranking = topIndices(per.map((p) => p.preMax[k]), per.map((p) => p.stats.mean[k]), tie, per.length);
    best[k] = ranking[0];
    const flat = per[best[k]].preArgmax[k];
    const [y, x] = [Math.floor(flat / w), flat % w];
    units.push({
      index: k,
      max: sig(mx),
      preMax: sig(per[best[k]].preMax[k]),
      bestImage: gallery[best[k]].id,
      bestPos: [y, x],
      bestBox: unitBox(layer.receptiveField, y, x, model.inputSize),
      imageMax: per.map((p) => sig(p.stats.max[k])),
      imagePreMax: per.map((p) => sig(p.preMax[k])),
      ranking,
    });
  }

  tick(c);
  // Layer grid: each unit's map on its best photo, normalised per map.
  const tGeo = tileGeometry([h, w], THUMB.target);
  const [th, tw] = reducedTile(h, w, tGeo.down);
  const tCols = Math.min(c, THUMB.cols);
  const tRows = Math.ceil(c / tCols);
  const thumbs = new ColorGrid(tCols, tRows, th, tw, COLORMAP);
  for (let k = 0; k < c; k++) thumbs.put(k, reduceMap(per[best[k]].u8, k * n, h, w, tGeo.down));
  const thumbFile = path.join(layerDir, `thumbs-${key.slice(0, 10)}.webp`);
  const thumbWritten = await writeWebp(thumbFile, thumbs.rgb, thumbs.width, thumbs.height, { up: tGeo.up, lossless: tGeo.up >= 2, smartSubsample: false });

  // Preview row: the units with the largest responses over the gallery (before the rectifier; ties: lower unit).
  const previewUnits = [...units].sort((a, b) => b.preMax - a.preMax || a.index - b.index).slice(0, Math.min(PREVIEW.units, c)).map((u) => u.index);
  const pDown = Math.max(1, Math.ceil(Math.max(h, w) / PREVIEW.target));
  const pUp = Math.max(h, w) >= PREVIEW.target ? 1 : Math.ceil(PREVIEW.target / Math.max(h, w));
  const [ph, pw] = reducedTile(h, w, pDown);
  const preview = new ColorGrid(previewUnits.length, 1, ph, pw, COLORMAP);
  previewUnits.forEach((k, i) => preview.put(i, reduceMap(per[best[k]].u8, k * n, h, w, pDown)));
  const previewFile = path.join(layerDir, `preview-${key.slice(0, 10)}.webp`);
  const previewWritten = await writeWebp(previewFile, preview.rgb, preview.width, preview.height, { up: pUp, lossless: pUp >= 2, smartSubsample: false });
  // Also removes the per-unit strip folders earlier code versions wrote.
  await pruneDir(layerDir, new Set([path.basename(thumbFile), path.basename(previewFile)]));

  return {
    model: model.id,
    layer: layer.id,
    fit: model.preprocess.fit,
    images: gallery.map((g) => g.id),
    colormap: COLORMAP,
    thumbs: { src: toSiteSrc(pub, thumbFile), ...thumbWritten, cols: tCols, rows: tRows, count: c, tile: tGeo.tile },
    preview: { src: toSiteSrc(pub, previewFile), ...previewWritten, units: previewUnits, tile: [ph * pUp, pw * pUp] },
    units,
    key,
  };
}
