import * as tf from '@tensorflow/tfjs';

/** UnsortedSegmentSum (the gradient of gather) as a one-hot matmul: missing on wasm, and matmul is fast there. */
export function unsortedSegmentSum(x: tf.Tensor, segmentIds: tf.Tensor, numSegments: number): tf.Tensor {
  return tf.tidy(() => {
    const rows = segmentIds.size;
    const rest = x.shape.slice(segmentIds.rank);
    const flat = tf.reshape(x, [rows, -1]) as tf.Tensor2D;
    // Ids outside [0, numSegments) are dropped, as TensorFlow does: oneHot gives them an all-zero row.
    // (wasm's OneHot writes zeros when asked for float32 output, hence the int32 one and a cast.)
    const ids = tf.cast(tf.reshape(segmentIds, [rows]), 'int32') as tf.Tensor1D;
    const assign = tf.cast(tf.oneHot(ids, numSegments), 'float32') as tf.Tensor2D;
    const summed = tf.matMul(assign, tf.cast(flat, 'float32'), true, false);
    return tf.cast(tf.reshape(summed, [numSegments, ...rest]), x.dtype);
  });
}
