import * as tf from '@tensorflow/tfjs';
import { layerOf, type AtlasModel } from '../model/atlas-model.ts';
import { execute } from '../model/executor.ts';

export interface OcclusionSpec {
  /** Side of the square, in input pixels. */
  size: number;
  stride: number;
  /** Value of the square in preprocessed units; 0 is mid-grey (the dataset mean) for MobileNet. */
  fill?: number;
}

/** What each occluded image is scored by. */
export type Readout =
  | { kind: 'class'; index: number }
  /**
   * The channel's strongest activation over positions, or its total (Zeiler & Fergus, Fig. 7b record
   * the total activation of the feature map; with ReLU6 the maximum often stays at the cap).
   */
  | { kind: 'unit'; layer: string; channel: number; reduce?: 'max' | 'sum' };

export interface OcclusionOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface OcclusionResult {
  rows: number;
  cols: number;
  /** One row-major [rows·cols] map per readout. */
  maps: Float32Array[];
  /** The readouts on the unoccluded image. */
  baseline: number[];
  /** Occluded images run + 1 for the baseline. */
  forwardPasses: number;
}

/** Top-left corners along one axis: 0, stride, … while the square stays inside the image. */
export function occlusionPositions(side: number, size: number, stride: number): number[] {
  if (!(Number.isInteger(size) && size >= 1 && Number.isInteger(stride) && stride >= 1)) {
    throw new Error(`occlusion size and stride must be positive integers, got size ${size}, stride ${stride}`);
  }
  if (size > side) throw new Error(`occlusion square of ${size} px does not fit a ${side} px image`);
  return Array.from({ length: Math.floor((side - size) / stride) + 1 }, (_, i) => i * stride);
}

/** Rescales [size, stride] pairs chosen for one image side to another, so the squares cover the same share. */
export function proportionalSpecs(pairs: [number, number][], fromSide: number, toSide: number): [number, number][] {
  const scale = (v: number) => Math.max(1, Math.round((v * toSide) / fromSide));
  return pairs.map(([size, stride]) => [scale(size), scale(stride)]);
}

/**
 * The tables a set of readouts is read from: the softmax of the logits for classes, and per unit
 * layer each channel's maximum over positions. Keyed by what they hold, since a "unit" of the
 * logits layer reads the raw score, not the probability.
 */
interface Table {
  node: string;
  reduce: 'softmax' | 'channel-max' | 'channel-sum';
}

interface Plan {
  tables: Table[];
  /** Per readout, the index of its table. */
  tableOf: number[];
}

function checkReadout(model: AtlasModel, r: Readout): void {
  const n = r.kind === 'class' ? model.labels.length : layerOf(model, r.layer).channels;
  const i = r.kind === 'class' ? r.index : r.channel;
  if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new Error(`readout ${JSON.stringify(r)} is out of range (0..${n - 1})`);
}

function plan(model: AtlasModel, readouts: Readout[]): Plan {
  const tables = new Map<string, Table>();
  const tableOf = readouts.map((r) => {
    checkReadout(model, r);
    const t: Table =
      r.kind === 'class'
        ? { node: model.runNode(model.logitsNode), reduce: 'softmax' }
        : { node: model.runNode(layerOf(model, r.layer).outputNode), reduce: r.reduce === 'sum' ? 'channel-sum' : 'channel-max' };
    const key = `${t.reduce} ${t.node}`;
    if (!tables.has(key)) tables.set(key, t);
    return [...tables.keys()].indexOf(key);
  });
  return { tables: [...tables.values()], tableOf };
}

/** One forward pass for all readouts; the [batch, columns] tables come back to JS so the tensors can go at once. */
async function score(model: AtlasModel, x: tf.Tensor4D, readouts: Readout[], { tables, tableOf }: Plan): Promise<number[][]> {
  const n = x.shape[0];
  const out = tf.tidy(() => {
    const acts = execute(model.runGraph, { [model.runGraph.inputName]: x }, [...new Set(tables.map((t) => t.node))]);
    return tables.map(({ node, reduce }) => {
      const t = acts[node];
      if (reduce === 'softmax') return tf.softmax(tf.reshape(t, [n, -1]));
      const perChannel = tf.reshape(t, [n, -1, t.shape[t.shape.length - 1]]);
      return reduce === 'channel-sum' ? tf.sum(perChannel, 1) : tf.max(perChannel, 1);
    });
  });
  const data = await Promise.all(out.map((t) => t.data()));
  const widths = out.map((t) => t.shape[1]!);
  tf.dispose(out);
  return readouts.map((r, i) => {
    const k = tableOf[i];
    const col = r.kind === 'class' ? r.index : r.channel;
    return Array.from({ length: n }, (_, item) => data[k][item * widths[k] + col]);
  });
}

/** Copies of the image with a square of `fill` at each given top-left corner. */
function occludedBatch(image: Float32Array, [h, w]: [number, number], corners: [number, number][], size: number, fill: number): tf.Tensor4D {
  const per = h * w * 3;
  const data = new Float32Array(corners.length * per);
  corners.forEach(([y0, x0], i) => {
    data.set(image, i * per);
    for (let y = y0; y < y0 + size; y++) data.fill(fill, i * per + (y * w + x0) * 3, i * per + (y * w + x0 + size) * 3);
  });
  return tf.tensor4d(data, [corners.length, h, w, 3]);
}

/**
 * Occlusion sensitivity (Zeiler & Fergus 2014, Fig. 7): slide a grey square over the image and
 * record, per position, each readout on the occluded image. Images are built and run in batches,
 * one forward per batch for all readouts, so memory stays flat however fine the stride.
 * Input: one preprocessed image [1, H, W, 3].
 */
export async function occlusionSweep(
  model: AtlasModel,
  x: tf.Tensor4D,
  spec: OcclusionSpec,
  readouts: Readout[],
  opts: OcclusionOptions = {},
): Promise<OcclusionResult> {
  if (x.shape[0] !== 1) throw new Error(`occlusionSweep takes one image, got a batch of ${x.shape[0]}`);
  if (readouts.length === 0) throw new Error('occlusionSweep: no readouts given');
  const [, h, w] = x.shape;
  const ys = occlusionPositions(h, spec.size, spec.stride);
  const xs = occlusionPositions(w, spec.size, spec.stride);
  const corners = ys.flatMap((y) => xs.map((c) => [y, c] as [number, number]));
  const batchSize = Math.max(1, opts.batchSize ?? 32);
  const needs = plan(model, readouts);
  const image = (await x.data()) as Float32Array;
  const baseline = (await score(model, x, readouts, needs)).map((v) => v[0]);
  const maps = readouts.map(() => new Float32Array(corners.length));
  for (let start = 0; start < corners.length; start += batchSize) {
    const chunk = corners.slice(start, start + batchSize);
    const batch = occludedBatch(image, [h, w], chunk, spec.size, spec.fill ?? 0);
    try {
      const values = await score(model, batch, readouts, needs);
      values.forEach((v, r) => maps[r].set(v, start));
    } finally {
      batch.dispose();
    }
    opts.onProgress?.(start + chunk.length, corners.length);
  }
  return { rows: ys.length, cols: xs.length, maps, baseline, forwardPasses: corners.length + 1 };
}
