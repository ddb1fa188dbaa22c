import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { atlasModelFromLayersModel, type AtlasModel, type ModelSpec } from './atlas-model.ts';
import { isSupportedLayerClass, UnsupportedLayerError } from './from-layers-model.ts';

export interface ModelFiles {
  modelJsonPath: string;
  /** Weight shard paths in the order of the model.json weightsManifest. */
  weightPaths: string[];
}

interface TopologyLayer {
  class_name?: string;
  className?: string;
  name?: string;
  config?: { name?: string; layers?: TopologyLayer[] };
}

/**
 * Layers tfjs would build but this project cannot run (or tfjs itself does not know): named with
 * their class before tfjs gets to fail on them with a message about a config field.
 */
function checkLayerClasses(modelJsonPath: string, topology: unknown): void {
  const root = (topology as { model_config?: TopologyLayer; modelConfig?: TopologyLayer }).model_config ?? (topology as { modelConfig?: TopologyLayer }).modelConfig ?? (topology as TopologyLayer);
  const layers = root?.config?.layers ?? [];
  for (const layer of layers) {
    const className = layer.class_name ?? layer.className ?? '?';
    const name = layer.config?.name ?? layer.name ?? '?';
    if (!isSupportedLayerClass(className)) throw new Error(`${modelJsonPath}: ${new UnsupportedLayerError(name, className).message}`);
  }
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, bool: 1, float16: 2 };

/**
 * A NaN or infinite weight makes dead units and wrong predictions that surface only much later
 * (as a failed gradient step): refuse the model here, naming the tensor and the shard it is in.
 */
function checkFiniteWeights(specs: tf.io.WeightsManifestEntry[], shards: Buffer[], paths: string[]): void {
  const all = Buffer.concat(shards);
  const view = new DataView(all.buffer, all.byteOffset, all.byteLength);
  let end = 0;
  const ends = shards.map((s) => (end += s.byteLength));
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const size = count * (BYTES[spec.dtype] ?? 4);
    if (spec.dtype === 'float32' && !spec.quantization) {
      for (let i = 0; i < count; i++) {
        const v = view.getFloat32(offset + i * 4, true);
        if (!Number.isFinite(v)) {
          const at = offset + i * 4;
          const shard = ends.findIndex((end) => at < end);
          throw new Error(`weight "${spec.name}" holds ${v} (element ${i} of ${count}) in ${paths[shard] ?? paths.at(-1)}: the model file is corrupt or was saved after training diverged`);
        }
      }
    }
    offset += spec.quantization ? count * (BYTES[spec.quantization.dtype] ?? 1) : size;
  }
}

/** A tfjs LayersModel from local files (tfjs's file:// loader exists only in tfjs-node). */
export async function loadLayersModelFromFiles(files: ModelFiles): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(files.modelJsonPath, 'utf8'));
  if (!json.modelTopology || !json.weightsManifest) {
    throw new Error(`${files.modelJsonPath} is not a TensorFlow.js layers model (needs modelTopology and weightsManifest)`);
  }
  checkLayerClasses(files.modelJsonPath, json.modelTopology);
  const weightSpecs = json.weightsManifest.flatMap((group: { weights: tf.io.WeightsManifestEntry[] }) => group.weights);
  const shards = await Promise.all(files.weightPaths.map((p) => readFile(p)));
  checkFiniteWeights(weightSpecs, shards, files.weightPaths);
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData })).catch((err: Error) => {
    throw new Error(`${files.modelJsonPath}: TensorFlow.js could not build the model: ${err.message}`);
  });
}

export async function loadAtlasModel(files: ModelFiles, spec: ModelSpec): Promise<AtlasModel> {
  return atlasModelFromLayersModel(await loadLayersModelFromFiles(files), spec);
}
