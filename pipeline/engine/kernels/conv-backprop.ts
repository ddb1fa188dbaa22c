import * as tf from '@tensorflow/tfjs';
import { derivedFilter } from './filter-cache.ts';
import { convGeometry, dyForInputGradient, tapSlice, xForFilterGradient, type ConvGeometry } from './conv-geometry.ts';

/*
 * Gradients of (depthwise) convolutions written with forward ops only. The wasm backend's own
 * Conv2DBackpropInput is a naive loop ~14x slower than its Conv2D, and it has no depthwise or filter
 * backprop at all; a conv with the flipped, in/out-transposed filter gives the same numbers fast.
 */

type Shape4 = [number, number, number, number];
interface ConvAttrs {
  strides: [number, number] | number;
  dilations?: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

// wasm's Reverse is slow on big pointwise filters, and flipping a 1x1 filter changes nothing.
const flip = (f: tf.Tensor4D) => (f.shape[0] === 1 && f.shape[1] === 1 ? f : (tf.reverse(f, [0, 1]) as tf.Tensor4D));

export function conv2dInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: Shape4, attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const g = convGeometry(inputShape, filter.shape, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false);
    const kernel = derivedFilter(filter, 'conv-input-grad', () => tf.transpose(flip(filter), [0, 1, 3, 2]) as tf.Tensor4D);
    return tf.conv2d(dyForInputGradient(dy, g), kernel, 1, 'valid');
  });
}

export function depthwiseInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: Shape4, attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const g = convGeometry(inputShape, filter.shape, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, true);
    const [, , channels, multiplier] = filter.shape;
    // With a channel multiplier M, output channel c*M+m comes from input channel c: run every output
    // channel as its own depthwise channel, then sum each group of M.
    const [kh, kw] = filter.shape;
    const perOutput = derivedFilter(filter, 'depthwise-input-grad', () => tf.reshape(flip(filter), [kh, kw, channels * multiplier, 1]) as tf.Tensor4D);
    const spread = tf.depthwiseConv2d(dyForInputGradient(dy, g), perOutput, 1, 'valid');
    if (multiplier === 1) return spread;
    const [n, h, w] = spread.shape;
    return tf.sum(tf.reshape(spread, [n, h, w, channels, multiplier]), 4) as tf.Tensor4D;
  });
}

function forEachTap<T extends tf.Tensor>(g: ConvGeometry, kh: number, kw: number, fn: (a: number, b: number) => T): T[] {
  const taps: T[] = [];
  for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) taps.push(fn(a, b));
  return taps;
}

export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: Shape4, attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const g = convGeometry(x.shape, filterShape, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false);
    const xp = xForFilterGradient(x, g);
    // dW[a, b, i, o] = Σ_n,y,x xp[n, y·s + a, x·s + b, i] · dy[n, y, x, o]: one correlation with the batch
    // as the contracted channel axis (input xpᵀ [C_in, H, W, N], filter dyᵀ [outH, outW, N, C_out],
    // dilated by the stride). It replaces kh·kw strided slices and matmuls and is 2-7x faster on wasm.
    const out = tf.conv2d(
      tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D,
      tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D,
      1,
      'valid',
      'NHWC',
      [g.info.strideHeight, g.info.strideWidth],
    );
    return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

export function depthwiseFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: Shape4, attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, channels, multiplier] = filterShape;
    const g = convGeometry(x.shape, filterShape, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, true);
    const xp = xForFilterGradient(x, g);
    const dyGroups = tf.reshape(dy, [-1, channels, multiplier]);
    const taps = forEachTap(g, kh, kw, (a, b) => tf.sum(tf.mul(tf.reshape(tapSlice(xp, g, a, b), [-1, channels, 1]), dyGroups), 0));
    return tf.reshape(tf.stack(taps), filterShape) as tf.Tensor4D;
  });
}
