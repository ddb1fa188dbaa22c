import type { AtlasConfig } from './schema.ts';

/** Identity at run time; gives atlas.config.ts autocompletion and type checking. */
export function defineConfig(config: AtlasConfig): AtlasConfig {
  return config;
}

export type { AtlasConfig } from './schema.ts';
