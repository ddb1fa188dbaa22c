import * as tf from '@tensorflow/tfjs';
import { matMulT } from './matmul.ts';

/** Pseudo layer id for the model's pre-softmax scores (model.logitsNode). */
export const LOGITS = '@logits';

export interface ObjectiveContext {
  /** A fetched output (layer id from `layers`, or LOGITS), batch first: [N, H, W, C] or [N, C]. */
  get(layer: string): tf.Tensor;
  /** The image being optimized, before transforms: [N, S, S, 3], values 0..1. */
  image: tf.Tensor4D;
  batch: number;
}

/**
 * A per-item objective to maximize. value() returns [N]: item i's own value, so one batch can hold
 * different units of the same layer (one forward/backward pass for all of them: the main speed
 * lever). The optimizer maximizes the sum over items, which keeps items independent unless a term
 * couples them on purpose (diversity).
 */
export interface Objective {
  name: string;
  /** Layers whose outputs value() reads (layer ids, or LOGITS). */
  layers: string[];
  /** Batch size implied by per-item arguments (channel(layer, [3, 7, 9]) → 3), if any. */
  batch?: number;
  /** Names item i's unit for messages, e.g. "conv_pw_3 channel 7". */
  unit?(item: number): string;
  value(ctx: ObjectiveContext): tf.Tensor1D;
}

type PerItem = number | readonly number[];

const at = (v: PerItem, i: number) => (typeof v === 'number' ? v : v[i]);
const batchOf = (...vs: (PerItem | undefined)[]) => {
  const lens = vs.filter((v): v is readonly number[] => Array.isArray(v)).map((v) => v.length);
  if (lens.some((l) => l !== lens[0])) throw new Error(`per-item arguments have different lengths: ${lens.join(', ')}`);
  return lens[0];
};
const fmt = (v: PerItem) => (typeof v === 'number' ? String(v) : `[${v.join(',')}]`);

function checkBatch(name: string, want: number | undefined, batch: number) {
  if (want != null && want !== batch) throw new Error(`objective ${name} is for ${want} items but the batch has ${batch}`);
}

/** [N, C] (or [N, H, W, C] reduced to the centre or a mean before) weighted by a one-hot of ch[i] per item. */
function pickChannel(x: tf.Tensor2D, ch: PerItem, name: string): tf.Tensor1D {
  const [n, c] = x.shape;
  const mask = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    const k = at(ch, i);
    if (!Number.isInteger(k) || k < 0 || k >= c) throw new Error(`objective ${name}: channel ${k} out of range 0..${c - 1}`);
    mask[i * c + k] = 1;
  }
  return tf.sum(tf.mul(x, tf.tensor2d(mask, [n, c])), 1) as tf.Tensor1D;
}

/** Mean of channel ch (per item: ch[i]) of a layer: Lucid's `channel`. */
export function channel(layer: string, ch: PerItem): Objective {
  const name = `channel(${layer}, ${fmt(ch)})`;
  const batch = batchOf(ch);
  return {
    name,
    layers: [layer],
    batch,
    unit: (i) => `${layer} channel ${at(ch, i)}`,
    value: (ctx) => {
      checkBatch(name, batch, ctx.batch);
      const x = ctx.get(layer);
      const pooled = x.rank === 4 ? tf.mean(x, [1, 2]) : tf.reshape(x, [x.shape[0], -1]);
      return pickChannel(pooled as tf.Tensor2D, ch, name);
    },
  };
}

/**
 * One neuron: channel ch at spatial position (y, x), by default the centre of the feature map as it
 * is for the current (transformed) input size: Lucid's `neuron`.
 */
export function neuron(layer: string, ch: PerItem, pos?: { y: PerItem; x: PerItem }): Objective {
  const name = `neuron(${layer}, ${fmt(ch)}${pos ? `, y=${fmt(pos.y)}, x=${fmt(pos.x)}` : ''})`;
  const batch = batchOf(ch, pos?.y, pos?.x);
  return {
    name,
    layers: [layer],
    batch,
    unit: (i) => `${layer} channel ${at(ch, i)}${pos ? ` at (${at(pos.y, i)}, ${at(pos.x, i)})` : ' (centre)'}`,
    value: (ctx) => {
      checkBatch(name, batch, ctx.batch);
      const x = ctx.get(layer);
      if (x.rank !== 4) return pickChannel(tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D, ch, name);
      const [n, h, w] = x.shape;
      // One spatial one-hot per item: the items may sit at different positions.
      const mask = new Float32Array(n * h * w);
      for (let i = 0; i < n; i++) {
        const y = pos ? at(pos.y, i) : Math.floor(h / 2);
        const xx = pos ? at(pos.x, i) : Math.floor(w / 2);
        if (y < 0 || y >= h || xx < 0 || xx >= w) throw new Error(`objective ${name}: position (${y}, ${xx}) outside the ${h}x${w} map`);
        mask[i * h * w + y * w + xx] = 1;
      }
      const atPos = tf.sum(tf.mul(x, tf.tensor4d(mask, [n, h, w, 1])), [1, 2]) as tf.Tensor2D;
      return pickChannel(atPos, ch, name);
    },
  };
}

/** The pre-softmax score of class index (per item: index[i]). */
export function classLogit(index: PerItem): Objective {
  const name = `classLogit(${fmt(index)})`;
  const batch = batchOf(index);
  return {
    name,
    layers: [LOGITS],
    batch,
    unit: (i) => `class ${at(index, i)}`,
    value: (ctx) => {
      checkBatch(name, batch, ctx.batch);
      const x = ctx.get(LOGITS);
      return pickChannel(tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D, index, name);
    },
  };
}

/**
 * Cosine similarity of the items' Gram matrices at a layer, [N, N]: G_i = A_iᵀA_i over positions,
 * each flattened and L2-normalized (ε = 1e-10, as Lucid).
 */
export function gramCosines(act: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const n = act.shape[0];
    const c = act.shape[act.rank - 1];
    const flat = tf.reshape(act, [n, -1, c]) as tf.Tensor3D;
    const grams = tf.reshape(matMulT(tf.transpose(flat, [0, 2, 1]), flat), [n, c * c]);
    const norms = tf.sqrt(tf.maximum(tf.sum(tf.square(grams), 1, true), 1e-10));
    const unit = tf.div(grams, norms) as tf.Tensor2D;
    return matMulT(unit, tf.transpose(unit)) as tf.Tensor2D;
  });
}

/** Mean over pairs i ≠ j of gramCosines (what the diversity term lowers). 0 for a batch of one. */
export async function meanPairwiseGramCosine(act: tf.Tensor): Promise<number> {
  const n = act.shape[0];
  if (n < 2) return 0;
  const sims = gramCosines(act);
  const v = await sims.data();
  sims.dispose();
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) s += v[i * n + j];
  return s / (n * (n - 1));
}

/**
 * Lucid's diversity penalty, to add to an objective: item i gets −weight · Σ_{j≠i} cos(G_i, G_j) / N,
 * so the batch total is exactly Lucid's `− weight · diversity(layer)` (Lucid's recipe:
 * `channel − 100 · diversity`). The term couples the items: use it with a batch of several images of
 * the same unit.
 */
export function diversity(layer: string, weight = 100): Objective {
  return {
    name: `diversity(${layer}, ${weight})`,
    layers: [layer],
    value: (ctx) => {
      const n = ctx.batch;
      if (n < 2) return tf.zeros([n]) as tf.Tensor1D;
      const sims = gramCosines(ctx.get(layer));
      const self = tf.sum(tf.mul(sims, tf.eye(n)), 1);
      return tf.mul(tf.sub(tf.sum(sims, 1), self), -weight / n) as tf.Tensor1D;
    },
  };
}

/**
 * −weight · Σ (image − center)² per item, over the optimized image before transforms (values 0..1).
 * A penalty term to add (Simonyan et al.'s −λ‖I‖², with I relative to the grey 0.5).
 */
export function l2Penalty(weight = 1, center = 0.5): Objective {
  return {
    name: `l2Penalty(${weight})`,
    layers: [],
    value: (ctx) => tf.mul(tf.sum(tf.square(tf.sub(ctx.image, center)), [1, 2, 3]), -weight) as tf.Tensor1D,
  };
}

function mergedBatch(objs: Objective[]): number | undefined {
  const bs = objs.map((o) => o.batch).filter((b): b is number => b != null);
  if (bs.some((b) => b !== bs[0])) throw new Error(`objectives are for different batch sizes: ${objs.map((o) => `${o.name}: ${o.batch ?? 'any'}`).join(', ')}`);
  return bs[0];
}

/** The per-item sum of several objectives (e.g. sum(channel(l, 5), diversity(l))). */
export function sum(...objs: Objective[]): Objective {
  if (!objs.length) throw new Error('sum() needs at least one objective');
  return {
    name: objs.map((o) => o.name).join(' + '),
    layers: [...new Set(objs.flatMap((o) => o.layers))],
    batch: mergedBatch(objs),
    unit: objs.find((o) => o.unit)?.unit,
    value: (ctx) => tf.addN(objs.map((o) => o.value(ctx))) as tf.Tensor1D,
  };
}

/** k · objective. */
export function scale(obj: Objective, k: number): Objective {
  return { ...obj, name: `${k}·${obj.name}`, value: (ctx) => tf.mul(obj.value(ctx), k) as tf.Tensor1D };
}

/** Minus the objective: maximizing it minimizes the unit (Lucid's "negative" direction). */
export function negative(obj: Objective): Objective {
  return { ...obj, name: `−${obj.name}`, value: (ctx) => tf.neg(obj.value(ctx)) as tf.Tensor1D };
}
