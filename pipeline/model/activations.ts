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

/**
 * Several layers' outputs and their values before the rectifiers from one forward pass: `pre` is
 * what rankings compare (a capped rectifier such as ReLU6 makes many outputs tie at the cap), the
 * outputs are what figures show.
 */
export function runLayersWithPre(model: AtlasModel, x: tf.Tensor4D, layerIds: string[]): { acts: Record<string, tf.Tensor>; pre: Record<string, tf.Tensor> } {
  return tf.tidy(() => {
    const post = layerIds.map((id) => model.runNode(layerOf(model, id).outputNode));
    const pre = layerIds.map((id) => preActivationNode(model, layerOf(model, id)));
    const out = execute(model.runGraph, { [model.runGraph.inputName]: x }, [...new Set([...post, ...pre])]);
    return {
      acts: Object.fromEntries(layerIds.map((id, i) => [id, out[post[i]]])),
      pre: Object.fromEntries(layerIds.map((id, i) => [id, out[pre[i]]])),
    };
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
 * runs, hands each batch's activations (and, with `withPre`, the same layers' values before their
 * rectifiers) to `onBatch` and frees them afterwards, so memory stays flat whatever the dataset size.
 */
export async function forEachBatch(
  model: AtlasModel,
  count: number,
  batchSize: number,
  loadBatch: (start: number, end: number) => Promise<ImageTensorData[]>,
  layerIds: string[],
  onBatch: (acts: Record<string, tf.Tensor>, start: number, end: number, pre: Record<string, tf.Tensor>) => Promise<void> | void,
  withPre = false,
): Promise<void> {
  const load = (start: number) => loadBatch(start, Math.min(count, start + batchSize));
  let next = count > 0 ? load(0) : null;
  for (let start = 0; start < count; start += batchSize) {
    const images = await next!;
    if (start + batchSize < count) next = load(start + batchSize);
    const x = imageBatch(model, images);
    const { acts, pre } = withPre ? runLayersWithPre(model, x, layerIds) : { acts: runLayers(model, x, layerIds), pre: {} };
    try {
      await onBatch(acts, start, start + images.length, pre);
    } finally {
      // A layer without a rectifier has the same tensor in both; disposing twice is harmless.
      tf.dispose([x, ...Object.values(acts), ...Object.values(pre)]);
    }
  }
}
