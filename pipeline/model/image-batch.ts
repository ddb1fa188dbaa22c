import * as tf from '@tensorflow/tfjs';
import type { ImageTensorData } from '../assets/images.ts';
import type { AtlasModel } from './atlas-model.ts';

/** RGB images, values 0..255, [N, H, W, 3] → the model's input (channel order, x·scale + offset). */
export function preprocess(model: AtlasModel, rgb: tf.Tensor4D): tf.Tensor4D {
  const { scale, offset, channelOrder } = model.preprocess;
  return tf.tidy(() => {
    const ordered = channelOrder === 'bgr' ? tf.reverse(rgb, 3) : rgb;
    return tf.add(tf.mul(ordered, scale), offset) as tf.Tensor4D;
  });
}

/** Decoded images (0..255 RGB at the model's input size) → one preprocessed batch. */
export function imageBatch(model: AtlasModel, images: ImageTensorData[]): tf.Tensor4D {
  const [h, w] = model.inputSize;
  const data = new Float32Array(images.length * h * w * 3);
  images.forEach((img, i) => {
    if (img.width !== w || img.height !== h) throw new Error(`image ${i} is ${img.width}x${img.height}, the model needs ${w}x${h}`);
    data.set(img.data, i * h * w * 3);
  });
  return tf.tidy(() => preprocess(model, tf.tensor4d(data, [images.length, h, w, 3])));
}
