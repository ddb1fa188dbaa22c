import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { atlasGrid, cellOf, pageSizes, type AtlasGrid } from '../embedding/atlas-grid.ts';
import { coarseGroups, majorityGroup, type CoarseGroups } from '../embedding/coarse-groups.ts';
import { MAP_DEFAULTS, type MapSettings } from '../embedding/layouts.ts';
import { layoutsInThread, type LayoutRunner } from '../embedding/layout-tasks.ts';
import { LAYOUT_IDS, layoutSkipReason } from '../embedding/map-config.ts';
import { encodeMap } from '../embedding/map-binary.ts';
import { layoutSvg } from '../embedding/static-svg.ts';
import { cropToTile, resizeToTile, writeRgbSheet, type Rgb } from '../imaging/sheet.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import { ATLAS_KINDS } from '../records/atlas-schemas.ts';
import { freshRecord, fromSiteSrc, publicPaths, readRecord, toSiteSrc, writeRecord } from '../records/io.ts';
import { embeddingMapSchema, type EmbeddingMapRecord } from '../records/map-schemas.ts';
import { galleryImageSchema, imageMapsSchema, sheetIndexSchema, type UnitStatsRecord } from '../records/schemas.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { formatDuration } from '../util/format.ts';
import { stableHash } from '../util/hash.ts';
import { mapLimited } from '../util/map-limited.ts';
import { createProgress } from '../util/progress.ts';
import { classIndexOf, type CheckedImage } from './check-images.ts';
import type { BuildContext } from './context.ts';
import { readDatasetMatrix } from './dataset-matrix.ts';
import { mapLayers } from './model-record.ts';
import { provenance, stepKey } from './provenance.ts';
import { sig } from '../records/sig.ts';
import { atlasRecordFile } from './unit-atlas.ts';

/**
 * Embedding maps (t-SNE / UMAP scatter plots drawn with thumbnails):
 *  - images: every dataset image and gallery photo by the global average of the last conv layer
 *    (the classifier's input), with their 12 nearest neighbours by cosine similarity;
 *  - units: every unit of a layer, and of all layers together, by its activation profile over the
 *    dataset (per-image spatial means, centred, so cosine = Pearson correlation).
 * No forward pass: the dataset pass's profile matrix and the gallery's feature-map indexes hold it
 * all. Thumbnails go into atlas pages (64 px cells); units share one atlas per model.
 */

const CODE_VERSION = 1;
const CELL = 64;
const PAGE = 4096;
const QUALITY = 72;
const TOP_K = 5;

interface Point {
  label: string;
  sub: string;
  link: string;
  picture: string;
  group: number;
  top5?: [number, number][];
}

interface MapInput {
  id: string;
  kind: 'images' | 'units';
  layer: string | null;
  featuresText: string;
  features: Float32Array;
  dims: number;
  points: Point[];
  /** Atlas cell of each point. */
  cells: Uint32Array;
  atlas: AtlasFiles;
}

interface AtlasFiles {
  grid: AtlasGrid;
  pages: EmbeddingMapRecord['atlas']['pages'];
}

export async function embeddingMaps(
  model: AtlasModel,
  gallery: CheckedImage[],
  dataset: CheckedImage[],
  datasetId: string | null,
  stats: Map<string, UnitStatsRecord>,
  ctx: BuildContext,
  settings: MapSettings = MAP_DEFAULTS,
  layouts: LayoutRunner = layoutsInThread,
): Promise<number> {
  let maps = 0;
  const first = stats.values().next().value;
  if (!datasetId || !first || dataset.length < 2) {
    ctx.log.info(`${model.id}: no dataset, so no embedding maps`);
    return 0;
  }
  const started = performance.now();
  const profiles = await readDatasetMatrix('profiles', model.id, first.key, ctx.config.cacheDir);
  if (!profiles) {
    ctx.log.warn(`${model.id}: the dataset pass's profile matrix is missing from ${ctx.config.cacheDir}/derived; delete ${path.join(ctx.recordsDir, 'unit-stats', model.id)} to redo the pass, then the maps are built`);
    return 0;
  }
  const pub = publicPaths(ctx.publicDir);
  const groups = coarseGroups(model.labels, model.wnids);
  const layers = mapLayers(model).filter((l) => profiles.has(l.id) && stats.has(l.id));
  const featureLayer = layers.at(-1);
  if (!featureLayer) return 0;
  const logits = model.layers.find((l) => l.kind === 'logits' && profiles.has(l.id));
  const classOf = new Map(dataset.map((d) => [d.id, classIndexOf(d, model)]));
  const base = stepKey('embedding-map', CODE_VERSION, { model: model.contentHash ?? model.id, stats: first.key, settings, cell: CELL, page: PAGE, quality: QUALITY });

  // ---- images: dataset + gallery, features = spatial mean of the last conv layer
  const dsRecord = JSON.parse(await readFile(path.join(ctx.recordsDir, 'datasets', `${datasetId}.json`), 'utf8')) as { images: { id: string; thumb: string }[] };
  const dsThumb = new Map(dsRecord.images.map((i) => [i.id, fromSiteSrc(pub, i.thumb)]));
  const nd = profiles.images.length;
  const c = featureLayer.channels;
  const imagePoints: Point[] = [];
  const imageThumbs: (() => Promise<Rgb>)[] = [];
  const featureRows: Float32Array[] = [];
  for (let i = 0; i < nd; i++) {
    const row = new Float32Array(c);
    for (let u = 0; u < c; u++) row[u] = profiles.get(featureLayer.id, i, u);
    featureRows.push(row);
    const idImg = profiles.images[i];
    const cls = classOf.get(idImg) ?? -1;
    const top5 = logits ? topClasses(Float32Array.from({ length: logits.channels }, (_, k) => profiles.get(logits.id, i, k))) : undefined;
    imagePoints.push({
      label: cls >= 0 ? shortName(model.labels[cls]) : idImg,
      sub: top5 ? `dataset image · top prediction: ${shortName(model.labels[top5[0][0]])} (${Math.round(top5[0][1] * 100)}%)` : 'dataset image',
      link: cls >= 0 ? `classes/${cls}/` : '',
      picture: dsRecord.images[i]?.id === idImg ? dsRecord.images[i].thumb : (dsRecord.images.find((x) => x.id === idImg)?.thumb ?? ''),
      group: groups.of(cls >= 0 ? cls : top5?.[0][0]),
      top5,
    });
    const file = dsThumb.get(idImg);
    if (!file) throw new Error(`dataset record ${datasetId} has no thumbnail for ${idImg}`);
    imageThumbs.push(() => loadRgb(file));
  }
  const galleryKeys: unknown[] = [];
  for (const g of gallery) {
    const maps = await readRecord(path.join(ctx.recordsDir, 'image-maps', model.id, `${g.id}.json`), imageMapsSchema);
    const photo = await readRecord(path.join(ctx.recordsDir, 'gallery', `${g.id}.json`), galleryImageSchema);
    const entry = maps?.layers.find((l) => l.layer === featureLayer.id);
    if (!maps || !photo || !entry) throw new Error(`${model.id}: gallery photo ${g.id} has no feature maps of ${featureLayer.id}; the gallery-activations step must run first`);
    const index = sheetIndexSchema.parse(JSON.parse(await readFile(fromSiteSrc(pub, entry.index), 'utf8')));
    featureRows.push(Float32Array.from(index.mean));
    galleryKeys.push(maps.key);
    const top = maps.predictions[0];
    const view = photo.views.filter((v) => v.fit === maps.fit).sort((a, b) => Math.abs(a.size - 224) - Math.abs(b.size - 224))[0];
    imagePoints.push({
      label: photo.label,
      sub: top ? `gallery photo · top prediction: ${shortName(top.label)} (${Math.round(top.probability * 100)}%)` : 'gallery photo',
      link: `images/${g.id}/`,
      picture: view.src,
      group: groups.of(top?.index),
      top5: maps.predictions.slice(0, TOP_K).map((p) => [p.index, p.probability]),
    });
    imageThumbs.push(() => loadRgb(fromSiteSrc(pub, view.src)));
  }
  const imagesKey = stableHash({ base, map: 'images', gallery: galleryKeys, dataset: dsRecord.images.map((i) => i.thumb) });
  const imageInput = (atlas: AtlasFiles): MapInput => ({
    id: 'images',
    kind: 'images',
    layer: null,
    featuresText: `the average of ${featureLayer.id}'s ${c} feature maps (the last convolutional layer, what the classifier reads)`,
    features: concatRows(featureRows, c),
    dims: c,
    points: imagePoints,
    cells: Uint32Array.from(imagePoints, (_, i) => i),
    atlas,
  });
  maps++;
  await buildMap(model, imagesKey, () => writeAtlas(model, 'images', imagesKey, imageThumbs, ctx), imageInput, datasetId, groups, settings, ctx, layouts);

  // ---- units: every unit of every mapped layer, by its centred profile over the dataset images
  const unitThumbs: (() => Promise<Rgb>)[] = [];
  const unitPoints: Point[] = [];
  const unitRows: Float32Array[] = [];
  const unitSources: unknown[] = [];
  const layerRange = new Map<string, [number, number]>();
  for (const layer of layers) {
    const st = stats.get(layer.id)!;
    const startAt = unitPoints.length;
    const tags = await readRecord(path.join(ctx.recordsDir, 'atlas', 'tags', model.id, `${layer.id}.json`), ATLAS_KINDS.unitTags.schema);
    for (let u = 0; u < layer.channels; u++) {
      unitRows.push(centred(profiles.column(layer.id, u)));
      const unitStats = st.units[u];
      const visFile = atlasRecordFile(ctx.recordsDir, 'featureVis', model.id, layer.id, u);
      const vis = existsSync(visFile) ? await readRecord(visFile, ATLAS_KINDS.featureVis.schema) : undefined;
      const best = unitStats?.top[0];
      const tagWords = tags?.units.find((t) => t.unit === u)?.tags.slice(0, 3).map((t) => t.tag) ?? [];
      unitPoints.push({
        label: `${layer.id} · unit ${u}`,
        sub: [vis ? 'feature visualization' : 'strongest dataset patch', ...tagWords].join(' · '),
        link: `layers/${layer.id}/units/${u}/`,
        picture: vis?.image.src ?? '',
        group: majorityGroup(groups, (unitStats?.top ?? []).map((t) => classOf.get(t.image))),
      });
      if (vis) {
        const file = fromSiteSrc(pub, vis.image.src);
        unitSources.push(vis.image.src);
        unitThumbs.push(() => loadRgb(file));
      } else if (best) {
        const file = dsThumb.get(best.image)!;
        const scale = 128 / model.inputSize[0];
        const box = best.box ?? [0, 0, model.inputSize[0] - 1, model.inputSize[1] - 1];
        unitSources.push([best.image, box]);
        unitThumbs.push(async () => ({ data: await cropToTile(await loadRgbCached(file), box.map((v) => v * scale), [CELL, CELL]), width: CELL, height: CELL }));
      } else {
        unitSources.push(null);
        unitThumbs.push(async () => ({ data: new Uint8Array(CELL * CELL * 3), width: CELL, height: CELL }));
      }
    }
    layerRange.set(layer.id, [startAt, unitPoints.length]);
  }
  const unitsAtlasKey = stableHash({ base, atlas: 'units', sources: unitSources });
  let unitAtlas: AtlasFiles | undefined;
  const getUnitAtlas = async () => (unitAtlas ??= await writeAtlas(model, 'units', unitsAtlasKey, unitThumbs, ctx));
  const unitInput = (id: string, layer: string | null, from: number, to: number) => (atlas: AtlasFiles): MapInput => ({
    id,
    kind: 'units',
    layer,
    featuresText: `its spatial-mean activation on each of the ${nd} dataset images, centred (so cosine similarity is Pearson correlation)`,
    features: concatRows(unitRows.slice(from, to), nd),
    dims: nd,
    points: unitPoints.slice(from, to),
    cells: Uint32Array.from({ length: to - from }, (_, i) => from + i),
    atlas,
  });
  maps++;
  await buildMap(model, stableHash({ base, map: 'units', atlas: unitsAtlasKey, points: unitPoints }), getUnitAtlas, unitInput('units', null, 0, unitPoints.length), datasetId, groups, settings, ctx, layouts);
  // Per-layer maps compute the layouts the config asks for (default: 2D t-SNE only, see map-config.ts).
  const perLayerLayouts = settings.layouts.filter((l) => ctx.config.maps.perLayer.includes(l));
  const perLayer: MapSettings = { ...settings, layouts: perLayerLayouts };
  const layerBase = stableHash({ base, perLayer: perLayer.layouts });
  for (const layer of layers) {
    const [from, to] = layerRange.get(layer.id)!;
    if (to - from < 4) continue;
    maps++;
    const points = unitPoints.slice(from, to);
    const key = stableHash({ base: layerBase, map: layer.id, atlas: unitsAtlasKey, points });
    const input = unitInput(`units-${layer.id}`, layer.id, from, to);
    await buildMap(model, key, getUnitAtlas, input, datasetId, groups, perLayer, ctx, layouts);
  }
  rgbCache.clear();
  ctx.log.info(`${model.id}: ${maps} embedding maps done in ${formatDuration(performance.now() - started)}`);
  return maps;
}

async function buildMap(
  model: AtlasModel,
  key: string,
  atlas: () => Promise<AtlasFiles>,
  input: (atlas: AtlasFiles) => MapInput,
  dataset: string,
  groups: CoarseGroups,
  settings: MapSettings,
  ctx: BuildContext,
  layouts: LayoutRunner,
): Promise<EmbeddingMapRecord> {
  const pub = publicPaths(ctx.publicDir);
  const mapId = input({ grid: atlasGrid(PAGE, CELL), pages: [] }).id;
  const file = path.join(ctx.recordsDir, 'embedding-maps', model.id, `${mapId}.json`);
  const cached = await freshRecord(file, embeddingMapSchema, key, (r) => [r.data.src, r.staticImage.src, ...r.atlas.pages.map((p) => p.src)].map((s) => fromSiteSrc(pub, s)));
  if (cached) return cached;
  const startedAt = performance.now();
  const m = input(await atlas());
  const n = m.points.length;
  const progressLabel = `${model.id} map ${m.id} (${n} points)`;
  const t0 = performance.now();
  const out = await layouts({ features: m.features, n, d: m.dims, settings });
  ctx.log.info(`${progressLabel}: ${out.layouts.map((l) => l.id).join(', ')} in ${formatDuration(performance.now() - t0)}`);
  const group = Uint8Array.from(m.points, (p) => p.group);
  const arrays: Record<string, { data: Float32Array | Uint32Array | Uint16Array | Uint8Array; width: number }> = {};
  for (const l of out.layouts) arrays[l.id] = { data: l.positions, width: l.dims };
  arrays.neighbours = { data: out.neighbours.index, width: out.neighbours.k };
  arrays.similarity = { data: out.neighbours.similarity, width: out.neighbours.k };
  arrays.group = { data: group, width: 1 };
  arrays.cell = { data: m.cells, width: 1 };
  const classNames: Record<string, string> = {};
  if (m.points.every((p) => p.top5)) {
    const k = Math.min(TOP_K, ...m.points.map((p) => p.top5!.length));
    const cls = new Uint16Array(n * k);
    const prob = new Float32Array(n * k);
    m.points.forEach((p, i) =>
      p.top5!.slice(0, k).forEach(([c, pr], j) => {
        cls[i * k + j] = c;
        prob[i * k + j] = pr;
        classNames[c] = shortName(model.labels[c]);
      }),
    );
    arrays['top-class'] = { data: cls, width: k };
    arrays['top-prob'] = { data: prob, width: k };
  }
  const bin = encodeMap(
    { count: n, labels: m.points.map((p) => p.label), sub: m.points.map((p) => p.sub), links: m.points.map((p) => p.link), pictures: m.points.map((p) => p.picture), groups: groups.names, classNames },
    arrays,
  );
  const dir = path.join(pub.dir, 'embedding', model.id);
  const binFile = path.join(dir, `${m.id}-${key.slice(0, 12)}.bin`);
  await writeFileAtomic(binFile, bin);
  const svg = layoutSvg(out.layouts[0].positions, group, groups.names);
  const svgFile = path.join(dir, `${m.id}-${key.slice(0, 12)}.svg`);
  await writeFileAtomic(svgFile, svg);
  const used = [...new Set(Array.from(m.cells, (c) => cellOf(m.atlas.grid, c).page))].sort((a, b) => a - b);
  const counts = groups.names.map((name, g) => ({ name, count: group.reduce((s, x) => s + (x === g ? 1 : 0), 0) }));
  const skipped = LAYOUT_IDS.filter((id) => !out.layouts.some((l) => l.id === id)).flatMap((id) => {
    const reason = layoutSkipReason(id, settings.layouts, n, settings.max3d);
    return reason ? [{ id, reason }] : [];
  });
  const record = await writeRecord(file, embeddingMapSchema, {
    model: model.id,
    map: m.id,
    kind: m.kind,
    layer: m.layer,
    dataset,
    count: n,
    features: m.featuresText,
    featureDims: m.dims,
    pca: { dims: out.pca.dims, explained: sig(out.pca.explained, 3) },
    neighbours: { k: out.neighbours.k, metric: 'cosine' },
    layouts: out.layouts.map((l) => ({ id: l.id, dims: l.dims, seconds: sig(l.seconds, 3) })),
    skipped,
    settings: { ...settings },
    data: { src: toSiteSrc(pub, binFile), bytes: bin.length },
    atlas: { cell: m.atlas.grid.cell, perRow: m.atlas.grid.perRow, rowsPerPage: m.atlas.grid.rowsPerPage, pages: m.atlas.pages, used },
    staticImage: { src: toSiteSrc(pub, svgFile), width: 800, height: 800, bytes: Buffer.byteLength(svg) },
    groups: counts.filter((g) => g.count > 0),
    key,
    provenance: provenance(ctx, { method: 'embedding-map', codeVersion: CODE_VERSION, params: { ...settings, map: m.id }, model: model.id, layer: m.layer ?? undefined, seed: settings.seed, startedAt }),
  });
  return record;
}

/** Packs thumbnails into atlas pages (cell i at column i % perRow, row floor(i / perRow)). */
async function writeAtlas(model: AtlasModel, name: string, key: string, thumbs: (() => Promise<Rgb>)[], ctx: BuildContext): Promise<AtlasFiles> {
  const pub = publicPaths(ctx.publicDir);
  const grid = atlasGrid(PAGE, CELL);
  const sizes = pageSizes(grid, thumbs.length);
  const perPage = grid.perRow * grid.rowsPerPage;
  const progress = createProgress({ label: `${model.id} ${name} atlas`, total: thumbs.length, noun: 'thumbnails' });
  const pages: AtlasFiles['pages'] = [];
  for (let p = 0; p < sizes.length; p++) {
    const slice = thumbs.slice(p * perPage, (p + 1) * perPage);
    const tiles = await mapLimited(slice, 4, async (load) => {
      const rgb = await load();
      progress.tick();
      return rgb.width === CELL && rgb.height === CELL ? rgb.data : resizeToTile(rgb, [CELL, CELL]);
    });
    const file = path.join(pub.dir, 'embedding', model.id, `${name}-atlas-${key.slice(0, 12)}-${p}.webp`);
    const sheet = await writeRgbSheet(file, pub, tiles, [CELL, CELL], grid.perRow, QUALITY);
    pages.push({ src: sheet.src, width: sheet.width, height: sheet.height, bytes: sheet.bytes });
  }
  progress.finish();
  return { grid, pages };
}

async function loadRgb(file: string): Promise<Rgb> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** Dataset thumbnails are cropped for many units: each is decoded once. */
const rgbCache = new Map<string, Promise<Rgb>>();
function loadRgbCached(file: string): Promise<Rgb> {
  let p = rgbCache.get(file);
  if (!p) rgbCache.set(file, (p = loadRgb(file)));
  return p;
}

function topClasses(logits: Float32Array): [number, number][] {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  const e = Float64Array.from(logits, (v) => Math.exp(v - max));
  for (const v of e) sum += v;
  return Array.from(e.keys())
    .sort((a, b) => e[b] - e[a])
    .slice(0, TOP_K)
    .map((k) => [k, sig(e[k] / sum, 3)]);
}

const shortName = (label: string) => label.split(',')[0].trim();

function centred(v: Float32Array): Float32Array {
  let mean = 0;
  for (const x of v) mean += x / v.length;
  return Float32Array.from(v, (x) => x - mean);
}

function concatRows(rows: Float32Array[], d: number): Float32Array {
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, i) => out.set(r, i * d));
  return out;
}
