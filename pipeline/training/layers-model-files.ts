import * as tf from '@tensorflow/tfjs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { loadLayersModelFromFiles } from '../model/load-model.ts';

/**
 * Saves a layers model as model.json + weights.bin in `dir`, the layout a user's own model has, so
 * the gallery loads it through the same `modelUrl` config path. weights.bin is written before
 * model.json: a reader that finds model.json finds complete weights.
 */
export async function saveLayersModel(model: tf.LayersModel, dir: string, extra: Record<string, unknown> = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData!;
      const bytes = new Uint8Array(Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data);
      await writeFileAtomic(path.join(dir, 'weights.bin'), bytes);
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js ${tf.version.tfjs} (ConvNet Atlas training)`,
        ...extra,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      await writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

export function loadSavedLayersModel(dir: string): Promise<tf.LayersModel> {
  return loadLayersModelFromFiles({ modelJsonPath: path.join(dir, 'model.json'), weightPaths: [path.join(dir, 'weights.bin')] });
}
