import type * as tf from '@tensorflow/tfjs';

/** Layer kinds the executor can run forward and backward. */
export type NodeKind =
  | 'input'
  | 'conv2d'
  | 'depthwise'
  | 'batchnorm'
  | 'activation'
  | 'maxpool'
  | 'avgpool'
  | 'globalavgpool'
  | 'globalmaxpool'
  | 'dense'
  | 'add'
  | 'concat'
  | 'reshape'
  | 'flatten'
  | 'zeropad'
  | 'identity';

export type Padding = 'same' | 'valid';

export interface ConvParams {
  kernel: tf.Tensor4D;
  bias?: tf.Tensor1D;
  strides: [number, number];
  padding: Padding;
  dilation: [number, number];
  activation: string;
}

export interface GraphNode {
  name: string;
  kind: NodeKind;
  /** Original layer class, kept for messages and the site's architecture strip. */
  className: string;
  inputs: string[];
  /** Output shape without the batch axis. */
  shape: number[];
  conv?: ConvParams;
  dense?: { kernel: tf.Tensor2D; bias?: tf.Tensor1D; activation: string };
  batchnorm?: { scale: tf.Tensor1D; offset: tf.Tensor1D };
  /** activation name: relu, relu6, leakyrelu (with alpha), softmax, sigmoid, tanh, linear, or relu with a custom max. */
  activation?: { name: string; max?: number; alpha?: number };
  pool?: { size: [number, number]; strides: [number, number]; padding: Padding };
  reshape?: number[];
  concatAxis?: number;
  zeropad?: [[number, number], [number, number]];
}

/** Nodes in topological order (every node after its inputs). */
export interface Graph {
  nodes: GraphNode[];
  byName: Map<string, GraphNode>;
  consumers: Map<string, string[]>;
  inputName: string;
  outputName: string;
}

export function indexGraph(nodes: GraphNode[], inputName: string, outputName: string): Graph {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const consumers = new Map<string, string[]>(nodes.map((n) => [n.name, []]));
  for (const n of nodes) for (const i of n.inputs) consumers.get(i)?.push(n.name);
  return { nodes, byName, consumers, inputName, outputName };
}
