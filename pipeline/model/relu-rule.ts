import * as tf from '@tensorflow/tfjs';

/**
 * The one place that decides how a rectifier passes the backward signal (Springenberg et al. 2015):
 * - gradient:  the true gradient, dy where the forward input was in the active range (saliency);
 * - deconvnet: Zeiler & Fergus: rectify the backward signal itself, ignoring the forward input;
 * - guided:    both: dy > 0 and forward input active (guided backpropagation);
 * - redirected: Lucid's redirected ReLU gradient for feature visualization (not an attribution rule,
 *   hence not in `reluRules`): per batch item, the true gradient when any of it gets through; for an
 *   item whose whole gradient at this rectifier would be zero, the signal where it pushes the input
 *   towards the active range (below 0 only dy > 0, above the cap only dy < 0, inside unchanged).
 *   dy is the gradient of an objective being maximized, as for the other rules.
 */
export type ReluRule = 'gradient' | 'deconvnet' | 'guided' | 'redirected';
/** The attribution rules (the reference backprop in the tests covers exactly these). */
export const reluRules: readonly ReluRule[] = ['gradient', 'deconvnet', 'guided'];

export interface Rectifier {
  /** Upper clip (6 for ReLU6), Infinity for a plain ReLU. */
  max: number;
  /**
   * LeakyReLU's slope below zero (Darknet: 0.1); 0 or absent for a ReLU. With a slope the rules read:
   * gradient passes dy·1 above zero and dy·α below (the true gradient); deconvnet rectifies dy and
   * ignores the forward input as for any rectifier (Zeiler & Fergus); guided rectifies dy and then
   * applies the forward slope, 1 or α (the true gradient of the positive part of dy).
   */
  alpha?: number;
}

const leaky = (r: Rectifier) => (r.alpha ?? 0) > 0;

function forward(x: tf.Tensor, r: Rectifier): tf.Tensor {
  if (leaky(r)) return tf.leakyRelu(x, r.alpha);
  return r.max === 6 ? tf.relu6(x) : Number.isFinite(r.max) ? tf.clipByValue(tf.relu(x), 0, r.max) : tf.relu(x);
}

/** LeakyReLU's forward slope from its output y: 1 where y > 0, α elsewhere (α + (1 − α)·step(y)). */
function leakySlope(y: tf.Tensor, alpha: number): tf.Tensor {
  return tf.add(alpha, tf.mul(1 - alpha, tf.step(y)));
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
  if (leaky(r)) return leakyBackward(dy, y, r.alpha!, rule);
  switch (rule) {
    case 'gradient':
      return tf.mul(dy, activeMask(y, r));
    case 'deconvnet':
      return tf.relu(dy);
    case 'guided':
      return tf.mul(tf.relu(dy), activeMask(y, r));
    case 'redirected':
      return redirectedBackward(dy, y, r);
  }
}

/**
 * LeakyReLU never blocks a gradient, so Lucid's redirection has nothing to redirect: 'redirected' is
 * the true gradient here.
 */
function leakyBackward(dy: tf.Tensor, y: tf.Tensor, alpha: number, rule: ReluRule): tf.Tensor {
  switch (rule) {
    case 'gradient':
    case 'redirected':
      return tf.mul(dy, leakySlope(y, alpha));
    case 'deconvnet':
      return tf.relu(dy);
    case 'guided':
      return tf.mul(tf.relu(dy), leakySlope(y, alpha));
  }
}

/** Lucid's redirected_relu_grad / redirected_relu6_grad, from the forward output y (see ReluRule). */
function redirectedBackward(dy: tf.Tensor, y: tf.Tensor, r: Rectifier): tf.Tensor {
  const active = activeMask(y, r);
  const plain = tf.mul(dy, active);
  // Below the range (y = 0) keep only dy that raises the input; above it (y = max) only dy that lowers it.
  const below = tf.sub(1, tf.step(y));
  let redirected = tf.add(plain, tf.mul(tf.relu(dy), below));
  if (Number.isFinite(r.max)) redirected = tf.sub(redirected, tf.mul(tf.relu(tf.neg(dy)), tf.sub(1, tf.step(tf.sub(r.max, y)))));
  // Per item: has any gradient passed the plain rule? (sum of |·|, which cannot underflow as a squared norm can.)
  const axes = Array.from({ length: dy.rank - 1 }, (_, i) => i + 1);
  const passes = tf.step(tf.sum(tf.abs(plain), axes, true));
  return tf.add(redirected, tf.mul(passes, tf.sub(plain, redirected)));
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
