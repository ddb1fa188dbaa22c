import * as tf from '@tensorflow/tfjs';
import type { Preprocess } from '../assets/preprocess.ts';
import { execute } from './executor.ts';
import { foldBatchNorms } from './fold-batchnorm.ts';
import type { Graph } from './graph.ts';
import { graphFromLayersModel } from './from-layers-model.ts';
import { describeLayers, findLogitsNode, type LayerInfo } from './layers.ts';
import { receptiveFields } from './receptive-field.ts';


export interface AtlasModel extends ModelSpec {
  /** The graph as the model file describes it (for display and receptive fields). */
  graph: Graph;
  /** The graph that runs: batch norms folded into their convs. */
  runGraph: Graph;
  layers: LayerInfo[];
  layerById: Map<string, LayerInfo>;
  logitsNode: string;
  /** Maps an original node name to the node that computes it in runGraph. */
  runNode(name: string): string;
}

/** Output shapes from one real forward pass: model files often leave spatial sizes unknown. */
function withInferredShapes(graph: Graph, inputSize: [number, number]): Graph {
  const shapes = tf.tidy(() => {
    const channels = graph.byName.get(graph.inputName)!.shape.at(-1) ?? 3;
    const out = execute(graph, { [graph.inputName]: tf.zeros([1, ...inputSize, channels]) }, graph.nodes.map((n) => n.name));
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.shape.slice(1)]));
  });
  for (const node of graph.nodes) node.shape = shapes[node.name] ?? node.shape;
  return graph;
}

export interface ModelSpec {
  id: string;
  /** Display name, e.g. "MobileNet v1 0.75". */
  name?: string;
  /** Empty when the model came without labels: classes are then named by index. */
  labels: string[];
  /** WordNet id per class, when known (see classIndexOf). */
  wnids?: string[];
  inputSize: [number, number];
  preprocess: Preprocess;
  /** Hash of the model files, labels and preprocessing: part of every cache key of model outputs. */
  contentHash?: string;
  /** SHA-256 of each model file (model.json, shards), recorded in the model's provenance. */
  fileSha256?: Record<string, string>;
  license?: string;
  credit?: string;
}

export function atlasModelFromLayersModel(layersModel: tf.LayersModel, spec: ModelSpec): AtlasModel {
  const graph = withInferredShapes(graphFromLayersModel(layersModel), spec.inputSize);
  const { graph: runGraph, aliases } = foldBatchNorms(graph);
  const layers = describeLayers(graph, receptiveFields(graph, spec.inputSize));
  const logitsNode = findLogitsNode(graph);
  const classes = graph.byName.get(logitsNode)!.shape.reduce((a, b) => a * b, 1);
  if (spec.labels.length && spec.labels.length !== classes) {
    throw new Error(`model "${spec.id}" has ${classes} outputs but ${spec.labels.length} labels`);
  }
  return {
    ...spec,
    labels: spec.labels.length ? spec.labels : Array.from({ length: classes }, (_, i) => `class ${i}`),
    graph,
    runGraph,
    layers,
    layerById: new Map(layers.map((l) => [l.id, l])),
    logitsNode,
    runNode: (name) => aliases.get(name) ?? name,
  };
}

export function layerOf(model: AtlasModel, id: string): LayerInfo {
  const layer = model.layerById.get(id);
  if (!layer) throw new Error(`model "${model.id}" has no layer "${id}"; layers: ${model.layers.map((l) => l.id).join(', ')}`);
  return layer;
}

/**
 * The node holding a layer's value before its rectifier (conv + folded batch norm), or its output
 * when the layer has no separate rectifier. Gradient targets sit here so that a unit saturated at
 * ReLU6's cap (common in MobileNet) still passes a gradient, and ranking by it tells saturated
 * units apart.
 */
export function preActivationNode(model: AtlasModel, layer: LayerInfo): string {
  const last = model.graph.byName.get(layer.nodes.at(-1)!);
  const rectified = last?.kind === 'activation' && layer.nodes.length >= 2;
  return model.runNode(rectified ? layer.nodes.at(-2)! : layer.outputNode);
}
