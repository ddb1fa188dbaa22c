import * as tf from '@tensorflow/tfjs';

/**
 * a @ b whose gradient avoids transposed matmuls. tfjs's matMul gradient multiplies with
 * transposeA/transposeB, which on wasm runs about 10x slower than an explicit transpose followed by
 * a plain matmul; this op does the latter. 2-D, or 3-D with equal batch sizes.
 */
export function matMulT(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const swap = a.rank === 3 ? [0, 2, 1] : [1, 0];
  const op = tf.customGrad(((x: tf.Tensor, y: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x, y]);
    return {
      value: tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, [sx, sy]: tf.Tensor[]) => [
        tf.matMul(dy as tf.Tensor2D, tf.transpose(sy, swap) as tf.Tensor2D),
        tf.matMul(tf.transpose(sx, swap) as tf.Tensor2D, dy as tf.Tensor2D),
      ],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(a, b);
}

/** A @ x for a constant A whose transpose At is given: the gradient reaches x only. */
export function constLeftMatMul(A: tf.Tensor2D, At: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor2D {
  // `save` keeps At alive for the backward pass even when the caller's tidy frees it first.
  const op = tf.customGrad(((v: tf.Tensor, save: tf.GradSaveFunc) => {
    save([At]);
    return { value: tf.matMul(A, v as tf.Tensor2D), gradFunc: (dy: tf.Tensor, [t]: tf.Tensor[]) => tf.matMul(t as tf.Tensor2D, dy as tf.Tensor2D) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as tf.Tensor2D;
}

/** x @ B for a constant B whose transpose Bt is given: the gradient reaches x only. */
export function constRightMatMul(x: tf.Tensor2D, B: tf.Tensor2D, Bt: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad(((v: tf.Tensor, save: tf.GradSaveFunc) => {
    save([Bt]);
    return { value: tf.matMul(v as tf.Tensor2D, B), gradFunc: (dy: tf.Tensor, [t]: tf.Tensor[]) => tf.matMul(dy as tf.Tensor2D, t as tf.Tensor2D) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as tf.Tensor2D;
}
