import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { replacedKernelNames } from '../pipeline/engine/kernels/register.ts';
import { maxAbsDiff, onBackend, seededTensor, useWasmWithCpuReference } from './helpers/backends.ts';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
interface Case { h: number; w: number; cin: number; k: number; s: number; pad: Pad; mult?: number; cout?: number }

const cases: Case[] = [
  { h: 9, w: 9, cin: 3, k: 3, s: 1, pad: 'same', cout: 5 },
  { h: 10, w: 11, cin: 4, k: 3, s: 2, pad: 'same', cout: 6 },
  { h: 9, w: 8, cin: 2, k: 3, s: 2, pad: 'valid', cout: 3 },
  { h: 7, w: 7, cin: 6, k: 1, s: 1, pad: 'valid', cout: 4 },
  { h: 12, w: 12, cin: 3, k: 5, s: 3, pad: 'same', cout: 2 },
  { h: 8, w: 9, cin: 3, k: 3, s: 2, pad: [[0, 0], [2, 0], [1, 1], [0, 0]], cout: 4 },
];

const tolerance = 1e-4;
const errors: Record<string, number> = {};

/** Input and filter gradients of a random weighting of the output, on one backend. */
function convGrads(c: Case, depthwise: boolean, seed: number) {
  const x = seededTensor([2, c.h, c.w, c.cin], seed);
  const f = depthwise
    ? seededTensor([c.k, c.k, c.cin, c.mult ?? 1], seed + 1)
    : seededTensor([c.k, c.k, c.cin, c.cout ?? 1], seed + 1);
  const forward = (a: tf.Tensor, b: tf.Tensor) =>
    depthwise
      ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad, 'NHWC')
      : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad, 'NHWC');
  const y = forward(x, f);
  const weights = seededTensor(y.shape, seed + 2);
  const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(forward(a, b), weights)))([x, f]);
  return [dx, df];
}

describe('wasm gradient kernels match the cpu backend', () => {
  beforeAll(useWasmWithCpuReference);

  it('replaces the kernels the issue names', () => {
    expect(replacedKernelNames).toEqual(
      expect.arrayContaining(['Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropInput', 'Conv2DBackpropFilter', 'UnsortedSegmentSum']),
    );
  });

  for (const depthwise of [false, true]) {
    const variants = depthwise ? cases.flatMap((c) => [{ ...c, mult: 1 }, { ...c, mult: 2 }]) : cases;
    variants.forEach((c, i) => {
      const name = `${depthwise ? 'depthwise' : 'conv2d'} k${c.k} s${c.s} ${JSON.stringify(c.pad)} m${c.mult ?? '-'}`;
      it(name, async () => {
        const ref = await onBackend('cpu', () => convGrads(c, depthwise, 100 + i));
        const got = await onBackend('wasm', () => convGrads(c, depthwise, 100 + i));
        const dxErr = maxAbsDiff(got[0], ref[0]);
        const dfErr = maxAbsDiff(got[1], ref[1]);
        errors[name] = Math.max(dxErr, dfErr);
        expect(dxErr).toBeLessThan(tolerance);
        expect(dfErr).toBeLessThan(tolerance);
      });
    });
  }

  it('gather gradient (UnsortedSegmentSum) matches', async () => {
    const run = () => {
      const table = seededTensor([6, 3], 7);
      const idx = tf.tensor1d([0, 2, 2, 5, 1, 2], 'int32');
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx), seededTensor([6, 3], 8))))(table);
    };
    const err = maxAbsDiff((await onBackend('wasm', run))[0], (await onBackend('cpu', run))[0]);
    errors.unsortedSegmentSum = err;
    expect(err).toBeLessThan(tolerance);
  });

  it('reports the max abs error of every replacement', () => {
    console.log('max abs error vs cpu:', JSON.stringify(errors));
    expect(Object.keys(errors).length).toBeGreaterThan(cases.length);
  });
});
