import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { loadImageTensorData } from '../assets/images.ts';
import { PROJECTION_PERCENTILE, rgbProjection } from '../imaging/attribution-image.ts';
import { cropToTile, resizeToTile, toRgb, writeRgbSheet } from '../imaging/sheet.ts';
import { cropMap } from '../analyses/map-crop.ts';
import { inputAttribution } from '../model/attribution.ts';
import { layerOf, type AtlasModel } from '../model/atlas-model.ts';
import { meanPairwiseCorrelation } from '../methods/projection-similarity.ts';
import { imageBatch } from '../model/image-batch.ts';
import { publicPaths } from '../records/io.ts';
import type { SpriteSheet } from '../records/schemas.ts';
import { mapLimited } from '../util/map-limited.ts';

/** One of a unit's top dataset activations, with the decoded file the worker reads. */
export interface TopPatch {
  image: string;
  file: string;
  /** The file's content hash ('' for local files, hashed when a queue worker needs it to check its own copy). */
  sha256: string;
  value: number;
  /** Before the rectifier: what ranked it. */
  pre: number;
  pos: [number, number];
  box: [number, number, number, number];
}

export interface UnitPatchesJob {
  layer: string;
  unit: number;
  top: TopPatch[];
  tile: number;
  publicDir: string;
  /** Sheet file name without extension (default patches-<unit>), e.g. for one checkpoint's strip. */
  name?: string;
}

export interface UnitPatchesResult {
  sheet: SpriteSheet;
  /** Mean pairwise correlation of the projections (see meanPairwiseCorrelation). */
  projectionSimilarity: number | null;
  backwardPasses: number;
  ms: number;
}

/**
 * Zeiler & Fergus Fig. 2 for one unit: the receptive-field patch of each of its top dataset
 * activations and, beside it, that single activation projected back to pixels by the deconvnet.
 * One batched backward pass: item i is image i with unit (y_i, x_i) as its target.
 * Sheet: the patches (tiles 0..k-1), then the projections (k..2k-1).
 */
export async function unitPatches(model: AtlasModel, job: UnitPatchesJob): Promise<UnitPatchesResult> {
  const started = performance.now();
  const [h, w] = model.inputSize;
  const images = await mapLimited(job.top, 4, (t) => loadImageTensorData(t.file, h, { fit: model.preprocess.fit }));
  const x = imageBatch(model, images);
  const target = { kind: 'unit' as const, layer: job.layer, channel: job.unit, y: job.top.map((t) => t.pos[0]), x: job.top.map((t) => t.pos[1]) };
  const proj = inputAttribution(model, x, target, 'deconvnet');
  const maps = (await proj.data()) as Float32Array;
  tf.dispose([x, proj]);
  const projectionSimilarity = meanPairwiseCorrelation(maps, [h, w], layerOf(model, job.layer).receptiveField, job.top.map((t) => t.pos));
  const tile: [number, number] = [job.tile, job.tile];
  const patches: Uint8Array[] = [];
  const projections: Uint8Array[] = [];
  for (const [i, t] of job.top.entries()) {
    patches.push(await cropToTile(toRgb(images[i].data, w, h), t.box, tile));
    const crop = cropMap(maps, i, h, w, 3, t.box);
    projections.push(await resizeToTile({ data: rgbProjection(crop.data, crop.height, crop.width, PROJECTION_PERCENTILE), width: crop.width, height: crop.height }, tile));
  }
  const file = path.join(job.publicDir, 'atlas', model.id, job.layer, `${job.name ?? `patches-${job.unit}`}.webp`);
  const sheet = await writeRgbSheet(file, publicPaths(job.publicDir), [...patches, ...projections], tile, Math.max(1, job.top.length));
  return { sheet, projectionSimilarity, backwardPasses: job.top.length, ms: performance.now() - started };
}
