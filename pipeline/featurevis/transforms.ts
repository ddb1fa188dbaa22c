import * as tf from '@tensorflow/tfjs';
import { choice, mulberry32, randInt } from './random.ts';

/**
 * Lucid's transformation robustness, done as one bilinear warp per step.
 *
 * Every standard transform (pad, jitter = random crop, scale, rotate) is affine, so the whole chain
 * is one affine map from output pixel coordinates to input coordinates plus an output size. The
 * image is sampled once (a single bilinear interpolation instead of Lucid's several), with
 * everything outside the input filled with the pad constant 0.5 (Lucid's rotation fills 0).
 *
 * wasm gives tf.image.transform no gradient and its GatherV2 is slow, so the warp is a custom op:
 * forward gathers the 4 bilinear corners with gatherND, backward scatters the weighted output
 * gradient back with scatterND (which sums duplicates). The backward is the exact adjoint of the
 * forward (tested), not an approximate inverse warp.
 */

/** x_in = a[0]·x + a[1]·y + a[2], y_in = a[3]·x + a[4]·y + a[5]; continuous coords, pixel centres at i + 0.5. */
export type Affine = [number, number, number, number, number, number];

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

/** a∘b: apply b, then a. */
export function composeAffine(a: Affine, b: Affine): Affine {
  return [
    a[0] * b[0] + a[1] * b[3],
    a[0] * b[1] + a[1] * b[4],
    a[0] * b[2] + a[1] * b[5] + a[2],
    a[3] * b[0] + a[4] * b[3],
    a[3] * b[1] + a[4] * b[4],
    a[3] * b[2] + a[4] * b[5] + a[5],
  ];
}

/** One transform: given the incoming size it draws its parameters and says how output maps to input. */
export type TransformStep = (size: [number, number], random: () => number) => { size: [number, number]; toInput: Affine };

/** Pads every side by p pixels (filled with the constant 0.5). */
export const pad = (p: number): TransformStep => ([h, w]) => ({ size: [h + 2 * p, w + 2 * p], toInput: [1, 0, -p, 0, 1, -p] });

/** Random crop d pixels smaller, offsets uniform in 0..d per axis (Lucid's jitter). */
export const jitter = (d: number): TransformStep => ([h, w], random) => {
  const ox = randInt(d, random);
  const oy = randInt(d, random);
  return { size: [h - d, w - d], toInput: [1, 0, ox, 0, 1, oy] };
};

/** Resizes by one of `scales` (output size floor(size·s), as Lucid's random_scale). */
export const randomScale = (scales: readonly number[]): TransformStep => ([h, w], random) => {
  const s = choice(scales, random);
  const oh = Math.max(1, Math.floor(h * s));
  const ow = Math.max(1, Math.floor(w * s));
  return { size: [oh, ow], toInput: [w / ow, 0, 0, 0, h / oh, 0] };
};

/** Rotates about the centre by one of `degrees`, size unchanged. */
export const randomRotate = (degrees: readonly number[]): TransformStep => ([h, w], random) => {
  const t = (choice(degrees, random) * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const cx = w / 2;
  const cy = h / 2;
  // input = R(−t)·(out − centre) + centre
  return { size: [h, w], toInput: [c, s, cx - c * cx - s * cy, -s, c, cy + s * cx - c * cy] };
};

/** Lucid's scale choices 0.90, 0.92, …, 1.10. */
export const STANDARD_SCALES = Array.from({ length: 11 }, (_, i) => 1 + (i - 5) / 50);
/** Lucid's rotation choices: −10..10° plus five extra zeros. */
export const STANDARD_DEGREES = [...Array.from({ length: 21 }, (_, i) => i - 10), 0, 0, 0, 0, 0];

/**
 * Lucid's standard_transforms (pad 12, jitter 8, scale 0.9..1.1, rotate −10..10°, jitter 4) with the
 * pixel amounts scaled by size/128 (Lucid's numbers are for its default 128 px; 8 px ≈ 6% of the width).
 */
export function standardSteps(size: number): TransformStep[] {
  const k = size / 128;
  const px = (v: number) => Math.max(1, Math.round(v * k));
  return [pad(px(12)), jitter(px(8)), randomScale(STANDARD_SCALES), randomRotate(STANDARD_DEGREES), jitter(px(4))];
}

export interface TransformFn {
  /** Applies the chain with freshly drawn parameters (the same for every item of the batch). */
  (img: tf.Tensor4D): tf.Tensor4D;
  /** The parameters drawn by the latest call. */
  last(): { size: [number, number]; toInput: Affine } | null;
}

/** Chains steps into one seeded random warp, usable inside tf.grad. */
export function compose(steps: TransformStep[], seed = 0, fill = 0.5): TransformFn {
  const random = mulberry32(seed);
  let last: { size: [number, number]; toInput: Affine } | null = null;
  const fn = (img: tf.Tensor4D): tf.Tensor4D => {
    let size: [number, number] = [img.shape[1], img.shape[2]];
    let toInput = IDENTITY;
    for (const step of steps) {
      const r = step(size, random);
      size = r.size;
      toInput = composeAffine(toInput, r.toInput);
    }
    last = { size, toInput };
    return affineWarp(img, toInput, size, fill);
  };
  return Object.assign(fn, { last: () => last });
}

/** The standard chain for images of `size` pixels. */
export function standardTransforms(size: number, seed = 0): TransformFn {
  return compose(standardSteps(size), seed);
}

/** Bilinear sampling plan: for each output pixel, 4 input rows and their weights (0 outside). */
function samplingPlan(inH: number, inW: number, toInput: Affine, outH: number, outW: number) {
  const m = outH * outW;
  const idx = new Int32Array(4 * m);
  const wt = new Float32Array(4 * m);
  const fillW = new Float32Array(m);
  for (let i = 0; i < outH; i++) {
    for (let j = 0; j < outW; j++) {
      const u = j + 0.5;
      const v = i + 0.5;
      const sx = toInput[0] * u + toInput[1] * v + toInput[2] - 0.5;
      const sy = toInput[3] * u + toInput[4] * v + toInput[5] - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const p = i * outW + j;
      const corners: [number, number, number][] = [
        [x0, y0, (1 - fx) * (1 - fy)],
        [x0 + 1, y0, fx * (1 - fy)],
        [x0, y0 + 1, (1 - fx) * fy],
        [x0 + 1, y0 + 1, fx * fy],
      ];
      corners.forEach(([x, y, weight], k) => {
        if (x >= 0 && x < inW && y >= 0 && y < inH) {
          idx[k * m + p] = y * inW + x;
          wt[k * m + p] = weight;
        } else fillW[p] += weight;
      });
    }
  }
  return { idx, wt, fillW, m };
}

/**
 * Samples img [N, H, W, C] at toInput(output pixel) for an output of `size`, bilinear, `fill` outside.
 * Differentiable with respect to img (exact adjoint by scatterND).
 */
export function affineWarp(img: tf.Tensor4D, toInput: Affine, size: [number, number], fill = 0.5): tf.Tensor4D {
  const [n, h, w, c] = img.shape;
  const [oh, ow] = size;
  const plan = samplingPlan(h, w, toInput, oh, ow);
  const { m } = plan;
  // The plan's tensors live inside the op: the forward's tidy frees them, `save` keeps them for backward.
  const op = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const idx = tf.tensor2d(plan.idx, [4 * m, 1], 'int32');
    const wt = tf.tensor2d(plan.wt, [4 * m, 1]);
    save([idx, wt]);
    const rows = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [h * w, n * c]);
    const gathered = tf.mul(tf.gatherND(rows, idx), wt);
    const sampled = tf.add(tf.sum(tf.reshape(gathered, [4, m, n * c]), 0), tf.tensor2d(plan.fillW.map((v) => v * fill), [m, 1]));
    const value = tf.transpose(tf.reshape(sampled, [oh, ow, n, c]), [2, 0, 1, 3]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sIdx, sWt] = saved;
      const dRows = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [1, m, n * c]);
      const updates = tf.reshape(tf.mul(dRows, tf.reshape(sWt, [4, m, 1])), [4 * m, n * c]);
      const dx = tf.scatterND(sIdx, updates, [h * w, n * c]);
      return tf.transpose(tf.reshape(dx, [h, w, n, c]), [2, 0, 1, 3]);
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(img) as tf.Tensor4D;
}
