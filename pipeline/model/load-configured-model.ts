import type { FetchOptions } from '../assets/fetch-asset.ts';
import { resolveModelFiles, type ModelSpec as ConfiguredModel } from '../assets/model-files.ts';
import type { AtlasModel } from './atlas-model.ts';
import { loadAtlasModel } from './load-model.ts';
import { resolveTrainedSpec } from '../training/trained-model.ts';

/** A model from the config (catalog entry, URL or local path) → files in the cache → a runnable AtlasModel. */
export async function loadConfiguredModel(spec: ConfiguredModel, fetchOpts: FetchOptions = {}): Promise<AtlasModel> {
  const files = await resolveModelFiles(await resolveTrainedSpec(spec, fetchOpts), fetchOpts);
  return loadAtlasModel(files, {
    id: files.id,
    name: files.name,
    labels: files.labels,
    ...(files.wnids && { wnids: files.wnids }),
    inputSize: [files.inputSize, files.inputSize],
    preprocess: files.preprocess,
    contentHash: files.contentHash,
    fileSha256: files.sha256,
    license: files.license,
    credit: files.credit,
  });
}
