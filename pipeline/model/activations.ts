import * as tf from '@tensorflow/tfjs';
import { layerOf, type AtlasModel } from './atlas-model.ts';
import { execute } from './executor.ts';

/** RGB images, values 0..255, [N, H, W, 3] → the model's input (channel order, x·scale + offset). */
export function preprocess(model: AtlasModel, rgb: tf.Tensor4D): tf.Tensor4D {
  const { scale, offset, channelOrder } = model.preprocess;
  return tf.tidy(() => {
    const ordered = channelOrder === 'bgr' ? tf.reverse(rgb, 3) : rgb;
    return tf.add(tf.mul(ordered, scale), offset) as tf.Tensor4D;
  });
}

/** Several layers' activations from one forward pass. Input: a preprocessed batch. */
export function runLayers(model: AtlasModel, x: tf.Tensor4D, layerIds: string[]): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const nodes = layerIds.map((id) => model.runNode(layerOf(model, id).outputNode));
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
 * Streams a large set of images through the network in batches, handing each batch's activations
 * to `onBatch` and freeing them afterwards, so memory stays flat whatever the dataset size.
 */
export async function forEachBatch(
  model: AtlasModel,
  count: number,
  batchSize: number,
  loadBatch: (start: number, end: number) => Promise<tf.Tensor4D>,
  layerIds: string[],
  onBatch: (acts: Record<string, tf.Tensor>, start: number, end: number) => Promise<void> | void,
): Promise<void> {
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    const rgb = await loadBatch(start, end);
    const x = preprocess(model, rgb);
    const acts = runLayers(model, x, layerIds);
    try {
      await onBatch(acts, start, end);
    } finally {
      tf.dispose([rgb, x, ...Object.values(acts)]);
    }
  }
}
