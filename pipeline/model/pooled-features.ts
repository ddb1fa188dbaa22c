import * as tf from '@tensorflow/tfjs';
import type { ImageTensorData } from '../assets/images.ts';
import { forEachBatch } from './activations.ts';
import { layerOf, type AtlasModel } from './atlas-model.ts';

/**
 * Every requested layer's globally average-pooled output for a list of images, from one streamed
 * pass: each image is decoded and run through the network once, whatever the number of layers.
 * Returns per layer a row-major [count, channels] matrix.
 */
export async function pooledFeatures(
  model: AtlasModel,
  count: number,
  loadBatch: (start: number, end: number) => Promise<ImageTensorData[]>,
  layerIds: string[],
  opts: { batchSize?: number; onBatch?: (done: number) => void } = {},
): Promise<Map<string, Float32Array>> {
  const channels = layerIds.map((id) => layerOf(model, id).channels);
  const out = new Map(layerIds.map((id, i) => [id, new Float32Array(count * channels[i])]));
  await forEachBatch(model, count, opts.batchSize ?? 16, loadBatch, layerIds, async (acts, start, end) => {
    const pooled = tf.tidy(() => layerIds.map((id, i) => tf.mean(tf.reshape(acts[id], [end - start, -1, channels[i]]), 1)));
    const host = await Promise.all(pooled.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(pooled);
    layerIds.forEach((id, i) => out.get(id)!.set(host[i], start * channels[i]));
    opts.onBatch?.(end - start);
  });
  return out;
}
