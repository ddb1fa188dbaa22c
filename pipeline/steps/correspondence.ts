import * as tf from '@tensorflow/tfjs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { findAsset } from '../assets/catalog.ts';
import { fetchAllInfo } from '../assets/fetch-asset.ts';
import { loadImageTensorData, type ImageTensorData } from '../assets/images.ts';
import { boxToInput, DOG_PARTS_FILE, loadDogParts, PARTS, type DogParts, type Part, type Rect } from '../experiments/dog-parts.ts';
import { CORRESPONDENCE, notImageNetReason } from '../experiments/settings.ts';
import { correspondenceSummary } from '../experiments/summaries.ts';
import { mulberry32 } from '../featurevis/random.ts';
import { writeWebp } from '../imaging/maps.ts';
import { resizeToTile, toRgb } from '../imaging/sheet.ts';
import { correspondenceDelta, diffSigns, occludeRect, randomRect } from '../methods/correspondence.ts';
import { runLayers } from '../model/activations.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import { imageBatch } from '../model/image-batch.ts';
import type { LayerInfo } from '../model/layers.ts';
import { correspondenceSchema, type CorrespondenceRecord } from '../records/experiment-schemas.ts';
import { freshRecord, publicPaths, recordFiles, toSiteSrc, writeRecord } from '../records/io.ts';
import { sha256File } from '../util/hash.ts';
import type { BuildContext } from './context.ts';
import { provenance, stepKey } from './provenance.ts';
import { sig } from '../records/sig.ts';

/**
 * Zeiler & Fergus's correspondence analysis (Sec. 4.4, Table 1) for one ImageNet model: grey out
 * the same face part (right eye, left eye, nose) in each of the hand-marked dog photos, and measure
 * with Δ (methods/correspondence.ts) how consistently that changes an early, a middle and the last
 * conv layer and the logits, against boxes of the same size at random positions.
 */

const CODE_VERSION = 3;

interface Dog {
  id: string;
  label: string;
  credit: string;
  license: string;
  file: string;
  sha256: string;
  parts: DogParts['images'][number]['parts'];
}

/** The early, middle and last conv layer, then the logits. */
export function correspondenceLayers(model: AtlasModel): { layer: LayerInfo; role: string }[] {
  const convs = model.layers.filter((l) => l.spatial && l.kind !== 'logits' && (l.kind === 'conv' || l.kind === 'depthwise'));
  const full = convs.filter((l) => l.kind === 'conv');
  const pool = full.length >= 3 ? full : convs;
  if (pool.length === 0) throw new Error(`${model.id}: no convolutional layer to study`);
  const at = (f: number) => pool[Math.round(f * (pool.length - 1))];
  const picks = [
    { layer: at(CORRESPONDENCE.depths[0]), role: 'early' },
    { layer: at(CORRESPONDENCE.depths[1]), role: 'middle' },
    { layer: pool.at(-1)!, role: 'last conv' },
    { layer: model.layers.find((l) => l.kind === 'logits')!, role: 'logits' },
  ];
  return picks.filter((p, i) => p.layer && picks.findIndex((q) => q.layer?.id === p.layer.id) === i);
}

async function resolveDogs(parts: DogParts, ctx: BuildContext): Promise<Dog[]> {
  const base = path.dirname(DOG_PARTS_FILE);
  const sources = parts.images.map((d) => {
    if (d.file) return { id: path.basename(d.file).replace(/\.[^.]+$/, ''), label: path.basename(d.file), url: path.resolve(base, d.file), credit: d.credit ?? '', license: d.license ?? 'unspecified' };
    const entry = findAsset(d.image!);
    if (!entry) throw new Error(`${DOG_PARTS_FILE}: "${d.image}" is not an id in the asset catalog (pipeline/assets/catalog.json)`);
    return { id: entry.id, label: entry.className ?? entry.label ?? entry.id, url: entry.url, sha256: entry.sha256, bytes: entry.bytes, credit: d.credit ?? entry.credit, license: d.license ?? entry.license };
  });
  const fetched = await fetchAllInfo(sources.map((s) => ({ url: s.url, sha256: 'sha256' in s ? s.sha256 : undefined, bytes: 'bytes' in s ? s.bytes : undefined, label: s.id })), { ...ctx.fetchOpts, label: 'dog photos' });
  return Promise.all(
    sources.map(async (s, i) => ({
      id: s.id,
      label: s.label,
      credit: s.credit,
      license: s.license,
      file: fetched[i].path,
      sha256: fetched[i].sha256 ?? (await sha256File(fetched[i].path)),
      parts: parts.images[i].parts,
    })),
  );
}

/** Flattened feature vector of each layer for each image in the batch. */
async function features(model: AtlasModel, images: Float32Array[], layerIds: string[]): Promise<Float32Array[][]> {
  const [h, w] = model.inputSize;
  const out: Float32Array[][] = layerIds.map(() => []);
  for (let s = 0; s < images.length; s += CORRESPONDENCE.batch) {
    const chunk = images.slice(s, s + CORRESPONDENCE.batch).map((data): ImageTensorData => ({ data, width: w, height: h, originalWidth: w, originalHeight: h }));
    const x = imageBatch(model, chunk);
    const acts = runLayers(model, x, layerIds);
    try {
      for (const [li, id] of layerIds.entries()) {
        const flat = (await acts[id].data()) as Float32Array;
        const per = flat.length / chunk.length;
        for (let i = 0; i < chunk.length; i++) out[li].push(flat.slice(i * per, (i + 1) * per));
      }
    } finally {
      tf.dispose([x, ...Object.values(acts)]);
    }
  }
  return out;
}

export async function correspondenceStep(model: AtlasModel, ctx: BuildContext): Promise<CorrespondenceRecord | null> {
  const skip = notImageNetReason(model);
  if (skip) {
    ctx.log.info(`correspondence: skipped — ${skip}`);
    return null;
  }
  const { parts, text } = await loadDogParts();
  const dogs = await resolveDogs(parts, ctx);
  const studied = correspondenceLayers(model);
  const size = model.inputSize[0];
  const fit = model.preprocess.fit;
  const params = { ...CORRESPONDENCE, layers: studied.map((s) => s.layer.id), inputSize: size, fit };
  const key = stepKey('correspondence', CODE_VERSION, { model: model.contentHash ?? model.id, parts: text, images: dogs.map((d) => [d.id, d.sha256, d.credit, d.license]), params });
  const file = path.join(ctx.recordsDir, 'experiments', 'correspondence', `${model.id}.json`);
  const pub = publicPaths(ctx.publicDir);
  const cached = await freshRecord(file, correspondenceSchema, key, (r) => recordFiles(pub, r));
  if (cached) {
    ctx.log.info(`${model.id}: correspondence cached`);
    return cached;
  }
  const startedAt = performance.now();

  const photos = await Promise.all(dogs.map((d) => loadImageTensorData(d.file, size, { fit })));
  const rects = dogs.map((d, i) => Object.fromEntries(PARTS.map((p) => [p, boxToInput(d.parts[p], { width: photos[i].originalWidth, height: photos[i].originalHeight }, size, fit)])) as Record<Part, Rect>);
  // The random box of each photo has the mean size of that photo's three part boxes.
  const randomSizes = rects.map((r) => PARTS.map((p) => [r[p][2] - r[p][0], r[p][3] - r[p][1]]).reduce(([aw, ah], [w, h]) => [aw + w / 3, ah + h / 3], [0, 0]).map(Math.round));
  const random = mulberry32(CORRESPONDENCE.seed);
  const draws: Rect[][] = Array.from({ length: CORRESPONDENCE.randomDraws }, () => randomSizes.map(([w, h]) => randomRect(random, size, w, h)));
  const fill = CORRESPONDENCE.fillPixel;
  const occlude = (i: number, r: Rect) => occludeRect(photos[i].data, [size, size], r, fill);
  const conditions: { name: Part | 'random'; draw?: number; images: Float32Array[] }[] = [
    ...PARTS.map((p) => ({ name: p, images: dogs.map((_, i) => occlude(i, rects[i][p])) })),
    ...draws.map((d, k) => ({ name: 'random' as const, draw: k, images: dogs.map((_, i) => occlude(i, d[i])) })),
  ];

  const layerIds = studied.map((s) => s.layer.id);
  const originals = await features(model, photos.map((p) => p.data), layerIds);
  const deltas = new Map<string, number[]>();
  for (const c of conditions) {
    const occluded = await features(model, c.images, layerIds);
    deltas.set(`${c.name}/${c.draw ?? ''}`, layerIds.map((_, li) => correspondenceDelta(dogs.map((_, i) => diffSigns(originals[li][i], occluded[li][i])))));
  }
  const layers = studied.map(({ layer, role }, li) => {
    const r = draws.map((_, k) => deltas.get(`random/${k}`)![li]);
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, r.length - 1));
    return {
      layer: layer.id,
      role,
      dims: originals[li][0].length,
      delta: Object.fromEntries(PARTS.map((p) => [p, sig(deltas.get(`${p}/`)![li])])) as Record<Part, number>,
      random: { mean: sig(mean), sd: sig(sd), draws: r.map((v) => sig(v)) },
    };
  });

  const dir = path.join(pub.dir, 'experiments', 'correspondence', model.id);
  const thumb = async (name: string, data: Float32Array) => {
    const out = path.join(dir, `${name}-${key.slice(0, 10)}.webp`);
    const written = await writeWebp(out, await resizeToTile(toRgb(data, size, size), [CORRESPONDENCE.thumb, CORRESPONDENCE.thumb]), CORRESPONDENCE.thumb, CORRESPONDENCE.thumb, { quality: 85 });
    return { src: toSiteSrc(pub, out), ...written };
  };
  const images = [];
  for (const [i, d] of dogs.entries()) {
    const occluded: Record<string, Awaited<ReturnType<typeof thumb>>> = {};
    for (const c of conditions.filter((c) => c.draw === undefined || c.draw === 0)) occluded[c.name] = await thumb(`${d.id}-${c.name}`, c.images[i]);
    images.push({
      id: d.id,
      label: d.label,
      credit: d.credit,
      license: d.license,
      rects: { ...rects[i], random: draws[0][i] },
      original: await thumb(`${d.id}-original`, photos[i].data),
      occluded: occluded as CorrespondenceRecord['images'][number]['occluded'],
    });
  }
  // Photos of earlier keys (other boxes, settings or weights) are no longer named by any record.
  for (const old of await readdir(dir)) if (!old.endsWith(`-${key.slice(0, 10)}.webp`)) await rm(path.join(dir, old), { force: true });
  const record = await writeRecord(file, correspondenceSchema, {
    model: model.id,
    images,
    layers,
    maxDelta: dogs.length * (dogs.length - 1),
    summary: correspondenceSummary(layers, dogs.length),
    key,
    provenance: provenance(ctx, { method: 'correspondence', codeVersion: CODE_VERSION, params, model: model.id, seed: CORRESPONDENCE.seed, startedAt }),
  });
  ctx.log.info(`${model.id}: correspondence (${dogs.length} dogs, ${conditions.length} occlusions × ${layerIds.length} layers) in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  return record;
}
