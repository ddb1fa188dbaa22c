import * as tf from '@tensorflow/tfjs';
import type { AtlasModel } from '../model/atlas-model.ts';
import { classLogit } from './objectives.ts';
import { objectiveEvaluator, renderVis, type RenderOptions, type RenderResult } from './render.ts';

/**
 * Simonyan et al. (2014) class model visualization: gradient ascent on the image I for
 * S_c(I) − λ‖I‖² (S_c the pre-softmax score) from the zero image, in pixel space, optionally with
 * Yosinski et al.'s (2015) regularizers. I is in 0..255 pixel units relative to the mean image (the
 * pixel that the model's preprocessing maps to 0), so "zero" is the dataset mean.
 *
 * Each step: g = ∇S_c (optionally normalized by its mean |g|, optionally with small gradients or
 * small contributions zeroed), I ← (1 − l2Decay)·(I + lr·g), blur every blurEvery steps, zero pixels
 * with a small norm, clip to the valid pixel range. With plain gradients, l2Decay ≈ 2·lr·λ is
 * Simonyan's λ‖I‖² term.
 */
export interface ClassModelOptions {
  /** Image side in pixels; default: the model's input size. */
  size?: number;
  /** Gradient steps (default 1000, Yosinski's order of magnitude). */
  steps?: number;
  /** Step size in pixel units (0..255). With normalizeGradient, the mean |change| per step. */
  lr?: number;
  /** Divide the gradient by its mean absolute value per item (default true: the step size then does not depend on the model's scale). */
  normalizeGradient?: boolean;
  /** Yosinski's L2 decay per step (default 1e-4). */
  l2Decay?: number;
  /** Gaussian blur every k steps (default 4; 0 = never) with this σ in pixels (default 1.0). */
  blurEvery?: number;
  blurSigma?: number;
  /** Zero the pixels whose norm (over RGB) is below this percentile (0..100; default 0 = off). */
  pixelNormPercentile?: number;
  /** Zero the gradient at pixels whose gradient norm is below this percentile (default 0 = off). */
  gradientPercentile?: number;
  /** Zero the pixels whose contribution |Σ_c I·g| is below this percentile (default 0 = off). */
  contributionPercentile?: number;
  /** Start: 'zero' (the mean image, Simonyan) or small seeded noise (σ = 2 pixel units). */
  init?: 'zero' | 'noise';
  seed?: number;
  inputSize?: RenderOptions['inputSize'];
  onStep?: (info: { step: number; scores: number[] }) => void;
}

export interface ClassModelResult {
  /** RGB per item, size·size·3 values in 0..1. */
  images: Float32Array[];
  size: number;
  /** Class score at the start and at the end, per item. */
  initialScores: number[];
  scores: number[];
  steps: number;
  ms: number;
}

/** The pixel value per RGB channel that the model's preprocessing maps to 0 (its mean image). */
export function meanPixel(model: AtlasModel): [number, number, number] {
  const { scale, offset, channelOrder } = model.preprocess;
  const per = (v: number | [number, number, number]) => (typeof v === 'number' ? [v, v, v] : v);
  const s = per(scale);
  const o = per(offset);
  const ordered = [0, 1, 2].map((c) => -o[c] / s[c]) as [number, number, number];
  return channelOrder === 'bgr' ? [ordered[2], ordered[1], ordered[0]] : ordered;
}

/** Separable Gaussian blur of [N, H, W, 3] with zero padding ('same'). */
export function gaussianBlur(x: tf.Tensor4D, sigma: number): tf.Tensor4D {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const taps = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = taps.reduce((a, b) => a + b, 0);
  const k = taps.map((t) => t / total);
  const c = x.shape[3];
  return tf.tidy(() => {
    const kx = tf.tile(tf.reshape(tf.tensor1d(k), [1, k.length, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    const ky = tf.tile(tf.reshape(tf.tensor1d(k), [k.length, 1, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    return tf.depthwiseConv2d(tf.depthwiseConv2d(x, kx, 1, 'same'), ky, 1, 'same');
  });
}

/** 1 where a per-pixel score [N, H, W] is at or above its per-item percentile p, as [N, H, W, 1]. */
/** Yosinski's clipping: zeroes the pixels whose score is below the p-th percentile; disposes the input image. */
async function keepAbovePercentile(image: tf.Tensor4D, score: (x: tf.Tensor4D) => tf.Tensor3D, p: number): Promise<tf.Tensor4D> {
  const s = tf.tidy(() => score(image));
  const mask = await percentileMask(s, p);
  const kept = tf.mul(image, mask) as tf.Tensor4D;
  tf.dispose([s, mask, image]);
  return kept;
}

async function percentileMask(score: tf.Tensor3D, p: number): Promise<tf.Tensor4D> {
  const [n, h, w] = score.shape;
  const v = await score.data();
  const mask = new Float32Array(n * h * w);
  for (let i = 0; i < n; i++) {
    const item = v.subarray(i * h * w, (i + 1) * h * w);
    const sorted = Float32Array.from(item).sort();
    const thr = sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
    for (let j = 0; j < item.length; j++) mask[i * h * w + j] = item[j] >= thr ? 1 : 0;
  }
  return tf.tensor4d(mask, [n, h, w, 1]);
}

/** Class model images, one item per class index: classModel(model, [1, 5, 9]). */
export async function classModel(model: AtlasModel, classIndex: number | number[], opts: ClassModelOptions = {}): Promise<ClassModelResult> {
  const t0 = performance.now();
  const indices = Array.isArray(classIndex) ? classIndex : [classIndex];
  const n = indices.length;
  const size = opts.size ?? model.inputSize[0];
  const steps = opts.steps ?? 1000;
  const lr = opts.lr ?? 1;
  const normalize = opts.normalizeGradient ?? true;
  const decay = opts.l2Decay ?? 1e-4;
  const blurEvery = opts.blurEvery ?? 4;
  const sigma = opts.blurSigma ?? 1.0;
  const objective = classLogit(indices);
  const evaluate = objectiveEvaluator(model, objective, opts.inputSize ?? 'auto');
  const mean = tf.tensor1d(meanPixel(model));
  const lo = tf.neg(mean);
  const hi = tf.sub(255, mean);
  // images in 0..1 for the evaluator: (mean + I) / 255
  const scores = (img: tf.Tensor4D, rule: 'gradient' = 'gradient') => {
    const rgb01 = tf.div(tf.add(img, mean), 255) as tf.Tensor4D;
    return evaluate(rgb01, rgb01, rule);
  };
  let image: tf.Tensor4D = opts.init === 'noise'
    ? tf.tidy(() => tf.mul(tf.randomNormal([n, size, size, 3], 0, 1, 'float32', opts.seed ?? 0), 2) as tf.Tensor4D)
    : tf.zeros([n, size, size, 3]);
  const read = async (t: tf.Tensor) => {
    const v = Array.from(await t.data());
    t.dispose();
    return v;
  };
  try {
    const initialScores = await read(tf.tidy(() => scores(image)));
    let last = initialScores;
    const gradOf = tf.valueAndGrad((x: tf.Tensor) => tf.sum(scores(x as tf.Tensor4D)));
    for (let step = 0; step < steps; step++) {
      const { value, grad } = gradOf(image);
      const total = (await value.data())[0];
      value.dispose();
      if (!Number.isFinite(total)) {
        grad.dispose();
        throw new Error(`class model diverged at step ${step}: ${objective.name} is not finite`);
      }
      let g: tf.Tensor4D = grad as tf.Tensor4D;
      const replace = (next: tf.Tensor4D) => {
        g.dispose();
        g = next;
      };
      if (normalize) replace(tf.tidy(() => tf.div(g, tf.add(tf.mean(tf.abs(g), [1, 2, 3], true), 1e-12)) as tf.Tensor4D));
      if (opts.gradientPercentile) {
        const norm = tf.tidy(() => tf.sqrt(tf.sum(tf.square(g), 3)) as tf.Tensor3D);
        const mask = await percentileMask(norm, opts.gradientPercentile);
        norm.dispose();
        replace(tf.tidy(() => tf.mul(g, mask) as tf.Tensor4D));
        mask.dispose();
      }
      let next = tf.tidy(() => tf.mul(tf.add(image, tf.mul(g, lr)), 1 - decay) as tf.Tensor4D);
      if (opts.contributionPercentile) next = await keepAbovePercentile(next, (x) => tf.abs(tf.sum(tf.mul(x, g), 3)) as tf.Tensor3D, opts.contributionPercentile);
      g.dispose();
      image.dispose();
      image = next;
      if (blurEvery > 0 && sigma > 0 && (step + 1) % blurEvery === 0) {
        const blurred = gaussianBlur(image, sigma);
        image.dispose();
        image = blurred;
      }
      if (opts.pixelNormPercentile) image = await keepAbovePercentile(image, (x) => tf.sqrt(tf.sum(tf.square(x), 3)) as tf.Tensor3D, opts.pixelNormPercentile);
      const clipped = tf.tidy(() => tf.minimum(tf.maximum(image, lo), hi) as tf.Tensor4D);
      image.dispose();
      image = clipped;
      if (opts.onStep) opts.onStep({ step, scores: await read(tf.tidy(() => scores(image))) });
    }
    last = await read(tf.tidy(() => scores(image)));
    const rgb = tf.tidy(() => tf.clipByValue(tf.div(tf.add(image, mean), 255), 0, 1));
    const flat = await rgb.data();
    rgb.dispose();
    const per = size * size * 3;
    const images = Array.from({ length: n }, (_, i) => Float32Array.from(flat.subarray(i * per, (i + 1) * per)));
    return { images, size, initialScores, scores: last, steps, ms: performance.now() - t0 };
  } finally {
    image.dispose();
    mean.dispose();
    lo.dispose();
    hi.dispose();
  }
}

/** The Lucid-recipe class visualization: renderVis on the class's pre-softmax score. */
export function lucidClassModel(model: AtlasModel, classIndex: number | number[], opts: RenderOptions = {}): Promise<RenderResult> {
  return renderVis(model, classLogit(classIndex), opts);
}
