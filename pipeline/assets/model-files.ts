import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stableHash } from '../util/hash.ts';
import { stderrLog } from '../util/log.ts';
import { collectionInfo } from './catalog.ts';
import type { ListSlice } from './catalog-format.ts';
import { fetchAllInfo, fetchAssetInfo, type FetchedAsset, type FetchOptions } from './fetch-asset.ts';
import { isCatalogModel, isTrainedModel, type CatalogModelSpec, type ModelSpec, type UrlModelSpec } from './model-spec.ts';
import { MOBILENET_PREPROCESS, type Preprocess } from './preprocess.ts';

export type { ModelSpec } from './model-spec.ts';

export interface ModelFiles {
  id: string;
  name: string;
  modelJsonPath: string;
  /** In weightsManifest order, i.e. the order their bytes concatenate into the weight buffer. */
  weightPaths: string[];
  /** Empty when the model came without labels; show classes by index then. */
  labels: string[];
  /** WordNet id per output class, when known: how a wnid-labelled dataset maps onto this model's order. */
  wnids?: string[];
  preprocess: Preprocess;
  inputSize: number;
  license?: string;
  credit?: string;
  /** sha256 of model.json and every shard, keyed by path relative to model.json. */
  sha256: Record<string, string>;
  /** Changes whenever any model file, label or preprocessing changes: a key for caches of model outputs. */
  contentHash: string;
}

interface WeightsGroup {
  paths: string[];
}

export class ModelFilesError extends Error {
  constructor(modelId: string, problem: string) {
    super(`model "${modelId}": ${problem}`);
    this.name = 'ModelFilesError';
  }
}

/** Fetches (or finds in cache/mirror) every file of a model; does not load tfjs. */
export async function resolveModelFiles(spec: ModelSpec, fetchOpts: FetchOptions = {}): Promise<ModelFiles> {
  if (isTrainedModel(spec)) {
    throw new ModelFilesError(spec.id, 'is trained at build time: resolve it with resolveTrainedSpec (pipeline/training/trained-model.ts) first');
  }
  return isCatalogModel(spec) ? resolveCatalogModel(spec, fetchOpts) : resolveUrlModel(spec, fetchOpts);
}

async function resolveCatalogModel(spec: CatalogModelSpec, fetchOpts: FetchOptions): Promise<ModelFiles> {
  const info = collectionInfo(spec.catalog);
  if (!info.model) throw new ModelFilesError(spec.id, `catalog collection ${spec.catalog} is not a model`);
  const fetched = await fetchAllInfo(info.entries, { label: `model ${spec.id}`, ...fetchOpts });
  const byId = new Map(info.entries.map((entry, i) => [entry.id, { entry, file: fetched[i] }]));
  const modelJson = byId.get(info.model.modelJson);
  if (!modelJson) throw new ModelFilesError(spec.id, `${spec.catalog} has no ${info.model.modelJson}`);
  const groups = await readWeightsManifest(spec.id, modelJson.file.path);
  const byUrl = new Map(info.entries.map((entry, i) => [entry.url, { entry, file: fetched[i] }]));
  const relPaths = groups.flatMap((g) => g.paths);
  const shards = relPaths.map((rel) => {
    const url = new URL(rel, modelJson.entry.url).href;
    const shard = byUrl.get(url);
    if (!shard) throw new ModelFilesError(spec.id, `model.json names ${url}, which is not in ${spec.catalog}`);
    return shard;
  });
  // Catalog lists name an entry of the collection; read it from where the fetch put it.
  const entryPath = (list: string | ListSlice): string | ListSlice => {
    const id = typeof list === 'string' ? list : list.file;
    const file = byId.get(id)?.file.path;
    if (!file) throw new ModelFilesError(spec.id, `${spec.catalog} has no entry ${id}`);
    return typeof list === 'string' ? file : { ...list, file };
  };
  const labels = spec.labels ?? entryPath(info.model.labels);
  const wnids = spec.wnids ?? (info.model.wnids && entryPath(info.model.wnids));
  return finish(spec, {
    modelJsonPath: modelJson.file.path,
    weightPaths: shards.map((s) => s.file.path),
    labels: await readLabels(spec.id, labels, fetchOpts),
    ...(wnids && { wnids: await readLabels(spec.id, wnids, fetchOpts) }),
    preprocess: { ...info.model.preprocess, ...spec.preprocess },
    inputSize: spec.inputSize ?? info.model.inputSize,
    license: spec.license ?? info.license,
    credit: spec.credit ?? (info.credit || undefined),
    sha256: Object.fromEntries([['model.json', modelJson.entry.sha256], ...relPaths.map((rel, i) => [rel, shards[i].entry.sha256])]),
  });
}

async function resolveUrlModel(spec: UrlModelSpec, fetchOpts: FetchOptions): Promise<ModelFiles> {
  const pins = spec.sha256 ?? {};
  const modelJson = await fetchAssetInfo({ url: spec.modelUrl, sha256: pins['model.json'], label: `${spec.id} model.json` }, withHashing(fetchOpts)).catch((err: Error) => {
    throw new ModelFilesError(spec.id, `modelUrl "${spec.modelUrl}": ${err.message}`);
  });
  const raw = await readJsonFile(spec.id, modelJson.path);
  const groups = weightsManifestOf(spec.id, raw);
  const relPaths = groups.flatMap((g) => g.paths);
  const shardEntries = relPaths.map((rel) => ({ url: siblingOf(spec.modelUrl, rel), sha256: pins[rel], label: rel }));
  const shards = await fetchAllInfo(shardEntries, { label: `model ${spec.id}`, ...withHashing(fetchOpts) });
  const sha256 = Object.fromEntries([['model.json', modelJson.sha256!], ...relPaths.map((rel, i) => [rel, shards[i].sha256!])]);
  return finish(spec, {
    modelJsonPath: modelJson.path,
    weightPaths: shards.map((s) => s.path),
    labels: await readLabels(spec.id, spec.labels ?? (await findSiblingMetadata(spec, fetchOpts)), fetchOpts),
    ...(spec.wnids && { wnids: await readLabels(spec.id, spec.wnids, fetchOpts) }),
    preprocess: { ...MOBILENET_PREPROCESS, ...spec.preprocess },
    inputSize: spec.inputSize ?? inputSizeOf(raw) ?? 224,
    license: spec.license,
    credit: spec.credit,
    sha256,
  });
}

type Resolved = Omit<ModelFiles, 'id' | 'name' | 'contentHash'>;

function finish(spec: ModelSpec, files: Resolved): ModelFiles {
  const { sha256, labels, wnids, preprocess, inputSize } = files;
  if (wnids && wnids.length !== labels.length) throw new ModelFilesError(spec.id, `${wnids.length} WordNet ids for ${labels.length} labels`);
  // wnids only join the hash when present, so models without them keep their cache keys.
  const hashed = wnids ? { sha256, labels, wnids, preprocess, inputSize } : { sha256, labels, preprocess, inputSize };
  return { id: spec.id, name: spec.name ?? spec.id, ...files, contentHash: stableHash(hashed) };
}

/** Local model files are hashed too (once, then remembered), so contentHash always reflects the bytes. */
function withHashing(fetchOpts: FetchOptions): FetchOptions {
  return { ...fetchOpts, hashLocal: true };
}

function siblingOf(modelUrl: string, relative: string): string {
  if (/^https?:\/\//i.test(modelUrl)) return new URL(relative, modelUrl).href;
  return path.resolve(path.dirname(modelUrl.startsWith('file:') ? fileURLToPath(modelUrl) : modelUrl), relative);
}

async function readWeightsManifest(modelId: string, modelJsonPath: string): Promise<WeightsGroup[]> {
  return weightsManifestOf(modelId, await readJsonFile(modelId, modelJsonPath));
}

/** JSON.parse alone says "Unexpected end of JSON input": name the file (a truncated download, a cut copy). */
async function readJsonFile(modelId: string, file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const detail = (err as Error).message.replace(/^Unexpected end of JSON input$/, `it ends early, at position ${text.length}`);
    throw new ModelFilesError(modelId, `${file} is not valid JSON (${text.length} bytes): ${detail}`);
  }
}

function weightsManifestOf(modelId: string, modelJson: unknown): WeightsGroup[] {
  const groups = (modelJson as { weightsManifest?: unknown }).weightsManifest;
  const valid = Array.isArray(groups) && groups.every((g) => Array.isArray(g?.paths) && g.paths.every((p: unknown) => typeof p === 'string'));
  if (!valid) throw new ModelFilesError(modelId, 'model.json has no valid weightsManifest (is it a TensorFlow.js layers model?)');
  return groups as WeightsGroup[];
}

/** Keras exports record the input as batch_input_shape [null, H, W, C]; only square inputs are used. */
function inputSizeOf(modelJson: unknown): number | undefined {
  const found = /"(?:batch_input_shape|batchInputShape)":\s*\[\s*null\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*3\s*\]/.exec(JSON.stringify(modelJson));
  return found && found[1] === found[2] ? Number(found[1]) : undefined;
}

/** Teachable Machine and ml5 exports put {labels: [...]} in metadata.json next to model.json. */
async function findSiblingMetadata(spec: UrlModelSpec, fetchOpts: FetchOptions): Promise<string | undefined> {
  try {
    const url = siblingOf(spec.modelUrl, 'metadata.json');
    const file = await fetchAssetInfo({ url, label: `${spec.id} metadata.json` }, { ...fetchOpts, retries: 0 });
    return file.path;
  } catch {
    (fetchOpts.log ?? stderrLog).warn(`model "${spec.id}": no labels given and no metadata.json next to model.json; classes will be shown by index`);
    return undefined;
  }
}

/** Labels (or wnids): inline, a file, or the first `lines` lines of a file. */
async function readLabels(modelId: string, labels: string | string[] | ListSlice | undefined, fetchOpts: FetchOptions): Promise<string[]> {
  if (labels === undefined) return [];
  if (Array.isArray(labels)) return labels;
  const source = typeof labels === 'string' ? labels : labels.file;
  const file: FetchedAsset = await fetchAssetInfo({ url: source, label: `${modelId} labels` }, fetchOpts).catch((err: Error) => {
    throw new ModelFilesError(modelId, `labels "${source}": ${err.message}`);
  });
  const list = parseLabels(modelId, source, await readFile(file.path, 'utf8'));
  return typeof labels === 'string' ? list : firstLines(modelId, source, list, labels.lines);
}

/** The first n entries of a list file, which must have at least n. */
export function firstLines(modelId: string, source: string, list: string[], n: number): string[] {
  if (list.length < n) throw new ModelFilesError(modelId, `${source} has ${list.length} lines; the config asks for the first ${n}`);
  return list.slice(0, n);
}

/** .txt: one label per line; .json: an array, or an object with a `labels` array. */
export function parseLabels(modelId: string, source: string, text: string): string[] {
  if (!/\.json$/i.test(source.split('?')[0])) return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const parsed = JSON.parse(text) as unknown;
  const list = Array.isArray(parsed) ? parsed : (parsed as { labels?: unknown })?.labels;
  if (!Array.isArray(list) || !list.every((l) => typeof l === 'string')) {
    throw new ModelFilesError(modelId, `${source} should hold an array of strings or {"labels": [...]}`);
  }
  return list;
}
