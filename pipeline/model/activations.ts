import * as tf from '@tensorflow/tfjs';
import { layerOf, preActivationNode, type AtlasModel } from './atlas-model.ts';
import { execute } from './executor.ts';
import { imageBatch } from './image-batch.ts';
import type { ImageTensorData } from '../assets/images.ts';

/** Several layers' activations from one forward pass. Input: a preprocessed batch. */
export function runLayers(model: AtlasModel, x: tf.Tensor4D, layerIds: string[]): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const nodes = layerIds.map((id) => model.runNode(layerOf(model, id).outputNode));
    const out = execute(model.runGraph, { [model.runGraph.inputName]: x }, [...new Set(nodes)]);
    return Object.fromEntries(layerIds.map((id, i) => [id, out[nodes[i]]]));
  });
}

/** Several layers' values before their rectifiers (see preActivationNode), from one forward pass. */
export function runPreActivations(model: AtlasModel, x: tf.Tensor4D, layerIds: string[]): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const nodes = layerIds.map((id) => preActivationNode(model, layerOf(model, id)));
    const out = execute(model.runGraph, { [model.runGraph.inputName]: x }, [...new Set(nodes)]);
    return Object.fromEntries(layerIds.map((id, i) => [id, out[nodes[i]]]));
  });
}

/** Pre-softmax class scores [N, classes]. */
export function logits(model: AtlasModel, x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const node = model.runNode(model.logitsNode);
    const out = execute(model.runGraph, { [model.runGraph.inputName]: x }, [node])[node];
    return tf.reshape(out, [x.shape[0], -1]) as tf.Tensor2D;
  });
}

export interface Prediction {
  index: number;
  label: string;
  probability: number;
}

export async function classify(model: AtlasModel, x: tf.Tensor4D, k = 5): Promise<Prediction[][]> {
  const { values, indices } = tf.tidy(() => tf.topk(tf.softmax(logits(model, x)), k));
  const [p, idx] = [await values.array(), await indices.array()];
  tf.dispose([values, indices]);
  return p.map((row, n) => row.map((probability, j) => ({ index: idx[n][j], label: model.labels[idx[n][j]], probability })));
}

/**
 * Streams a set of images through the network in batches: decodes the next batch while this one
 * runs, hands each batch's activations to `onBatch` and frees them afterwards, so memory stays flat
 * whatever the dataset size.
 */
export async function forEachBatch(
  model: AtlasModel,
  count: number,
  batchSize: number,
  loadBatch: (start: number, end: number) => Promise<ImageTensorData[]>,
  layerIds: string[],
  onBatch: (acts: Record<string, tf.Tensor>, start: number, end: number) => Promise<void> | void,
): Promise<void> {
  const load = (start: number) => loadBatch(start, Math.min(count, start + batchSize));
  let next = count > 0 ? load(0) : null;
  for (let start = 0; start < count; start += batchSize) {
    const images = await next!;
    if (start + batchSize < count) next = load(start + batchSize);
    const x = imageBatch(model, images);
    const acts = runLayers(model, x, layerIds);
    try {
      await onBatch(acts, start, start + images.length);
    } finally {
      tf.dispose([x, ...Object.values(acts)]);
    }
  }
}
