export { defineConfig, type AtlasConfig } from './define-config.ts';
export { loadConfig, configPathFromArgv, fetchOptionsFor, resolveLocation, type ResolvedConfig, type LoadConfigOptions, type ImageItem, type ResolvedDataset } from './load-config.ts';
export { resolveImageSources, fetchEntryFor, listImageFiles, IMAGE_EXTENSIONS, type ImageSource } from './image-sources.ts';
export { ConfigError } from './config-error.ts';
