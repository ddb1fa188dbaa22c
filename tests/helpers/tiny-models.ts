import * as tf from '@tensorflow/tfjs';
import { MOBILENET_PREPROCESS } from '../../pipeline/assets/preprocess.ts';
import { atlasModelFromLayersModel, type AtlasModel } from '../../pipeline/model/atlas-model.ts';
import { seededTensor } from './backends.ts';

/** Gives every weight of a model deterministic values; BN variances stay positive. */
function setSeededWeights(model: tf.LayersModel, seed: number): void {
  model.layers.forEach((layer, li) => {
    const weights = layer.getWeights().map((w, wi) => {
      const v = seededTensor(w.shape, seed + li * 31 + wi, 0.5);
      const positive = layer.getClassName() === 'BatchNormalization' && wi === layer.getWeights().length - 1;
      return positive ? tf.add(tf.abs(v), 0.5) : v;
    });
    layer.setWeights(weights);
  });
}

/**
 * A MobileNet-like chain: conv → BN → ReLU6 → maxpool → depthwise → BN → ReLU → 1x1 conv → ReLU →
 * strided valid conv → ReLU → global pool → dense → softmax. Receptive fields worked out by hand
 * in the tests.
 */
export function tinyChain(seed = 1): tf.LayersModel {
  const input = tf.input({ shape: [16, 16, 3], name: 'image' });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: true, name: 'c1' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'c1_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu6', name: 'c1_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: 'dw2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'dw2_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'dw2_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 6, kernelSize: 1, activation: 'relu', name: 'pw2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'valid', name: 'c3' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu', name: 'c3_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 4, name: 'logits' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.activation({ activation: 'softmax', name: 'probs' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  setSeededWeights(model, seed);
  return model;
}

/** Branches as in ResNet/Inception: zero padding, average pooling, Add and Concatenate. */
export function tinyBranches(seed = 2): tf.LayersModel {
  const input = tf.input({ shape: [12, 12, 3], name: 'image' });
  const padded = tf.layers.zeroPadding2d({ padding: 1, name: 'pad' }).apply(input) as tf.SymbolicTensor;
  const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'a' }).apply(padded) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'relu', name: 'b' }).apply(input) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
  const act = tf.layers.reLU({ maxValue: 6, name: 'sum_relu' }).apply(sum) as tf.SymbolicTensor;
  const pooled = tf.layers.averagePooling2d({ poolSize: 2, name: 'avg' }).apply(act) as tf.SymbolicTensor;
  const c = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'c' }).apply(pooled) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'cat' }).apply([pooled, c]) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({ name: 'flat' }).apply(cat) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 3, name: 'logits' }).apply(flat) as tf.SymbolicTensor;
  const out = tf.layers.activation({ activation: 'softmax', name: 'probs' }).apply(logits) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  setSeededWeights(model, seed);
  return model;
}

/** Darknet-like: conv → BN → LeakyReLU(0.1) → 2x2 max-pool, twice, then a 1x1 conv to the classes and a global average pool (no softmax). */
export function tinyDarknet(seed = 7): tf.LayersModel {
  const input = tf.input({ shape: [16, 16, 3], name: 'image' });
  let x: tf.SymbolicTensor = input;
  for (const [i, filters, k] of [[1, 4, 3], [2, 6, 1]] as const) {
    x = tf.layers.conv2d({ filters, kernelSize: k, padding: 'same', useBias: false, name: `conv${i}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: `bn${i}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.leakyReLU({ alpha: 0.1, name: `leaky${i}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same', name: `pool${i}` }).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.conv2d({ filters: 5, kernelSize: 1, padding: 'same', useBias: true, name: 'conv3' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  setSeededWeights(model, seed);
  return model;
}

export function tinyAtlas(layersModel: tf.LayersModel, id = 'tiny'): AtlasModel {
  const [, h, w] = layersModel.inputs[0].shape as number[];
  const classes = (layersModel.outputs[0].shape as number[]).at(-1)!;
  return atlasModelFromLayersModel(layersModel, {
    id,
    labels: Array.from({ length: classes }, (_, i) => `class ${i}`),
    inputSize: [h, w],
    preprocess: MOBILENET_PREPROCESS,
  });
}
