import type { Graph, GraphNode } from './graph.ts';
import type { ReceptiveField } from './receptive-field.ts';

export type LayerKind = 'conv' | 'depthwise' | 'dense' | 'pool' | 'add' | 'concat' | 'logits';

/** A visualizable layer: a compute node plus the batch norm / rectifier that follow it. */
export interface LayerInfo {
  id: string;
  index: number;
  kind: LayerKind;
  className: string;
  /** Original layer names in the block, e.g. conv_pw_3, conv_pw_3_bn, conv_pw_3_relu. */
  nodes: string[];
  /** Node (in the original graph) whose output holds the units. */
  outputNode: string;
  /** Output shape without batch: [H, W, C] for spatial layers, [C] otherwise. */
  shape: number[];
  channels: number;
  spatial: boolean;
  activation: string;
  receptiveField: ReceptiveField;
}

const kindOf: Partial<Record<GraphNode['kind'], LayerKind>> = {
  conv2d: 'conv',
  depthwise: 'depthwise',
  dense: 'dense',
  maxpool: 'pool',
  avgpool: 'pool',
  globalavgpool: 'pool',
  globalmaxpool: 'pool',
  add: 'add',
  concat: 'concat',
};

const isRectifier = (n: GraphNode) => n.kind === 'activation' && ['relu', 'relu6', 'leakyrelu', 'linear'].includes(n.activation!.name);
const absorbable = (n: GraphNode) => n.kind === 'batchnorm' || n.kind === 'identity' || isRectifier(n);

/** The node whose output the model's softmax turns into probabilities: its pre-softmax scores. */
export function findLogitsNode(graph: Graph): string {
  let name = graph.outputName;
  for (;;) {
    const node = graph.byName.get(name)!;
    if (node.kind === 'activation' && node.activation!.name === 'softmax') return node.inputs[0];
    if (['reshape', 'flatten', 'identity'].includes(node.kind) && node.inputs.length === 1) name = node.inputs[0];
    else if ((node.conv?.activation ?? node.dense?.activation) === 'softmax') {
      throw new Error(`layer "${name}" applies softmax inside itself; split it so the logits are reachable`);
    } else return name;
  }
}

/** Groups the graph into the layers a user browses, in network order, each with its receptive field. */
export function describeLayers(graph: Graph, rfs: Map<string, ReceptiveField>): LayerInfo[] {
  const logits = findLogitsNode(graph);
  const layers: LayerInfo[] = [];
  for (const node of graph.nodes) {
    const kind = kindOf[node.kind];
    if (!kind) continue;
    const nodes = [node.name];
    let tail = node;
    for (;;) {
      const next = graph.consumers.get(tail.name)!;
      const candidate = next.length === 1 ? graph.byName.get(next[0])! : null;
      if (!candidate || !absorbable(candidate) || candidate.name === graph.outputName) break;
      nodes.push(candidate.name);
      tail = candidate;
    }
    const activation = isRectifier(tail) ? tail.activation!.name : (node.conv?.activation ?? node.dense?.activation ?? 'linear');
    layers.push({
      id: node.name,
      index: layers.length,
      kind: nodes.includes(logits) ? 'logits' : kind,
      className: node.className,
      nodes,
      outputNode: tail.name,
      shape: tail.shape,
      channels: tail.shape[tail.shape.length - 1],
      spatial: tail.shape.length === 3,
      activation,
      receptiveField: rfs.get(tail.name)!,
    });
  }
  return layers;
}
