import * as tf from '@tensorflow/tfjs';
import type { GraphNode } from './graph.ts';
import { rectify, type ReluRule } from './relu-rule.ts';

/** Activations by name; rectifiers go through the backward rule, the rest keep their true gradient. */
export function activate(x: tf.Tensor, name: string, rule: ReluRule, max?: number, alpha?: number): tf.Tensor {
  switch (name) {
    case 'linear':
      return x;
    case 'leakyrelu':
      return rectify(x, { max: Infinity, alpha: alpha ?? 0.3 }, rule);
    case 'relu':
      return rectify(x, { max: max ?? Infinity }, rule);
    case 'relu6':
      return rectify(x, { max: 6 }, rule);
    case 'softmax':
      return tf.softmax(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
    default:
      throw new Error(`activation "${name}" is not supported`);
  }
}

function conv(node: GraphNode, x: tf.Tensor4D, rule: ReluRule): tf.Tensor {
  const c = node.conv!;
  const y =
    node.kind === 'depthwise'
      ? tf.depthwiseConv2d(x, c.kernel, c.strides, c.padding, 'NHWC', c.dilation)
      : tf.conv2d(x, c.kernel, c.strides, c.padding, 'NHWC', c.dilation);
  return activate(c.bias ? tf.add(y, c.bias) : y, c.activation, rule);
}

function pool(node: GraphNode, x: tf.Tensor4D): tf.Tensor {
  const p = node.pool!;
  return node.kind === 'maxpool' ? tf.maxPool(x, p.size, p.strides, p.padding) : tf.avgPool(x, p.size, p.strides, p.padding);
}

type Apply = (node: GraphNode, xs: tf.Tensor[], rule: ReluRule) => tf.Tensor;

const applyByKind: Record<GraphNode['kind'], Apply> = {
  input: (_n, [x]) => x,
  identity: (_n, [x]) => x,
  conv2d: (n, [x], rule) => conv(n, x as tf.Tensor4D, rule),
  depthwise: (n, [x], rule) => conv(n, x as tf.Tensor4D, rule),
  batchnorm: (n, [x]) => tf.add(tf.mul(x, n.batchnorm!.scale), n.batchnorm!.offset),
  activation: (n, [x], rule) => activate(x, n.activation!.name, rule, n.activation!.max, n.activation!.alpha),
  // Max-pool's gradient routes the signal to the forward argmax: Zeiler & Fergus's "switches".
  maxpool: (n, [x]) => pool(n, x as tf.Tensor4D),
  avgpool: (n, [x]) => pool(n, x as tf.Tensor4D),
  globalavgpool: (_n, [x]) => tf.mean(x, [1, 2]),
  globalmaxpool: (_n, [x]) => tf.max(x, [1, 2]),
  dense: (n, [x], rule) => {
    const d = n.dense!;
    const y = tf.matMul(tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D, d.kernel);
    return activate(d.bias ? tf.add(y, d.bias) : y, d.activation, rule);
  },
  add: (_n, xs) => tf.addN(xs),
  concat: (n, xs) => tf.concat(xs, n.concatAxis!),
  reshape: (n, [x]) => tf.reshape(x, [x.shape[0], ...n.reshape!]),
  flatten: (_n, [x]) => tf.reshape(x, [x.shape[0], -1]),
  zeropad: (n, [x]) => tf.pad(x, [[0, 0], n.zeropad![0], n.zeropad![1], [0, 0]]),
};

export function applyNode(node: GraphNode, inputs: tf.Tensor[], rule: ReluRule): tf.Tensor {
  return applyByKind[node.kind](node, inputs, rule);
}
