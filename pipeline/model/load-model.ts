import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { atlasModelFromLayersModel, type AtlasModel, type ModelSpec } from './atlas-model.ts';

export interface ModelFiles {
  modelJsonPath: string;
  /** Weight shard paths in the order of the model.json weightsManifest. */
  weightPaths: string[];
}

/** A tfjs LayersModel from local files (tfjs's file:// loader exists only in tfjs-node). */
export async function loadLayersModelFromFiles(files: ModelFiles): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(files.modelJsonPath, 'utf8'));
  if (!json.modelTopology || !json.weightsManifest) {
    throw new Error(`${files.modelJsonPath} is not a TensorFlow.js layers model (needs modelTopology and weightsManifest)`);
  }
  const weightSpecs = json.weightsManifest.flatMap((group: { weights: tf.io.WeightsManifestEntry[] }) => group.weights);
  const shards = await Promise.all(files.weightPaths.map((p) => readFile(p)));
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }));
}

export async function loadAtlasModel(files: ModelFiles, spec: ModelSpec): Promise<AtlasModel> {
  return atlasModelFromLayersModel(await loadLayersModelFromFiles(files), spec);
}
