import * as tf from '@tensorflow/tfjs';

/**
 * The one place that decides how a rectifier passes the backward signal (Springenberg et al. 2015):
 * - gradient:  the true gradient, dy where the forward input was in the active range (saliency);
 * - deconvnet: Zeiler & Fergus: rectify the backward signal itself, ignoring the forward input;
 * - guided:    both: dy > 0 and forward input active (guided backpropagation).
 */
export type ReluRule = 'gradient' | 'deconvnet' | 'guided';
export const reluRules: readonly ReluRule[] = ['gradient', 'deconvnet', 'guided'];

export interface Rectifier {
  /** Upper clip (6 for ReLU6), Infinity for a plain ReLU. */
  max: number;
}

function forward(x: tf.Tensor, r: Rectifier): tf.Tensor {
  return r.max === 6 ? tf.relu6(x) : Number.isFinite(r.max) ? tf.clipByValue(tf.relu(x), 0, r.max) : tf.relu(x);
}

/**
 * 1 where the rectifier passes its input, from the forward output y: y·(max − y) > 0 iff 0 < y < max.
 * Step/Sub/Mul are fast on wasm, its comparison kernels are not.
 */
function activeMask(y: tf.Tensor, r: Rectifier): tf.Tensor {
  return Number.isFinite(r.max) ? tf.step(tf.mul(y, tf.sub(r.max, y))) : tf.step(y);
}

/** Backward signal for a rectifier under a rule, given its forward output y. */
export function rectifierBackward(dy: tf.Tensor, y: tf.Tensor, r: Rectifier, rule: ReluRule): tf.Tensor {
  switch (rule) {
    case 'gradient':
      return tf.mul(dy, activeMask(y, r));
    case 'deconvnet':
      return tf.relu(dy);
    case 'guided':
      return tf.mul(tf.relu(dy), activeMask(y, r));
  }
}

/** A rectifier whose backward pass follows `rule`. */
export function rectify(x: tf.Tensor, r: Rectifier, rule: ReluRule): tf.Tensor {
  const body = (input: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = forward(input, r);
    save([y]);
    return { value: y, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => rectifierBackward(dy, saved[0], r, rule) };
  };
  const op = tf.customGrad(body as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x);
}
