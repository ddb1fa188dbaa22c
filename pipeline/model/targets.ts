import * as tf from '@tensorflow/tfjs';
import { layerOf, preActivationNode, type AtlasModel } from './atlas-model.ts';

type PerItem = number | number[];

/**
 * What a backward pass starts from. Every target is a weighting of one node's output; the objective
 * is sum(output · weights), so a batch holds independent items and one pass serves them all.
 */
export type Target =
  | { kind: 'class'; index: PerItem }
  | { kind: 'unit'; layer: string; channel: PerItem; y: PerItem; x: PerItem; preActivation?: boolean }
  | { kind: 'channel'; layer: string; channel: PerItem; reduce?: 'mean' | 'sum'; preActivation?: boolean }
  | { kind: 'weights'; layer: string; weights: tf.Tensor };

export interface ResolvedTarget {
  /** Node in the run graph whose output is weighted. */
  node: string;
  weights: tf.Tensor;
}

const perItem = (v: PerItem, n: number): number[] => (Array.isArray(v) ? v : new Array(n).fill(v));

function oneHotAt(shape: number[], n: number, flatIndex: (item: number) => number, value = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n * size);
  for (let i = 0; i < n; i++) data[i * size + flatIndex(i)] = value;
  return tf.tensor(data, [n, ...shape]);
}

export function resolveTarget(model: AtlasModel, target: Target, batch: number): ResolvedTarget {
  if (target.kind === 'class') {
    const node = model.graph.byName.get(model.logitsNode)!;
    const idx = perItem(target.index, batch);
    return { node: model.runNode(node.name), weights: oneHotAt(node.shape, batch, (i) => idx[i]) };
  }
  const layer = layerOf(model, target.layer);
  if (target.kind === 'weights') return { node: model.runNode(layer.outputNode), weights: target.weights };
  const node = target.preActivation ? preActivationNode(model, layer) : model.runNode(layer.outputNode);
  const [h, w, c] = layer.spatial ? layer.shape : [1, 1, layer.channels];
  const ch = perItem(target.channel, batch);
  if (target.kind === 'unit') {
    const ys = perItem(target.y, batch);
    const xs = perItem(target.x, batch);
    return { node, weights: oneHotAt(layer.shape, batch, (i) => (ys[i] * w + xs[i]) * c + ch[i]) };
  }
  const scale = target.reduce === 'sum' ? 1 : 1 / (h * w);
  // [n, 1, 1, c] (or [n, c]): the objective's multiply broadcasts it over positions; tiling it to
  // the full map costs more than the backward pass on wasm.
  const mask = new Float32Array(batch * c);
  ch.forEach((k, i) => (mask[i * c + k] = scale));
  const weights = tf.tensor(mask, layer.spatial ? [batch, 1, 1, c] : [batch, c]);
  return { node, weights };
}
