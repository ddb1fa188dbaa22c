import type { FetchOptions } from '../assets/fetch-asset.ts';
import type { ModelSpec } from '../assets/model-files.ts';
import { analyseImage, type AnalyseImageJob } from '../analyses/analyse-image.ts';
import { classModels, type ClassModelsJob } from '../atlas/class-models.ts';
import { featureVisExtras, featureVisUnits, type FeatureVisExtrasJob, type FeatureVisJob } from '../atlas/feature-vis.ts';
import { unitPatches, type UnitPatchesJob } from '../atlas/unit-patches.ts';
import { initBackend } from '../engine/backend.ts';
import { loadConfiguredModel } from '../model/load-configured-model.ts';

/**
 * Tasks a pipeline worker runs with its own tfjs instance and its own copy of one model (loaded
 * once, from the download cache the main thread already filled).
 */
export interface ModelTaskInit {
  model: ModelSpec;
  fetchOpts: Pick<FetchOptions, 'cacheDir' | 'mirrorDir' | 'baseDir'>;
  backend?: string;
}

export async function setup(init: ModelTaskInit) {
  const backend = await initBackend(init.backend);
  const model = await loadConfiguredModel(init.model, { ...init.fetchOpts, progress: false });
  return {
    analyseImage: (job: AnalyseImageJob) => analyseImage(model, backend, job),
    unitPatches: (job: UnitPatchesJob) => unitPatches(model, job),
    featureVis: (job: FeatureVisJob) => featureVisUnits(model, job),
    featureVisExtras: (job: FeatureVisExtrasJob) => featureVisExtras(model, job),
    classModels: (job: ClassModelsJob) => classModels(model, job),
  };
}
