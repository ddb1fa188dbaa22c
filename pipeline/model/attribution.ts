import * as tf from '@tensorflow/tfjs';
import { layerOf, type AtlasModel } from './atlas-model.ts';
import { execute } from './executor.ts';
import type { ReluRule } from './relu-rule.ts';
import { resolveTarget, type Target } from './targets.ts';

/**
 * Captum-style attribution: (model, input, target) → a map of the input's shape. The ReLU backward
 * rule picks saliency ('gradient'), Zeiler & Fergus deconvnet ('deconvnet') or guided backprop.
 * Input: a preprocessed batch [N, H, W, 3]; each item gets the gradient of its own target.
 */
export function inputAttribution(model: AtlasModel, x: tf.Tensor4D, target: Target, rule: ReluRule = 'gradient'): tf.Tensor4D {
  const { node, weights } = resolveTarget(model, target, x.shape[0]);
  try {
    const input = model.runGraph.inputName;
    const objective = (inp: tf.Tensor) => tf.sum(tf.mul(execute(model.runGraph, { [input]: inp }, [node], rule)[node], weights));
    return tf.grad(objective)(x) as tf.Tensor4D;
  } finally {
    if (target.kind !== 'weights') weights.dispose();
  }
}

/**
 * The gradient of a target with respect to an intermediate layer's output (what Grad-CAM weighs),
 * returned with that layer's activation from the same forward pass.
 */
export function layerAttribution(
  model: AtlasModel,
  x: tf.Tensor4D,
  target: Target,
  wrtLayer: string,
  rule: ReluRule = 'gradient',
): { activation: tf.Tensor; gradient: tf.Tensor } {
  const from = model.runNode(layerOf(model, wrtLayer).outputNode);
  const activation = tf.tidy(() => execute(model.runGraph, { [model.runGraph.inputName]: x }, [from], rule)[from]);
  const { node, weights } = resolveTarget(model, target, x.shape[0]);
  try {
    const objective = (a: tf.Tensor) => tf.sum(tf.mul(execute(model.runGraph, { [from]: a }, [node], rule)[node], weights));
    return { activation, gradient: tf.grad(objective)(activation) };
  } finally {
    if (target.kind !== 'weights') weights.dispose();
  }
}
