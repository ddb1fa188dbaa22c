import { DEFAULT_PROBE } from '../methods/linear-probe.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import { DEFAULT_EXPERIMENT_CONFIG, type ExperimentConfig } from './experiment-config.ts';

/**
 * Defaults of the two Zeiler & Fergus experiments the gallery repeats for every ImageNet model.
 * Sizes were chosen for the build budget (see README: each adds well under 3 minutes cold).
 */
export const CORRESPONDENCE = {
  /** Where in the conv stack the early and middle layers sit (fraction of the conv layers); the last conv layer and the logits are always studied. */
  depths: [0.25, 0.5] as const,
  /** Random-box baseline: this many draws, each a box in every photo at a random position. */
  randomDraws: 10,
  seed: 14,
  /** Grey square: pixel value 127.5 in all three channels, before the model's preprocessing. */
  fillPixel: 127.5,
  batch: 16,
  /** Side of the occluded-photo thumbnails on the page. */
  thumb: 144,
} as const;

/**
 * CIFAR-10 sizes come from the config (`experiments.transfer`, experiment-config.ts): by default 600
 * training and 300 test images, 1,500 and 500 in `atlas.full.config.ts`. The test accuracy's binomial
 * standard error is at most 2.9 points at 300 images (2.2 at 500); a difference between layers
 * smaller than ~8 points is noise.
 */
export function transferSettings(sizes: ExperimentConfig['transfer'] = DEFAULT_EXPERIMENT_CONFIG.transfer) {
  return {
    ...TRANSFER_FIXED,
    cifar: {
      train: { catalog: 'dataset:cifar10-train-10000', perClass: sizes.trainPerClass },
      test: { catalog: 'dataset:cifar10-test-1000', perClass: sizes.testPerClass },
    },
  };
}
export type TransferSettings = ReturnType<typeof transferSettings>;

const TRANSFER_FIXED = {
  /** 5 classes × 5 photos: the first 3 of each class train, the last 2 test. */
  caltech: { catalog: 'dataset:caltech101-mini-25', trainPerClass: 3 },
  probe: DEFAULT_PROBE,
  batch: 16,
} as const;

export const TRANSFER: TransferSettings = transferSettings();

/**
 * Both experiments read an ImageNet classifier's layers (correspondence needs its dog classes to
 * make sense, transfer needs features learnt on a different dataset). A model with another output
 * space, e.g. one trained here on CIFAR-10, is skipped with this reason.
 */
export function notImageNetReason(model: Pick<AtlasModel, 'id' | 'labels'>): string | null {
  return model.labels.length === 1000 || model.labels.length === 1001
    ? null
    : `${model.id} has ${model.labels.length} output classes, not ImageNet's 1000: the correspondence and transfer experiments study ImageNet models only`;
}
