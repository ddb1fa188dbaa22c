import * as tf from '@tensorflow/tfjs';
import { indexGraph, type Graph, type GraphNode, type NodeKind, type Padding } from './graph.ts';

export class UnsupportedLayerError extends Error {
  constructor(layerName: string, className: string) {
    super(
      `layer "${layerName}" has type ${className}, which ConvNet Atlas cannot run yet; supported: ${Object.keys(converters).join(', ')}`,
    );
    this.name = 'UnsupportedLayerError';
  }
}

type Cfg = Record<string, any>;
type Converter = (cfg: Cfg, weights: tf.Tensor[]) => Partial<GraphNode> & { kind: NodeKind };

const pair = (v: number | number[] | undefined, fallback: number): [number, number] =>
  v == null ? [fallback, fallback] : Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v];

function activationOf(name: string | undefined): string {
  return (name ?? 'linear').toLowerCase();
}

function convNode(kind: 'conv2d' | 'depthwise') {
  return (cfg: Cfg, w: tf.Tensor[]) => {
    if ((cfg.dataFormat ?? 'channelsLast') !== 'channelsLast') throw new Error('only channels_last convolutions are supported');
    return {
      kind,
      conv: {
        kernel: w[0] as tf.Tensor4D,
        bias: cfg.useBias ? (w[1] as tf.Tensor1D) : undefined,
        strides: pair(cfg.strides, 1),
        padding: cfg.padding as Padding,
        dilation: pair(cfg.dilationRate, 1),
        activation: activationOf(cfg.activation),
      },
    };
  };
}

function poolNode(kind: 'maxpool' | 'avgpool') {
  return (cfg: Cfg) => ({
    kind,
    pool: { size: pair(cfg.poolSize, 2), strides: pair(cfg.strides ?? cfg.poolSize, 2), padding: cfg.padding as Padding },
  });
}

/** Inference-mode batch norm as one scale and offset per channel. */
function batchnormNode(cfg: Cfg, w: tf.Tensor[]): Partial<GraphNode> & { kind: NodeKind } {
  const batchnorm = tf.tidy(() => {
    const queue = [...w];
    const channels = w[w.length - 1].shape[0];
    const gamma = cfg.scale === false ? tf.ones([channels]) : queue.shift()!;
    const beta = cfg.center === false ? tf.zeros([channels]) : queue.shift()!;
    const [mean, variance] = queue;
    const scale = tf.div(gamma, tf.sqrt(tf.add(variance, cfg.epsilon ?? 1e-3))) as tf.Tensor1D;
    return { scale, offset: tf.sub(beta, tf.mul(mean, scale)) as tf.Tensor1D };
  });
  return { kind: 'batchnorm', batchnorm };
}

const converters: Record<string, Converter> = {
  InputLayer: () => ({ kind: 'input' }),
  Conv2D: convNode('conv2d'),
  DepthwiseConv2D: convNode('depthwise'),
  BatchNormalization: batchnormNode,
  Activation: (cfg) => ({ kind: 'activation', activation: { name: activationOf(cfg.activation) } }),
  ReLU: (cfg) => {
    if (cfg.negativeSlope || cfg.threshold) throw new Error('ReLU with negative_slope/threshold is not supported');
    return { kind: 'activation', activation: { name: 'relu', max: cfg.maxValue ?? undefined } };
  },
  // Keras's LeakyReLU layer (Darknet: alpha 0.1); tfjs's default alpha is 0.3.
  LeakyReLU: (cfg) => ({ kind: 'activation', activation: { name: 'leakyrelu', alpha: cfg.alpha ?? 0.3 } }),
  MaxPooling2D: poolNode('maxpool'),
  AveragePooling2D: poolNode('avgpool'),
  GlobalAveragePooling2D: () => ({ kind: 'globalavgpool' }),
  GlobalMaxPooling2D: () => ({ kind: 'globalmaxpool' }),
  Dense: (cfg, w) => ({ kind: 'dense', dense: { kernel: w[0] as tf.Tensor2D, bias: cfg.useBias ? (w[1] as tf.Tensor1D) : undefined, activation: activationOf(cfg.activation) } }),
  Add: () => ({ kind: 'add' }),
  Concatenate: (cfg) => ({ kind: 'concat', concatAxis: cfg.axis ?? -1 }),
  Reshape: (cfg) => ({ kind: 'reshape', reshape: cfg.targetShape }),
  Flatten: () => ({ kind: 'flatten' }),
  Dropout: () => ({ kind: 'identity' }),
  ZeroPadding2D: (cfg) => {
    const p = cfg.padding;
    const both = (v: number | number[]): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : [v, v]);
    return { kind: 'zeropad', zeropad: Array.isArray(p) ? [both(p[0]), both(p[1])] : [both(p), both(p)] };
  },
};

/** Keras class names this module converts (checked against model.json before tfjs builds anything). */
export function isSupportedLayerClass(className: string): boolean {
  return Object.hasOwn(converters, className);
}

function inboundNames(layer: tf.layers.Layer): string[] {
  const nodes = (layer as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes;
  return nodes.length ? nodes[0].inboundLayers.map((l) => l.name) : [];
}

function outputShape(layer: tf.layers.Layer): number[] {
  const s = layer.outputShape as (number | null)[] | (number | null)[][];
  const single = Array.isArray(s[0]) ? (s[0] as (number | null)[]) : (s as (number | null)[]);
  return single.slice(1).map((d) => d ?? -1);
}

/** The executor's view of a tfjs LayersModel: typed nodes holding the (read-only) weights. */
export function graphFromLayersModel(model: tf.LayersModel): Graph {
  const nodes: GraphNode[] = model.layers.map((layer) => {
    const className = layer.getClassName();
    const convert = converters[className];
    if (!convert) throw new UnsupportedLayerError(layer.name, className);
    const spec = convert(layer.getConfig() as Cfg, layer.getWeights());
    return { name: layer.name, className, inputs: inboundNames(layer), shape: outputShape(layer), ...spec } as GraphNode;
  });
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new Error('only single-input, single-output models are supported');
  const inputName = model.inputLayers[0].name;
  const outputName = model.outputLayers[0].name;
  return indexGraph(nodes, inputName, outputName);
}
