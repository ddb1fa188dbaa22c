import * as tf from '@tensorflow/tfjs';

/**
 * A small VGG-style convnet for 32x32 CIFAR-10: three conv + 2x2 max-pool stages and a softmax
 * layer. Max-pooling (not strided convolution) between stages so the deconvnet has switches.
 * The two ablation variants differ only in `first`: AlexNet's 11x11 stride-4 first layer scaled to
 * 32 px versus a small filter at stride 1 (the fix Zeiler & Fergus made).
 */
export interface NetSpec {
  first: { kernel: number; stride: number };
  /** Filters of the three conv stages. */
  filters: [number, number, number];
  /** Kernel sides of the second and third conv. */
  kernels: [number, number];
  classes: number;
  inputSize: number;
}

export const SMALL_FIRST: NetSpec = { first: { kernel: 5, stride: 1 }, filters: [16, 32, 64], kernels: [3, 3], classes: 10, inputSize: 32 };
export const LARGE_FIRST: NetSpec = { ...SMALL_FIRST, first: { kernel: 9, stride: 4 } };

/** Layer names the gallery shows; stable so unit pages keep their URLs across retrains. */
export const CONV_NAMES = ['conv1', 'conv2', 'conv3'] as const;

/** Every initializer gets its own seed derived from `seed`, so one seed fixes all starting weights. */
export function buildNet(spec: NetSpec, seed: number): tf.LayersModel {
  let next = seed * 16;
  const init = () => ({
    kernelInitializer: tf.initializers.glorotUniform({ seed: next++ }),
    biasInitializer: tf.initializers.zeros(),
  });
  const s = spec.inputSize;
  // Functional, not Sequential: the gallery's graph reader needs explicit input and output layers.
  const input = tf.input({ name: 'image', shape: [s, s, 3] });
  const layers: tf.layers.Layer[] = [
    tf.layers.conv2d({ name: 'conv1', filters: spec.filters[0], kernelSize: spec.first.kernel, strides: spec.first.stride, padding: 'same', activation: 'relu', ...init() }),
    tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
    tf.layers.conv2d({ name: 'conv2', filters: spec.filters[1], kernelSize: spec.kernels[0], padding: 'same', activation: 'relu', ...init() }),
    tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
    tf.layers.conv2d({ name: 'conv3', filters: spec.filters[2], kernelSize: spec.kernels[1], padding: 'same', activation: 'relu', ...init() }),
    tf.layers.maxPooling2d({ name: 'pool3', poolSize: 2 }),
    tf.layers.flatten({ name: 'flatten' }),
    // Softmax as its own layer: the gallery reads class scores before it (the logits).
    tf.layers.dense({ name: 'logits', units: spec.classes, ...init() }),
    tf.layers.activation({ name: 'probabilities', activation: 'softmax' }),
  ];
  const output = layers.reduce<tf.SymbolicTensor>((x, layer) => layer.apply(x) as tf.SymbolicTensor, input);
  return tf.model({ name: 'cifar_small', inputs: input, outputs: output });
}
