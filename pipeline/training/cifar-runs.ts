import path from 'node:path';
import type { FetchOptions } from '../assets/fetch-asset.ts';
import { defaultCacheDir } from '../util/paths.ts';
import type { Log } from '../util/log.ts';
import type { ProgressStream } from '../util/progress.ts';
import { loadCifarCollection } from './cifar-data.ts';
import { LARGE_FIRST, SMALL_FIRST } from './net-spec.ts';
import { checkpointSchedule } from './schedule.ts';
import { trainNet, type TrainSettings, type TrainingRecord } from './train.ts';

export const TRAIN_COLLECTION = 'dataset:cifar10-train-10000';
export const TEST_COLLECTION = 'dataset:cifar10-test-1000';

/**
 * Sized to the build budget (README "Training"): on this 2-core machine the wasm backend trains the
 * small-first net at ~650 images/s (forward + backward + Adam; the filter gradient is one
 * correlation, engine/kernels/conv-backprop.ts), and the build trains in the background. Measured on
 * the 1000 test images (seed 13, small-first, all 10,000 images, lr 3e-3): 53.7 % after 3 epochs,
 * 59.4 % after 5, 63.4 % after 10 (~15 s an epoch on an idle core). Ten epochs give Fig. 4's
 * checkpoints 1, 2, 3, 5, 8, 10.
 */
export const DEFAULT_PER_CLASS = 1000;
export const DEFAULT_EPOCHS = 10;

/** ATLAS_TRAIN_PER_CLASS / ATLAS_TRAIN_EPOCHS shrink the run for quick test builds (a different key). */
export function envTrainingSize(env: NodeJS.ProcessEnv = process.env): { perClass?: number; epochs?: number } {
  const num = (v: string | undefined) => (v && Number(v) > 0 ? Math.floor(Number(v)) : undefined);
  return { perClass: num(env.ATLAS_TRAIN_PER_CLASS), epochs: num(env.ATLAS_TRAIN_EPOCHS) };
}

export function cifarSettings(variant: 'small-first' | 'large-first', epochs = DEFAULT_EPOCHS): TrainSettings {
  return {
    spec: variant === 'small-first' ? SMALL_FIRST : LARGE_FIRST,
    seed: 13,
    epochs,
    schedule: checkpointSchedule(epochs),
    batchSize: 64,
    learningRate: 3e-3,
    augment: { flip: true, shift: 2 },
  };
}

export interface CifarRunOptions {
  fetchOpts?: FetchOptions;
  perClass?: number;
  epochs?: number;
  variants?: ('small-first' | 'large-first')[];
  log?: Log;
  progressStream?: ProgressStream;
}

export function trainingRoot(fetchOpts: FetchOptions = {}): string {
  return path.join(fetchOpts.cacheDir ?? defaultCacheDir(), 'training', 'runs');
}

/** Both ablation variants on the same data and seed; the small-first one is the gallery model. */
export async function trainCifarVariants(opts: CifarRunOptions = {}): Promise<Record<string, TrainingRecord & { dir: string }>> {
  const perClass = opts.perClass ?? DEFAULT_PER_CLASS;
  const train = await loadCifarCollection(TRAIN_COLLECTION, perClass, opts.fetchOpts);
  const test = await loadCifarCollection(TEST_COLLECTION, undefined, opts.fetchOpts);
  const root = trainingRoot(opts.fetchOpts);
  const out: Record<string, TrainingRecord & { dir: string }> = {};
  for (const variant of opts.variants ?? (['small-first', 'large-first'] as const)) {
    const name = `cifar-${variant}`;
    const record = await trainNet(train, test, cifarSettings(variant, opts.epochs), { root, name, log: opts.log, progressStream: opts.progressStream });
    out[variant] = { ...record, dir: path.join(root, `${name}-${record.key}`) };
  }
  return out;
}
