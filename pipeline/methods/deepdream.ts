import * as tf from '@tensorflow/tfjs';
import { layerOf, type AtlasModel } from '../model/atlas-model.ts';
import { execute } from '../model/executor.ts';
import { preprocess } from '../model/image-batch.ts';

export interface DeepDreamSpec {
  layer: string;
  /** Number of scales, the smallest first; 1 = the full size only. */
  octaves: number;
  /** Size ratio between neighbouring octaves, e.g. 1.4. */
  octaveScale: number;
  /** Gradient steps per octave. */
  steps: number;
  /**
   * Step in preprocessed input units, per unit of mean |gradient|. MobileNet's input spans [-1, 1],
   * so the classic 1.5 on 0..255 pixels is ≈ 0.012 here.
   */
  stepSize: number;
  /** Maximum random shift in pixels per step, both axes. */
  jitter: number;
  seed: number;
}

export interface DeepDreamResult {
  /** [H, W, 3], 0..255. */
  pixels: tf.Tensor3D;
  /** The objective on the input image and on the result, both at full size without jitter. */
  objectiveStart: number;
  objectiveEnd: number;
  gradientSteps: number;
}

/** mulberry32: a tiny seeded generator, so the same seed gives the same jitter and the same dream. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rollAxis(x: tf.Tensor4D, shift: number, axis: 1 | 2): tf.Tensor4D {
  const n = x.shape[axis];
  const s = ((shift % n) + n) % n;
  if (s === 0) return x;
  const size = (len: number) => (axis === 1 ? [-1, len, -1, -1] : [-1, -1, len, -1]);
  const begin = (at: number) => (axis === 1 ? [0, at, 0, 0] : [0, 0, at, 0]);
  return tf.concat([tf.slice(x, begin(n - s), size(s)), tf.slice(x, begin(0), size(n - s))], axis);
}

/** numpy's roll over the spatial axes: pixel (y, x) moves to (y + dy, x + dx), wrapping around. */
export function rollImage(x: tf.Tensor4D, dy: number, dx: number): tf.Tensor4D {
  return tf.tidy(() => rollAxis(rollAxis(x, dy, 1), dx, 2));
}

/** The valid input range per channel in model order: where pixels 0 and 255 land after preprocessing. */
function inputRange(model: AtlasModel): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const ends = preprocess(model, tf.tensor4d([0, 0, 0, 255, 255, 255], [1, 1, 2, 3]));
    const [a, b] = tf.split(ends, 2, 2);
    return [tf.minimum(a, b), tf.maximum(a, b)];
  });
}

/** preprocess inverted: model input → 0..255 RGB. */
function deprocess(model: AtlasModel, x: tf.Tensor4D): tf.Tensor4D {
  const { scale, offset, channelOrder } = model.preprocess;
  return tf.tidy(() => {
    const rgb = tf.div(tf.sub(x, offset), scale);
    return tf.clipByValue(channelOrder === 'bgr' ? tf.reverse(rgb, 3) : rgb, 0, 255) as tf.Tensor4D;
  });
}

/** Image sizes from the full size down, each octaveScale smaller than the last. */
function octaveSizes([h, w]: [number, number], octaves: number, scale: number): [number, number][] {
  return Array.from({ length: octaves }, (_, i) => [Math.max(1, Math.round(h / scale ** i)), Math.max(1, Math.round(w / scale ** i))]);
}

/** Scalars read back each step; a non-finite one means the optimization has broken down. */
const allFinite = (values: ArrayLike<number>) => Array.from(values).every(Number.isFinite);

interface Dreamer {
  layer: string;
  objective: (img: tf.Tensor) => tf.Scalar;
  lo: tf.Tensor;
  hi: tf.Tensor;
}

/** One ascent step, jittered: roll, follow the normalized gradient, roll back, clip. */
async function step(d: Dreamer, img: tf.Tensor4D, spec: DeepDreamSpec, random: () => number): Promise<tf.Tensor4D> {
  const shift = () => Math.floor(random() * (2 * spec.jitter + 1)) - spec.jitter;
  const [dy, dx] = [shift(), shift()];
  const { next, stats } = tf.tidy(() => {
    const rolled = rollImage(img, dy, dx);
    const { value, grad } = tf.valueAndGrad(d.objective)(rolled);
    const meanAbs = tf.mean(tf.abs(grad));
    const moved = tf.add(rolled, tf.mul(grad, tf.div(spec.stepSize, tf.add(meanAbs, 1e-20))));
    const back = rollImage(moved as tf.Tensor4D, -dy, -dx);
    return { next: tf.minimum(tf.maximum(back, d.lo), d.hi) as tf.Tensor4D, stats: tf.stack([value, meanAbs]) };
  });
  const values = await stats.data();
  stats.dispose();
  if (!allFinite(values)) {
    next.dispose();
    throw new Error(`DeepDream: NaN or Infinity in the objective or its gradient (layer "${spec.layer}")`);
  }
  return next;
}

/** spec.steps ascent steps from `img`, which it takes over (and frees once replaced). */
async function climb(d: Dreamer, img: tf.Tensor4D, spec: DeepDreamSpec, random: () => number): Promise<tf.Tensor4D> {
  for (let i = 0; i < spec.steps; i++) {
    let next: tf.Tensor4D;
    try {
      next = await step(d, img, spec, random);
    } catch (e) {
      img.dispose();
      throw e;
    }
    img.dispose();
    img = next;
  }
  return img;
}

function checkSpec(spec: DeepDreamSpec): void {
  const ok =
    Number.isInteger(spec.octaves) && spec.octaves >= 1 && spec.octaveScale >= 1 && Number.isInteger(spec.steps) && spec.steps >= 0 &&
    Number.isInteger(spec.jitter) && spec.jitter >= 0 && Number.isFinite(spec.stepSize);
  if (!ok) throw new Error(`DeepDream: invalid spec ${JSON.stringify(spec)}`);
}

async function objectiveOf(d: Dreamer, img: tf.Tensor4D): Promise<number> {
  const v = tf.tidy(() => d.objective(img));
  const [value] = await v.data();
  v.dispose();
  if (!allFinite([value])) throw new Error(`DeepDream: NaN or Infinity in the objective (layer "${d.layer}")`);
  return value;
}

/**
 * DeepDream (Mordvintsev, Olah & Tyka 2015) as in the original notebook: gradient ascent on the
 * preprocessed image to amplify whatever a layer already sees (objective: mean squared activation),
 * with the step normalized by the mean |gradient|, random jitter each step, and octaves from the
 * smallest up, carrying the detail added so far to the next size. The layer must run at any input
 * size (convolutional layers do). Deterministic for a seed.
 */
export async function deepDream(model: AtlasModel, pixels: tf.Tensor3D, spec: DeepDreamSpec): Promise<DeepDreamResult> {
  checkSpec(spec);
  const graph = model.runGraph;
  const node = model.runNode(layerOf(model, spec.layer).outputNode);
  const [lo, hi] = inputRange(model);
  const d: Dreamer = { layer: spec.layer, objective: (img) => tf.mean(tf.square(execute(graph, { [graph.inputName]: img }, [node])[node])), lo, hi };
  const random = seededRandom(spec.seed);
  const full = tf.tidy(() => preprocess(model, tf.expandDims(pixels, 0) as tf.Tensor4D));
  const sizes = octaveSizes([pixels.shape[0], pixels.shape[1]], spec.octaves, spec.octaveScale);
  // Each octave's base is the previous one shrunk, as in the notebook.
  const bases: tf.Tensor4D[] = [full];
  const kept: tf.Tensor[] = [lo, hi, full];
  let img: tf.Tensor4D | null = null;
  try {
    for (const size of sizes.slice(1)) {
      bases.push(tf.image.resizeBilinear(bases[bases.length - 1], size, false, true));
      kept.push(bases[bases.length - 1]);
    }
    const objectiveStart = await objectiveOf(d, full);
    let detail: tf.Tensor4D = tf.zerosLike(bases[bases.length - 1]);
    for (let i = bases.length - 1; i >= 0; i--) {
      const base = bases[i];
      const start = tf.tidy(() => tf.add(base, tf.image.resizeBilinear(detail, [base.shape[1], base.shape[2]], false, true)) as tf.Tensor4D);
      detail.dispose();
      img = await climb(d, start, spec, random);
      if (i > 0) {
        detail = tf.sub(img, base);
        img.dispose();
        img = null;
      }
    }
    const objectiveEnd = await objectiveOf(d, img!);
    const out = tf.tidy(() => tf.squeeze(deprocess(model, img!), [0]) as tf.Tensor3D);
    return { pixels: out, objectiveStart, objectiveEnd, gradientSteps: spec.octaves * spec.steps };
  } finally {
    tf.dispose([...kept, ...(img ? [img] : [])]);
  }
}
