import * as tf from '@tensorflow/tfjs';
import { constRightMatMul } from './matmul.ts';

/**
 * Square root of ImageNet's RGB color covariance (Lucid's `color_correlation_svd_sqrt`). Optimizing in
 * the decorrelated space it spans gives every color direction a comparable step size.
 */
export const COLOR_CORRELATION_SVD_SQRT: readonly (readonly number[])[] = [
  [0.26, 0.09, 0.02],
  [0.27, 0.0, -0.05],
  [0.27, -0.09, 0.03],
];

const columnNorm = (m: readonly (readonly number[])[], j: number) => Math.hypot(m[0][j], m[1][j], m[2][j]);

/** Lucid's `max_norm_svd_sqrt`: the largest column norm (≈ 0.462). */
export const MAX_COLUMN_NORM = Math.max(columnNorm(COLOR_CORRELATION_SVD_SQRT, 0), columnNorm(COLOR_CORRELATION_SVD_SQRT, 1), columnNorm(COLOR_CORRELATION_SVD_SQRT, 2));

/** The matrix used: C / max column norm. rgb = C · t for a decorrelated color vector t. */
export const COLOR_DECORRELATION: number[][] = COLOR_CORRELATION_SVD_SQRT.map((row) => row.map((v) => v / MAX_COLUMN_NORM));

function inverse3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-12) throw new Error('color matrix is singular');
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

export const COLOR_DECORRELATION_INVERSE: number[][] = inverse3(COLOR_DECORRELATION);

const transpose3 = (m: number[][]) => m[0].map((_, j) => m.map((row) => row[j]));

/** x [..., 3] → x · Mᵀ, i.e. each color vector v becomes M·v. */
function mixColors(x: tf.Tensor, m: number[][]): tf.Tensor {
  return tf.tidy(() => {
    const flat = tf.reshape(x, [-1, 3]) as tf.Tensor2D;
    return tf.reshape(constRightMatMul(flat, tf.tensor2d(transpose3(m)), tf.tensor2d(m)), x.shape);
  });
}

/** Decorrelated color space → (pre-sigmoid) RGB: Lucid's `_linear_decorelate_color`. */
export function decorrelatedToRgb(t: tf.Tensor): tf.Tensor {
  return mixColors(t, COLOR_DECORRELATION);
}

/** The inverse of decorrelatedToRgb. */
export function rgbToDecorrelated(rgb: tf.Tensor): tf.Tensor {
  return mixColors(rgb, COLOR_DECORRELATION_INVERSE);
}
