import type { ListSlice } from './catalog-format.ts';
import type { Preprocess } from './preprocess.ts';
import type { AnalysisSettings } from '../analyses/settings.ts';
import type { AtlasSettings } from '../atlas/settings.ts';
import type { Overrides } from '../config/settings-overrides.ts';

/** A model as the config describes it, with paths already absolute (see config/load-config.ts). */
interface ModelSpecBase {
  id: string;
  name?: string;
  /** Inline class names, or an absolute path / URL of a .json or .txt file, or the first N lines of one. */
  labels?: string | string[] | ListSlice;
  /** WordNet id per class (same forms as labels): maps wnid-labelled datasets onto this model's order. */
  wnids?: string | string[] | ListSlice;
  inputSize?: number;
  preprocess?: Partial<Preprocess>;
  license?: string;
  credit?: string;
  /** This model's overrides of the config's analysis and atlas settings (see config/model-settings.ts). */
  analyses?: Overrides<AnalysisSettings>;
  atlas?: Overrides<AtlasSettings>;
  /** This model's own dataset, resolved like the config's (see config/load-config.ts). */
  dataset?: { catalog: string; limit?: number } | { folder: string; limit?: number };
}

export interface CatalogModelSpec extends ModelSpecBase {
  catalog: string;
}

export interface UrlModelSpec extends ModelSpecBase {
  /** https URL, file:// URL or path of a TensorFlow.js layers model.json. */
  modelUrl: string;
  /** Known hashes keyed by path relative to model.json. */
  sha256?: Record<string, string>;
}

/** A model trained by this project at build time (pipeline/training); it resolves to a UrlModelSpec. */
export interface TrainedModelSpec extends ModelSpecBase {
  trained: 'cifar10';
}

export type ModelSpec = CatalogModelSpec | UrlModelSpec | TrainedModelSpec;

export function isTrainedModel(spec: ModelSpec): spec is TrainedModelSpec {
  return 'trained' in spec && typeof spec.trained === 'string';
}

export function isCatalogModel(spec: ModelSpec): spec is CatalogModelSpec {
  return 'catalog' in spec && typeof spec.catalog === 'string';
}
