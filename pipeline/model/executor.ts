import type * as tf from '@tensorflow/tfjs';
import type { Graph } from './graph.ts';
import { applyNode } from './ops.ts';
import type { ReluRule } from './relu-rule.ts';

/** Names of the nodes that must run to produce `fetches` from `fed`, in topological order. */
export function requiredNodes(graph: Graph, fed: Set<string>, fetches: string[]): string[] {
  const needed = new Set<string>();
  const stack = [...fetches];
  while (stack.length) {
    const name = stack.pop()!;
    if (needed.has(name)) continue;
    if (!graph.byName.has(name)) throw new Error(`unknown node "${name}"`);
    needed.add(name);
    if (!fed.has(name)) stack.push(...graph.byName.get(name)!.inputs);
  }
  return graph.nodes.map((n) => n.name).filter((n) => needed.has(n) && !fed.has(n));
}

/**
 * Runs the graph from the fed tensors (usually the input) to the fetched nodes in one pass.
 * Intermediate tensors are left to the caller's tf.tidy, so this works inside tf.grad too.
 */
export function execute(graph: Graph, feeds: Record<string, tf.Tensor>, fetches: string[], rule: ReluRule = 'gradient'): Record<string, tf.Tensor> {
  const values = new Map<string, tf.Tensor>(Object.entries(feeds));
  for (const name of requiredNodes(graph, new Set(values.keys()), fetches)) {
    const node = graph.byName.get(name)!;
    const inputs = node.inputs.map((i) => values.get(i)!);
    if (node.kind === 'input' && inputs.length === 0) throw new Error(`input "${name}" was not fed`);
    values.set(name, applyNode(node, inputs, rule));
  }
  return Object.fromEntries(fetches.map((f) => [f, values.get(f)!]));
}
