import { z } from 'zod';
import { mergeSettings, overridesSchema, type Overrides } from '../config/settings-overrides.ts';

/**
 * The transfer probe's CIFAR-10 sizes (images per class, 10 classes). The feature pass over them
 * was the largest main-thread step of the build at 150 and 50 (1,500 training and 500 test images),
 * so the default is 60 and 30; `atlas.full.config.ts` restores 150 and 50. The page states the sizes.
 */
export const experimentConfigSchema = z
  .object({
    transfer: z
      .object({
        /** The first this many images of each class of the CIFAR-10 training collection (1,000 per class). */
        trainPerClass: z.number().int().positive().max(1000),
        /** The first this many images of each class of the CIFAR-10 test collection (100 per class). */
        testPerClass: z.number().int().positive().max(100),
      })
      .strict(),
  })
  .strict();

export type ExperimentConfig = z.infer<typeof experimentConfigSchema>;

export const DEFAULT_EXPERIMENT_CONFIG: ExperimentConfig = { transfer: { trainPerClass: 60, testPerClass: 30 } };
export const FULL_EXPERIMENT_CONFIG: ExperimentConfig = { transfer: { trainPerClass: 150, testPerClass: 50 } };

export const experimentOverridesSchema = overridesSchema(experimentConfigSchema);

export function resolveExperimentConfig(overrides: Overrides<ExperimentConfig> = {}): ExperimentConfig {
  return mergeSettings(DEFAULT_EXPERIMENT_CONFIG, overrides);
}
