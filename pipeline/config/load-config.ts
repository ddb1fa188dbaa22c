import { resolveAtlasSettings, type AtlasSettings } from '../atlas/settings.ts';
import { resolveMapConfig, type MapConfig } from '../embedding/map-config.ts';
import { resolveExperimentConfig, type ExperimentConfig } from '../experiments/experiment-config.ts';
import { resolveAnalysisSettings, type AnalysisSettings } from '../analyses/settings.ts';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { collectionInfo } from '../assets/catalog.ts';
import type { FetchOptions } from '../assets/fetch-asset.ts';
import type { ModelSpec } from '../assets/model-spec.ts';
import { defaultCacheDir, defaultMirrorDir, REPO_ROOT } from '../util/paths.ts';
import { ConfigError } from './config-error.ts';
import { CONFIG_FILE_NAMES, DEFAULT_DATASET, DEFAULT_MODELS, DEFAULT_SHOWCASE } from './defaults.ts';
import { configSchema, type ImageItemConfig, type ModelConfig, type ParsedConfig } from './schema.ts';

export interface ImageItem {
  /** Absolute path (file or folder) or http(s) URL. */
  url: string;
  id?: string;
  sha256?: string;
  label?: string;
  license?: string;
  credit?: string;
  /** Where it came from in the config, for error messages: `images.extra[2]`. */
  field: string;
}

export type ResolvedDataset = { catalog: string; limit?: number } | { folder: string; limit?: number };

export interface ResolvedConfig {
  /** Absolute path of the file that was read; null when running on defaults. */
  configFile: string | null;
  /** Relative paths in the config were resolved against this directory. */
  baseDir: string;
  mirror: string | null;
  cacheDir: string;
  models: ModelSpec[];
  images: { showcase: { catalog: string } | null; extra: ImageItem[] };
  dataset: ResolvedDataset | null;
  analyses: AnalysisSettings;
  atlas: AtlasSettings;
  maps: MapConfig;
  experiments: ExperimentConfig;
}

export interface LoadConfigOptions {
  /** Explicit config file; otherwise env ATLAS_CONFIG, otherwise atlas.config.{ts,mts,mjs,js,json} in `cwd`. */
  path?: string;
  /** Where to look for a config file; default the repository root. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export async function loadConfig(opts: LoadConfigOptions = {}): Promise<ResolvedConfig> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? REPO_ROOT;
  const file = findConfigFile(opts.path ?? env.ATLAS_CONFIG, cwd);
  const raw = file ? await readConfigFile(file) : {};
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw ConfigError.fromZod(file ?? 'config', parsed.error);
  return resolveConfig(parsed.data, file, file ? path.dirname(file) : cwd, env);
}

/** For CLIs: `--config path` or `--config=path`. */
export function configPathFromArgv(argv: string[] = process.argv.slice(2)): string | undefined {
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].slice('--config='.length) : argv[i + 1];
}

/** Options for fetchAsset/fetchAll that honour the config's cache, mirror and base directory. */
export function fetchOptionsFor(config: ResolvedConfig): Required<Pick<FetchOptions, 'cacheDir' | 'mirrorDir' | 'baseDir'>> {
  return { cacheDir: config.cacheDir, mirrorDir: config.mirror, baseDir: config.baseDir };
}

function findConfigFile(explicit: string | undefined, cwd: string): string | null {
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    if (!existsSync(file)) throw new ConfigError(file, '', 'config file not found');
    return file;
  }
  return CONFIG_FILE_NAMES.map((name) => path.join(cwd, name)).find((f) => existsSync(f)) ?? null;
}

/** .json is parsed; anything else is imported (tsx and vitest compile .ts on the fly). */
async function readConfigFile(file: string): Promise<unknown> {
  try {
    if (file.endsWith('.json')) return JSON.parse(await readFile(file, 'utf8'));
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    const exported = mod.default;
    if (exported === undefined) throw new Error('no default export; write `export default defineConfig({ ... })`');
    return typeof exported === 'function' ? await (exported as () => unknown)() : exported;
  } catch (err) {
    throw new ConfigError(file, '', `cannot load: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function resolveConfig(config: ParsedConfig, file: string | null, baseDir: string, env: NodeJS.ProcessEnv): ResolvedConfig {
  const at = (p: string) => resolveLocation(p, baseDir);
  const models = (config.models ?? [...DEFAULT_MODELS]).map((m, i) => resolveModel(m, at, file, i));
  const showcase = config.images?.showcase === false ? null : (config.images?.showcase ?? DEFAULT_SHOWCASE);
  if (showcase) checkCollection(showcase.catalog, file, 'images.showcase.catalog');
  const dataset = resolveDataset(config.dataset, at, file);
  return {
    configFile: file,
    baseDir,
    mirror: resolveMirror(config.mirror, at, env),
    cacheDir: env.ATLAS_CACHE ? path.resolve(env.ATLAS_CACHE) : config.cacheDir ? at(config.cacheDir) : defaultCacheDir(env),
    models,
    images: { showcase, extra: (config.images?.extra ?? []).map((item, i) => resolveImageItem(item, at, i)) },
    dataset,
    analyses: resolveAnalysisSettings(config.analyses),
    atlas: resolveAtlasSettings(config.atlas),
    maps: resolveMapConfig(config.maps),
    experiments: resolveExperimentConfig(config.experiments),
  };
}

function resolveMirror(mirror: string | null | undefined, at: (p: string) => string, env: NodeJS.ProcessEnv): string | null {
  if (env.ATLAS_MIRROR) return path.resolve(env.ATLAS_MIRROR);
  if (mirror === null) return null;
  return mirror ? at(mirror) : defaultMirrorDir(env);
}

function resolveModel(model: ModelConfig, at: (p: string) => string, file: string | null, i: number): ModelSpec {
  const { catalog, modelUrl, trained, labels, wnids, dataset, ...own } = model;
  const rest = { ...own, ...(dataset && { dataset: resolveDataset(dataset, at, file)! }) };
  const resolveList = (list: typeof labels) =>
    typeof list === 'string' ? at(list) : list && !Array.isArray(list) ? { ...list, file: at(list.file) } : list;
  const lists = { labels: resolveList(labels), ...(wnids && { wnids: resolveList(wnids) }) };
  if (catalog) {
    checkCollection(catalog, file, `models[${i}].catalog`);
    return { ...rest, catalog, ...lists };
  }
  if (trained) return { ...rest, trained, ...lists };
  return { ...rest, modelUrl: at(modelUrl!), ...lists };
}

function resolveDataset(dataset: ParsedConfig['dataset'], at: (p: string) => string, file: string | null): ResolvedDataset | null {
  if (dataset === false) return null;
  const chosen = dataset ?? DEFAULT_DATASET;
  if ('catalog' in chosen && chosen.catalog) {
    checkCollection(chosen.catalog, file, 'dataset.catalog');
    return { catalog: chosen.catalog, limit: 'limit' in chosen ? chosen.limit : undefined };
  }
  const { folder, limit } = chosen as { folder: string; limit?: number };
  return { folder: at(folder), limit };
}

function resolveImageItem(item: ImageItemConfig, at: (p: string) => string, i: number): ImageItem {
  const field = `images.extra[${i}]`;
  return typeof item === 'string' ? { url: at(item), field } : { ...item, url: at(item.url), field };
}

/** URLs stay as they are; file:// URLs and relative paths become absolute paths. */
export function resolveLocation(location: string, baseDir: string): string {
  if (/^https?:\/\//i.test(location)) return location;
  if (location.startsWith('file:')) return fileURLToPath(location);
  return path.resolve(baseDir, location);
}

function checkCollection(name: string, file: string | null, field: string): void {
  try {
    collectionInfo(name);
  } catch (err) {
    throw new ConfigError(file, field, err instanceof Error ? err.message : String(err));
  }
}
