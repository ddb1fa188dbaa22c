import * as tf from '@tensorflow/tfjs';
import { indexGraph, type Graph, type GraphNode } from './graph.ts';

/**
 * Folds an inference batch norm into the linear conv before it (w' = w * scale, b' = b * scale + offset),
 * so forward and backward passes run one op instead of three. Only when the conv has no activation of
 * its own and the batch norm is its sole consumer; the batch norm's name then points at the conv.
 */
export function foldBatchNorms(graph: Graph): { graph: Graph; aliases: Map<string, string> } {
  const aliases = new Map<string, string>();
  const replaced = new Map<string, GraphNode>();
  for (const bn of graph.nodes) {
    if (bn.kind !== 'batchnorm' || bn.inputs.length !== 1) continue;
    const conv = graph.byName.get(bn.inputs[0])!;
    if (!conv.conv || conv.conv.activation !== 'linear' || graph.consumers.get(conv.name)!.length !== 1) continue;
    replaced.set(conv.name, { ...conv, conv: { ...conv.conv, ...foldInto(conv, bn.batchnorm!) } });
    aliases.set(bn.name, conv.name);
  }
  const rename = (n: string) => aliases.get(n) ?? n;
  const nodes = graph.nodes
    .filter((n) => !aliases.has(n.name))
    .map((n) => ({ ...(replaced.get(n.name) ?? n), inputs: n.inputs.map(rename) }));
  return { graph: indexGraph(nodes, graph.inputName, rename(graph.outputName)), aliases };
}

function foldInto(conv: GraphNode, bn: { scale: tf.Tensor1D; offset: tf.Tensor1D }) {
  return tf.tidy(() => {
    const { kernel, bias } = conv.conv!;
    // Output channel is the last axis for Conv2D; for depthwise it is (in channel, multiplier) flattened.
    const [kh, kw, a, b] = kernel.shape;
    const scale = conv.kind === 'depthwise' ? tf.reshape(bn.scale, [a, b]) : bn.scale;
    const newKernel = tf.reshape(tf.mul(kernel, scale), [kh, kw, a, b]) as tf.Tensor4D;
    const newBias = (bias ? tf.add(tf.mul(bias, bn.scale), bn.offset) : bn.offset) as tf.Tensor1D;
    return { kernel: tf.keep(newKernel), bias: tf.keep(newBias) };
  });
}
