/** What a build uses when no config file says otherwise: the default gallery of the README. */

export const DEFAULT_MODEL = { id: 'mobilenet_v1_0.75_224', name: 'MobileNet v1 0.75', catalog: 'model:mobilenet_v1_0.75_224' } as const;
/** The second default model: it has max-pool switches, so its deconvnet projections follow the image. */
export const DARKNET_MODEL = { id: 'darknet_tiny', name: 'Darknet tiny', catalog: 'model:darknet_tiny' } as const;
export const DEFAULT_MODELS = [DEFAULT_MODEL, DARKNET_MODEL] as const;
export const DEFAULT_SHOWCASE = { catalog: 'images:showcase' } as const;
export const DEFAULT_DATASET = { catalog: 'dataset:imagenet-sample-1000' } as const;

export const CONFIG_FILE_NAMES = ['atlas.config.ts', 'atlas.config.mts', 'atlas.config.mjs', 'atlas.config.js', 'atlas.config.json'];
