/** What a build uses when no config file says otherwise: the default gallery of the README. */

export const DEFAULT_MODEL = { id: 'mobilenet_v1_0.75_224', name: 'MobileNet v1 0.75', catalog: 'model:mobilenet_v1_0.75_224' } as const;
/** The second default model: it has max-pool switches, so its deconvnet projections follow the image. */
export const DARKNET_MODEL = { id: 'darknet_tiny', name: 'Darknet tiny', catalog: 'model:darknet_tiny' } as const;
/**
 * Darknet costs ~1.5x MobileNet per forward pass and ~2x per backward pass on wasm (2 cores), ~90 s
 * of per-image analyses per photo: all 28 photos and 4 atlas units per layer would add ~25 min to
 * the 30-minute default build. By default it analyses the first 2 photos (and draws class models
 * for their classes) and puts 1 unit per layer in the atlas; pages name what was skipped, and
 * `npm run build -- --config atlas.full.config.ts` computes all of it.
 */
export const DARKNET_LIGHTER = { analyses: { images: 2 }, atlas: { unitsPerLayer: 1, strikingUnits: 2 } } as const;
/**
 * MobileNet's per-image analyses take ~69 s of a worker per photo in a build (estimate, README "Over
 * budget now"): all 28 photos would keep the two workers busy ~16 min, longer than the ~9.5 min of
 * sheets, dataset pass and experiments on the main thread beside them. The first 12 (~7 min; the
 * explainer's pickers use the first 4) hide behind those. Its unit atlas draws 3 units per layer
 * (measured cold: 141 jobs in 6 min 31 s with 4; each unit of a layer adds a quarter of its
 * feature-visualization batch). The other photos' pages and units name what was skipped and the
 * command, as for Darknet; `atlas.full.config.ts` computes all of it.
 */
export const MOBILENET_LIGHTER = { analyses: { images: 12 }, atlas: { unitsPerLayer: 3 } } as const;
/**
 * The third default model is trained by the build itself (pipeline/training, README "Training") and
 * then loaded from its saved model.json like a user's model; its units are shown on CIFAR-10 test
 * images, the data it was trained for, not on the ImageNet sample.
 */
export const CIFAR_MODEL = {
  id: 'cifar_small',
  name: 'Small CIFAR-10 convnet (trained here)',
  trained: 'cifar10',
  dataset: { catalog: 'dataset:cifar10-test-1000' },
  // The input is 32 px: feature visualizations and class models at the 96 px default cost ~10x
  // more than they can show (a cold 3-photo build spent 12 min on this model's atlas at 96 px).
  atlas: { featureVis: { size: 32, steps: 128 }, classModels: { size: 32, steps: 128 } },
  license: 'CC0-1.0 (weights trained by this build)',
  credit: 'ConvNet Atlas, trained on CIFAR-10 (Krizhevsky 2009)',
} as const;
export const DEFAULT_MODELS = [{ ...DEFAULT_MODEL, ...MOBILENET_LIGHTER }, { ...DARKNET_MODEL, ...DARKNET_LIGHTER }, CIFAR_MODEL] as const;
export const DEFAULT_SHOWCASE = { catalog: 'images:showcase' } as const;
export const DEFAULT_DATASET = { catalog: 'dataset:imagenet-sample-1000' } as const;

export const CONFIG_FILE_NAMES = ['atlas.config.ts', 'atlas.config.mts', 'atlas.config.mjs', 'atlas.config.js', 'atlas.config.json'];
