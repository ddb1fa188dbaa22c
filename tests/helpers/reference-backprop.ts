import * as tf from '@tensorflow/tfjs';
import type { AtlasModel } from '../../pipeline/model/atlas-model.ts';
import { applyNode } from '../../pipeline/model/ops.ts';
import type { ReluRule } from '../../pipeline/model/relu-rule.ts';

/**
 * The obvious, slow way: run the unfolded graph node by node keeping every output, then walk it
 * backwards. Linear nodes use tfjs's own vector-Jacobian product of that single op; rectifiers apply
 * the rule in a plain JS loop over their forward input. Shares nothing with the executor's
 * customGrad/BN-folding path, so agreement means the fast path applies the rule correctly.
 */
export async function referenceInputGradient(
  model: AtlasModel,
  x: tf.Tensor4D,
  startNode: string,
  startWeights: tf.Tensor,
  rule: ReluRule,
): Promise<Float32Array> {
  const graph = model.graph;
  const values = new Map<string, tf.Tensor>([[graph.inputName, x]]);
  for (const node of graph.nodes) {
    if (node.kind === 'input') continue;
    values.set(node.name, tf.tidy(() => applyNode(node, node.inputs.map((i) => values.get(i)!), 'gradient')));
  }
  const grads = new Map<string, tf.Tensor>([[startNode, startWeights]]);
  for (const node of [...graph.nodes].reverse()) {
    const dy = grads.get(node.name);
    if (!dy || node.kind === 'input') continue;
    const inputs = node.inputs.map((i) => values.get(i)!);
    const dxs = node.kind === 'activation' && node.activation!.name === 'leakyrelu'
      ? [leakySync(dy, inputs[0], node.activation!.alpha!, rule)]
      : isRectifier(node.activation?.name) && node.kind === 'activation'
      ? [rectifierSync(dy, inputs[0], node.activation!.name === 'relu6' ? 6 : (node.activation!.max ?? Infinity), rule)]
      : linearVjp(node, inputs, dy, rule);
    node.inputs.forEach((name, i) => {
      const prev = grads.get(name);
      grads.set(name, prev ? tf.add(prev, dxs[i]) : dxs[i]);
    });
  }
  return new Float32Array(await grads.get(graph.inputName)!.data());
}

const isRectifier = (name?: string) => name === 'relu' || name === 'relu6';

/** Nodes with a built-in rectifier (conv with activation 'relu') split into linear part + loop. */
function linearVjp(node: Parameters<typeof applyNode>[0], inputs: tf.Tensor[], dy: tf.Tensor, rule: ReluRule): tf.Tensor[] {
  const act = node.conv?.activation ?? node.dense?.activation;
  if (isRectifier(act)) {
    const linear = { ...node, conv: node.conv && { ...node.conv, activation: 'linear' }, dense: node.dense && { ...node.dense, activation: 'linear' } };
    const pre = tf.tidy(() => applyNode(linear, inputs, 'gradient'));
    const dPre = rectifierSync(dy, pre, act === 'relu6' ? 6 : Infinity, rule);
    return tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(applyNode(linear, xs, 'gradient'), dPre)))(inputs);
  }
  return tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(applyNode(node, xs, 'gradient'), dy)))(inputs);
}

function rectifierSync(dy: tf.Tensor, x: tf.Tensor, max: number, rule: ReluRule): tf.Tensor {
  const g = dy.dataSync();
  const v = x.dataSync();
  const out = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) {
    const active = v[i] > 0 && v[i] < max;
    if (rule === 'gradient') out[i] = active ? g[i] : 0;
    else if (rule === 'deconvnet') out[i] = g[i] > 0 ? g[i] : 0;
    else out[i] = active && g[i] > 0 ? g[i] : 0;
  }
  return tf.tensor(out, dy.shape);
}

/** LeakyReLU, written out: slope 1 above zero, alpha below; deconvnet ignores the slope, guided keeps it. */
function leakySync(dy: tf.Tensor, x: tf.Tensor, alpha: number, rule: ReluRule): tf.Tensor {
  const g = dy.dataSync();
  const v = x.dataSync();
  const out = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) {
    const slope = v[i] > 0 ? 1 : alpha;
    if (rule === 'gradient') out[i] = g[i] * slope;
    else if (rule === 'deconvnet') out[i] = g[i] > 0 ? g[i] : 0;
    else out[i] = g[i] > 0 ? g[i] * slope : 0;
  }
  return tf.tensor(out, dy.shape);
}
