import * as tf from '@tensorflow/tfjs';

/**
 * A linear read-out of frozen features (Zeiler & Fergus Sec. 5: a softmax classifier on top of a
 * fixed layer): multinomial logistic regression with an L2 penalty on the weights, on features
 * standardised with the training set's mean and spread. Full-batch Adam from all-zero weights, a
 * fixed number of steps: no randomness, so the same features give the same classifier.
 */

export interface ProbeOptions {
  /** Weight of ½‖W‖² added to the mean cross-entropy. */
  l2: number;
  steps: number;
  learningRate: number;
}

export const DEFAULT_PROBE: ProbeOptions = { l2: 1e-3, steps: 100, learningRate: 0.1 };

export interface LinearProbe {
  classes: number;
  dims: number;
  /** Predicted class per row of a [n, dims] feature matrix. */
  predict(x: Float32Array, n: number): Int32Array;
  /** Mean cross-entropy + L2 term at the end of training. */
  finalLoss: number;
  /** Frees the weights (tfjs tensors). */
  dispose(): void;
}

export function fitLinearProbe(x: Float32Array, labels: ArrayLike<number>, n: number, dims: number, classes: number, opts: ProbeOptions = DEFAULT_PROBE): LinearProbe {
  if (x.length !== n * dims) throw new Error(`features hold ${x.length} values, expected ${n}×${dims}`);
  if (labels.length !== n) throw new Error(`${labels.length} labels for ${n} examples`);
  for (let i = 0; i < n; i++) if (!(labels[i] >= 0 && labels[i] < classes)) throw new Error(`label ${labels[i]} of example ${i} is not a class index below ${classes}`);
  let finalLoss = NaN;
  const [mean, scale] = tf.tidy(() => {
    const t = tf.tensor2d(x, [n, dims]);
    const m = tf.mean(t, 0);
    const sd = tf.sqrt(tf.mean(tf.square(tf.sub(t, m)), 0));
    // A constant feature carries nothing: scale 0 keeps it at 0 instead of dividing by ~0.
    return [m, tf.where(tf.greater(sd, 1e-6), tf.div(1, tf.maximum(sd, 1e-6)), tf.zerosLike(sd))];
  });
  const standardise = (t: tf.Tensor2D) => tf.mul(tf.sub(t, mean), scale) as tf.Tensor2D;
  const xs = tf.tidy(() => standardise(tf.tensor2d(x, [n, dims])));
  const ys = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), classes);
  // The gradient is written out (X^T (softmax(XW + b) − Y) / n + λW) and Adam applied by hand:
  // a handful of kernels per step instead of autodiff's and the optimizer's ~70, which dominated
  // the time of the many small probes.
  let w: tf.Tensor = tf.zeros([dims, classes]);
  let b: tf.Tensor = tf.zeros([classes]);
  const moments = [tf.zeros([dims, classes]), tf.zeros([classes]), tf.zeros([dims, classes]), tf.zeros([classes])];
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  try {
    for (let step = 1; step <= opts.steps; step++) {
      const next = tf.tidy(() => {
        const p = tf.softmax(tf.add(tf.matMul(xs, w), b));
        const d = tf.div(tf.sub(p, ys), n);
        const grads = [tf.add(tf.matMul(xs, d, true, false), tf.mul(opts.l2, w)), tf.sum(d, 0)];
        const rate = (opts.learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
        const out: tf.Tensor[] = [];
        [w, b].forEach((param, k) => {
          const m = tf.add(tf.mul(beta1, moments[k]), tf.mul(1 - beta1, grads[k]));
          const v = tf.add(tf.mul(beta2, moments[k + 2]), tf.mul(1 - beta2, tf.square(grads[k])));
          out.push(tf.sub(param, tf.mul(rate, tf.div(m, tf.add(tf.sqrt(v), eps)))), m, v);
        });
        return out;
      });
      tf.dispose([w, b, ...moments]);
      [w, moments[0], moments[2], b, moments[1], moments[3]] = next;
    }
    finalLoss = tf.tidy(() => {
      const ce = tf.losses.softmaxCrossEntropy(ys, tf.add(tf.matMul(xs, w), b));
      return tf.add(ce, tf.mul(opts.l2 / 2, tf.sum(tf.square(w)))).dataSync()[0];
    });
  } finally {
    tf.dispose([xs, ys, ...moments]);
  }
  return {
    classes,
    dims,
    finalLoss,
    predict(features, rows) {
      if (features.length !== rows * dims) throw new Error(`features hold ${features.length} values, expected ${rows}×${dims}`);
      return tf.tidy(() => tf.argMax(tf.add(tf.matMul(standardise(tf.tensor2d(features, [rows, dims])), w), b), 1).dataSync() as Int32Array);
    },
    dispose: () => tf.dispose([w, b, mean, scale]),
  };
}

/** Share of rows whose predicted class is the label. */
export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predicted.length !== labels.length) throw new Error(`${predicted.length} predictions for ${labels.length} labels`);
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right++;
  return labels.length ? right / labels.length : 0;
}
