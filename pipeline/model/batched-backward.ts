import * as tf from '@tensorflow/tfjs';
import { conv2dInputGradient, depthwiseInputGradient } from '../engine/kernels/conv-backprop.ts';
import { maxPoolGrad } from '../engine/kernels/max-pool-grad.ts';
import { requiredNodes } from './executor.ts';
import type { Graph, GraphNode } from './graph.ts';
import { applyNode } from './ops.ts';
import { rectifierBackward, type Rectifier, type ReluRule } from './relu-rule.ts';

/*
 * Many backward passes from one forward pass. tf.grad needs the forward pass at the batch size of
 * the backward signals, so projecting N units of one photo used to run the photo forward N times.
 * Here the photo runs forward once (batch 1); the N signals then go back together through the
 * transposed ops, each reading the same forward values (rectifier masks, max-pool switches), which
 * broadcast over the batch. Same numbers as tf.grad on the tiled photo (tests/model/batched-backward).
 */

const RECTIFIERS: Record<string, (n: { max?: number; alpha?: number }) => Rectifier> = {
  relu: (a) => ({ max: a.max ?? Infinity }),
  relu6: () => ({ max: 6 }),
  leakyrelu: (a) => ({ max: Infinity, alpha: a.alpha ?? 0.3 }),
};

/** Kinds this backward pass can transpose; anything else (softmax, pools other than max…) is left to tf.grad. */
const SUPPORTED = new Set<GraphNode['kind']>(['input', 'identity', 'conv2d', 'depthwise', 'batchnorm', 'activation', 'maxpool', 'add', 'zeropad']);

const activationOf = (node: GraphNode): { name: string; max?: number; alpha?: number } | undefined =>
  node.kind === 'activation' ? node.activation : node.conv ? { name: node.conv.activation } : undefined;

function supportedActivation(a: { name: string } | undefined): boolean {
  return !a || a.name === 'linear' || a.name in RECTIFIERS;
}

/** Whether every node between the input and `target` can be transposed here. */
export function canBackwardBatched(graph: Graph, target: string): boolean {
  return requiredNodes(graph, new Set([graph.inputName]), [target]).every((name) => {
    const node = graph.byName.get(name)!;
    return SUPPORTED.has(node.kind) && supportedActivation(activationOf(node));
  });
}

function activationBackward(dy: tf.Tensor, y: tf.Tensor, a: { name: string; max?: number; alpha?: number } | undefined, rule: ReluRule): tf.Tensor {
  if (!a || a.name === 'linear') return dy;
  return rectifierBackward(dy, y, RECTIFIERS[a.name](a), rule);
}

/** Signals for each input of `node`, given the signal at its output (batch N) and its forward values (batch 1). */
function transpose(node: GraphNode, dy: tf.Tensor, inputs: tf.Tensor[], y: tf.Tensor, rule: ReluRule): tf.Tensor[] {
  const n = dy.shape[0];
  const x = inputs[0];
  switch (node.kind) {
    case 'input':
      return [];
    case 'identity':
    case 'add':
      return inputs.map(() => dy);
    case 'batchnorm':
      return [tf.mul(dy, node.batchnorm!.scale)];
    case 'activation':
      return [activationBackward(dy, y, node.activation, rule)];
    case 'conv2d':
    case 'depthwise': {
      const c = node.conv!;
      const g = activationBackward(dy, y, { name: c.activation }, rule) as tf.Tensor4D;
      const shape = [n, ...x.shape.slice(1)] as [number, number, number, number];
      const attrs = { strides: c.strides, dilations: c.dilation, pad: c.padding };
      return [node.kind === 'depthwise' ? depthwiseInputGradient(g, c.kernel, shape, attrs) : conv2dInputGradient(g, c.kernel, shape, attrs)];
    }
    case 'maxpool': {
      const p = node.pool!;
      return [maxPoolGrad(dy, x, { filterSize: p.size, strides: p.strides, pad: p.padding })];
    }
    case 'zeropad': {
      const [[top], [left]] = node.zeropad!;
      const [, h, w, ch] = x.shape;
      return [tf.slice(dy, [0, top, left, 0], [n, h, w, ch])];
    }
    default:
      throw new Error(`batched backward: layer kind "${node.kind}" is not supported`);
  }
}

/**
 * The gradient of sum(output(target) · weights[i]) with respect to the input, for every item i of
 * `weights` ([N, ...target shape]), all on the one image x ([1, H, W, 3]): [N, H, W, 3]. The ReLU
 * rule is applied as in `inputAttribution`. Check `canBackwardBatched` first.
 */
export function batchedInputGradient(graph: Graph, x: tf.Tensor4D, target: string, weights: tf.Tensor, rule: ReluRule): tf.Tensor4D {
  if (x.shape[0] !== 1) throw new Error(`batchedInputGradient takes one image, got a batch of ${x.shape[0]}`);
  return tf.tidy(() => {
    const order = requiredNodes(graph, new Set([graph.inputName]), [target]);
    const values = new Map<string, tf.Tensor>([[graph.inputName, x]]);
    for (const name of order) {
      const node = graph.byName.get(name)!;
      values.set(name, applyNode(node, node.inputs.map((i) => values.get(i)!), rule));
    }
    const signals = new Map<string, tf.Tensor>([[target, weights]]);
    for (const name of [...order].reverse()) {
      const dy = signals.get(name);
      if (!dy) continue;
      const node = graph.byName.get(name)!;
      const dxs = transpose(node, dy, node.inputs.map((i) => values.get(i)!), values.get(name)!, rule);
      node.inputs.forEach((input, i) => {
        const prev = signals.get(input);
        signals.set(input, prev ? tf.add(prev, dxs[i]) : dxs[i]);
      });
    }
    const dx = signals.get(graph.inputName);
    const [, h, w, c] = x.shape;
    return (dx ?? tf.zeros([weights.shape[0], h, w, c])) as tf.Tensor4D;
  });
}
