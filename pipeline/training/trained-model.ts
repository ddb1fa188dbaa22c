import path from 'node:path';
import type { FetchOptions } from '../assets/fetch-asset.ts';
import { isTrainedModel, type ModelSpec, type UrlModelSpec } from '../assets/model-spec.ts';
import type { Log } from '../util/log.ts';
import { CIFAR_CLASSES } from './cifar-data.ts';
import { envTrainingSize, trainCifarVariants } from './cifar-runs.ts';

/** The training inputs: RGB scaled to [-1, 1], whole 32x32 image (CIFAR images are already square). */
export const TRAINED_PREPROCESS = { scale: 1 / 127.5, offset: -1, channelOrder: 'rgb', fit: 'squash' } as const;

/**
 * A `trained: 'cifar10'` model becomes an ordinary modelUrl spec pointing at the final checkpoint's
 * model.json, so the gallery loads it exactly as it loads a user's own saved model. Trains both
 * ablation variants first when they are not cached (a cached run costs a file read).
 */
export async function resolveTrainedSpec<S extends ModelSpec>(spec: S, fetchOpts: FetchOptions = {}, log?: Log): Promise<Exclude<S, { trained: string }> | UrlModelSpec> {
  if (!isTrainedModel(spec)) return spec as Exclude<S, { trained: string }>;
  const { trained: _trained, ...given } = spec;
  // Fields the config left out arrive as undefined; they must not blank the defaults below.
  const rest = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as typeof given;
  const runs = await trainCifarVariants({ fetchOpts, log, ...envTrainingSize() });
  const run = runs['small-first'];
  const last = run.checkpoints.at(-1)!;
  return {
    labels: CIFAR_CLASSES,
    inputSize: run.settings.spec.inputSize,
    preprocess: { ...TRAINED_PREPROCESS },
    ...rest,
    modelUrl: path.join(run.dir, last.dir, 'model.json'),
  };
}
