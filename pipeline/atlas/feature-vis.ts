import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { writeWebp } from '../imaging/maps.ts';
import { unitToBytes } from '../imaging/sheet.ts';
import { channel, diversity, meanPairwiseGramCosine, negative, sum } from '../featurevis/objectives.ts';
import { renderVis, type RenderResult } from '../featurevis/render.ts';
import { runLayers } from '../model/activations.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import { preprocess } from '../model/image-batch.ts';
import { publicPaths, toSiteSrc } from '../records/io.ts';
import type { ImageFile } from '../records/schemas.ts';
import type { AtlasSettings } from './settings.ts';

export interface FeatureVisJob {
  layer: string;
  units: number[];
  settings: AtlasSettings['featureVis'];
  publicDir: string;
}

/** One optimized image: the file, the channel mean it reached (the objective) and its strongest single activation. */
export interface VisImage {
  image: ImageFile;
  reachedMean: number;
  reachedMax: number;
}

export interface FeatureVisUnit extends VisImage {
  unit: number;
  /** Objective (channel mean, as optimized, with transforms) every 16 steps. */
  history: number[];
}

/** Per item: the unit's mean and max activation on the final images, without transforms. */
async function activationOn(model: AtlasModel, images: tf.Tensor4D, layer: string, units: number[]): Promise<{ mean: number[]; max: number[] }> {
  const act = tf.tidy(() => runLayers(model, preprocess(model, tf.mul(images, 255) as tf.Tensor4D), [layer])[layer]);
  const [n, , , c] = act.shape;
  const [means, maxes] = tf.tidy(() => [tf.mean(act, [1, 2]), tf.max(act, [1, 2])]);
  const [m, x] = [(await means.data()) as Float32Array, (await maxes.data()) as Float32Array];
  tf.dispose([act, means, maxes]);
  return { mean: Array.from({ length: n }, (_, i) => m[i * c! + units[i]]), max: Array.from({ length: n }, (_, i) => x[i * c! + units[i]]) };
}

async function saveImages(model: AtlasModel, r: RenderResult, layer: string, units: number[], names: string[], publicDir: string): Promise<VisImage[]> {
  const { mean, max } = await activationOn(model, r.tensor!, layer, units);
  r.tensor!.dispose();
  const paths = publicPaths(publicDir);
  return Promise.all(
    r.images.map(async (img, i) => {
      const file = path.join(publicDir, 'atlas', model.id, layer, `${names[i]}.webp`);
      const written = await writeWebp(file, unitToBytes(img), r.size, r.size, { quality: 90 });
      return { image: { src: toSiteSrc(paths, file), ...written }, reachedMean: mean[i], reachedMax: max[i] };
    }),
  );
}

/**
 * Lucid-style feature visualization of several units of one layer in one batch (item i maximizes
 * the mean of channel units[i]): the batch shares every forward and backward pass.
 */
export async function featureVisUnits(model: AtlasModel, job: FeatureVisJob): Promise<{ units: FeatureVisUnit[]; ms: number }> {
  const s = job.settings;
  const r = await renderVis(model, channel(job.layer, job.units), { size: s.size, steps: s.steps, lr: s.lr, seed: s.seed, keepTensor: true });
  const saved = await saveImages(model, r, job.layer, job.units, job.units.map((u) => `vis-${u}`), job.publicDir);
  return {
    units: saved.map((v, i) => ({ ...v, unit: job.units[i], history: r.history.map((h) => h.values[i]) })),
    ms: r.ms,
  };
}

export interface FeatureVisExtrasJob {
  layer: string;
  unit: number;
  settings: AtlasSettings['featureVis'];
  publicDir: string;
}

export interface FeatureVisExtras {
  negative: VisImage;
  diversity: VisImage[];
  /** Mean pairwise cosine similarity of the diverse images' Gram matrices (lower = more diverse). */
  similarity: number;
  ms: number;
}

/** The unit's negative direction (what it is most against) and a batch of 4 pushed apart by Lucid's diversity term. */
export async function featureVisExtras(model: AtlasModel, job: FeatureVisExtrasJob): Promise<FeatureVisExtras> {
  const s = job.settings;
  const opts = { size: s.size, steps: s.steps, lr: s.lr, seed: s.seed + 1, keepTensor: true };
  const neg = await renderVis(model, negative(channel(job.layer, job.unit)), { ...opts, batch: 1 });
  const [negative_] = await saveImages(model, neg, job.layer, [job.unit], [`neg-${job.unit}`], job.publicDir);
  const units = new Array(s.diversity).fill(job.unit);
  const div = await renderVis(model, sum(channel(job.layer, units), diversity(job.layer, s.diversityWeight)), { ...opts, seed: s.seed + 2, measure: channel(job.layer, units) });
  const layerAct = tf.tidy(() => runLayers(model, preprocess(model, tf.mul(div.tensor!, 255) as tf.Tensor4D), [job.layer])[job.layer]);
  const similarity = await meanPairwiseGramCosine(layerAct);
  layerAct.dispose();
  const diverse = await saveImages(model, div, job.layer, units, units.map((u, i) => `div-${u}-${i}`), job.publicDir);
  return { negative: negative_, diversity: diverse, similarity, ms: neg.ms + div.ms };
}
