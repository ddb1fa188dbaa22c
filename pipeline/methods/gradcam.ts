import * as tf from '@tensorflow/tfjs';
import { layerOf, type AtlasModel } from '../model/atlas-model.ts';
import { execute } from '../model/executor.ts';
import { resolveTarget } from '../model/targets.ts';

export interface GradCamResult {
  /** One [h·w] map per class: ReLU(Σ_c α_c A_c), not normalized, so classes compare on one scale. */
  maps: Float32Array[];
  /** [h, w] of the layer. */
  shape: [number, number];
  /** One [channels] vector of α_c per class. */
  alphas: Float32Array[];
}

/**
 * The layer's activation A [1, h, w, c] and, for each class, d(class logit)/dA from one batched
 * backward pass. The forward runs once: only the (cheap) head above the layer is repeated per class.
 */
function activationAndGradients(model: AtlasModel, x: tf.Tensor4D, classIndices: number[], from: string): { a: tf.Tensor; grads: tf.Tensor } {
  const graph = model.runGraph;
  const a = tf.tidy(() => execute(graph, { [graph.inputName]: x }, [from])[from]);
  const n = classIndices.length;
  const { node, weights } = resolveTarget(model, { kind: 'class', index: classIndices }, n);
  const tiled = tf.tile(a, [n, 1, 1, 1]);
  try {
    const objective = (t: tf.Tensor) => tf.sum(tf.mul(execute(graph, { [from]: t }, [node])[node], weights));
    return { a, grads: tf.grad(objective)(tiled) };
  } finally {
    tf.dispose([tiled, weights]);
  }
}

/**
 * Grad-CAM (Selvaraju et al. 2017): α_c = spatial mean of d(pre-softmax class score)/dA_c, map =
 * ReLU(Σ_c α_c A_c) at the layer's resolution. Input: one preprocessed image [1, H, W, 3].
 * The head above `layer` must depend on the input only through that layer (true for chains).
 */
export async function gradCam(model: AtlasModel, x: tf.Tensor4D, classIndices: number[], layer: string): Promise<GradCamResult> {
  if (x.shape[0] !== 1) throw new Error(`gradCam takes one image, got a batch of ${x.shape[0]}`);
  if (classIndices.length === 0) throw new Error('gradCam: no classes given');
  const info = layerOf(model, layer);
  if (!info.spatial) throw new Error(`gradCam needs a spatial layer; "${layer}" has shape [${info.shape.join(', ')}]`);
  const from = model.runNode(info.outputNode);
  const { a, grads } = activationAndGradients(model, x, classIndices, from);
  const [alphas, maps] = tf.tidy(() => {
    const alpha = tf.mean(grads, [1, 2]);
    const weighted = tf.sum(tf.mul(a, tf.reshape(alpha, [classIndices.length, 1, 1, -1])), 3);
    return [alpha, tf.relu(weighted)];
  });
  try {
    const [alphaData, mapData] = await Promise.all([alphas.data(), maps.data()]);
    const [, h, w, c] = a.shape;
    return {
      maps: classIndices.map((_, i) => Float32Array.from(mapData.subarray(i * h * w, (i + 1) * h * w) as Float32Array)),
      shape: [h, w],
      alphas: classIndices.map((_, i) => Float32Array.from(alphaData.subarray(i * c, (i + 1) * c) as Float32Array)),
    };
  } finally {
    tf.dispose([a, grads, alphas, maps]);
  }
}
