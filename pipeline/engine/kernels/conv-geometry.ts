import * as tf from '@tensorflow/tfjs';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Pair = [number, number] | number;

export interface ConvGeometry {
  info: tf.backend_util.Conv2DInfo;
  effH: number;
  effW: number;
}

/** Shapes and padding exactly as the forward op computed them, so the backward op mirrors it. */
export function convGeometry(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: Pair,
  dilations: Pair,
  pad: Pad,
  roundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad, roundingMode, depthwise);
  // tfjs's own conv gradients refuse dilation > 1, so these kernels are never asked for it.
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error('conv backprop kernels support dilation 1 only');
  return { info, effH: info.effectiveFilterHeight, effW: info.effectiveFilterWidth };
}

/** Pads (or, for negative amounts, crops) the two spatial axes of an NHWC tensor. */
export function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const padded = tf.pad(x, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]);
  const [n, h, w, c] = padded.shape;
  const t0 = Math.max(-top, 0);
  const l0 = Math.max(-left, 0);
  const hOut = h - t0 - Math.max(-bottom, 0);
  const wOut = w - l0 - Math.max(-right, 0);
  if (t0 === 0 && l0 === 0 && hOut === h && wOut === w) return padded;
  return tf.slice(padded, [0, t0, l0, 0], [n, hOut, wOut, c]);
}

/**
 * Inserts (stride - 1) zeros after every row/column: the upsampling a transposed conv does. The
 * trailing zeros past the last row are left for the caller's padding to keep or crop, which spares a slice.
 */
export function dilateSpatial(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, c] = x.shape;
  const spread = tf.pad(tf.reshape(x, [n, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return tf.reshape(spread, [n, h * sh, w * sw, c]) as tf.Tensor4D;
}

/**
 * The backward signal laid out so that a stride-1 'valid' correlation with the spatially flipped
 * filter yields the input gradient: dilate by the stride, then pad so the output has the input's size.
 */
export function dyForInputGradient(dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const { info, effH, effW } = g;
  const d = dilateSpatial(dy, info.strideHeight, info.strideWidth);
  const top = effH - 1 - info.padInfo.top;
  const left = effW - 1 - info.padInfo.left;
  // Measured from the dilated signal's full length outHeight·stride (trailing zeros included).
  const bottom = info.inHeight + info.padInfo.top - info.outHeight * info.strideHeight;
  const right = info.inWidth + info.padInfo.left - info.outWidth * info.strideWidth;
  return padOrCrop(d, top, bottom, left, right);
}

/** The input padded so that every filter offset can be read as one strided slice. */
export function xForFilterGradient(x: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const { info, effH, effW } = g;
  const needH = (info.outHeight - 1) * info.strideHeight + effH;
  const needW = (info.outWidth - 1) * info.strideWidth + effW;
  const bottom = needH - info.inHeight - info.padInfo.top;
  const right = needW - info.inWidth - info.padInfo.left;
  return padOrCrop(x, info.padInfo.top, bottom, info.padInfo.left, right);
}

/** The input values that meet filter tap (a, b): shape [N, outH, outW, C]. */
export function tapSlice(xPadded: tf.Tensor4D, g: ConvGeometry, a: number, b: number): tf.Tensor4D {
  const { info } = g;
  const y0 = a;
  const x0 = b;
  const [n, , , c] = xPadded.shape;
  return tf.stridedSlice(
    xPadded,
    [0, y0, x0, 0],
    [n, y0 + (info.outHeight - 1) * info.strideHeight + 1, x0 + (info.outWidth - 1) * info.strideWidth + 1, c],
    [1, info.strideHeight, info.strideWidth, 1],
  ) as tf.Tensor4D;
}
