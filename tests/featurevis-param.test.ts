import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { COLOR_DECORRELATION, COLOR_DECORRELATION_INVERSE, decorrelatedToRgb, rgbToDecorrelated } from '../pipeline/featurevis/color.ts';
import { fourierImage, fourierImageFrom, imageFromSpectrum, irfft2d, rfft2d, rfft2dFreqs, spectrumFromImage, spectrumScale } from '../pipeline/featurevis/param-fourier.ts';
import { constLeftMatMul, constRightMatMul, matMulT } from '../pipeline/featurevis/matmul.ts';
import { affineWarp, composeAffine, pad, jitter, standardTransforms, compose, type Affine } from '../pipeline/featurevis/transforms.ts';
import { maxAbsDiff, seededTensor, useWasmWithCpuReference } from './helpers/backends.ts';

beforeAll(async () => {
  await useWasmWithCpuReference();
});

/** A spectrum in the [2, h, 1, 3, fw] layout with values given by a closed formula (also used to make the numpy reference). */
function formulaSpectrum(h: number, w: number): tf.Tensor {
  const fw = Math.floor(w / 2) + 1;
  const v = new Float32Array(2 * h * 3 * fw);
  for (let ky = 0; ky < h; ky++)
    for (let c = 0; c < 3; c++)
      for (let kx = 0; kx < fw; kx++) {
        v[(0 * h + ky) * 3 * fw + c * fw + kx] = Math.sin(1 + ky * 1.3 + c * 0.7 + kx * 2.1);
        v[(1 * h + ky) * 3 * fw + c * fw + kx] = Math.cos(0.5 + ky * 0.9 - c * 1.1 + kx * 1.7);
      }
  return tf.tensor(v, [2, h, 1, 3, fw]);
}

// np.fft.irfft2(re + 1j·im, s=(h, w)) per channel, HWC order (see formulaSpectrum).
const NUMPY: Record<string, number[]> = {
  '4x5': [-0.0073312, 0.021152, 0.0396871, 0.0587735, 0.1311541, -0.0039228, 0.3230132, 0.028441, -0.2719283, -0.1366188, 0.0527919, 0.2097946, -0.1972859, -0.337201, -0.1727515, 0.0816514, -0.0494998, -0.1854982, 0.3878218, -0.0156623, -0.2267569, -0.2371404, 0.1836743, 0.6159949, -0.1019532, 0.0633541, 0.0942247, -0.1014473, -0.0699543, 0.0715313, -0.031577, -0.0277418, -0.0108592, 0.1545175, -0.0005621, -0.1480193, -0.0269162, -0.0542406, 0.0233497, 0.0992875, 0.2008775, 0.1285872, -0.0363872, 0.0230784, 0.0643319, -0.2111986, -0.1398713, 0.0253674, 0.2527691, 0.177734, -0.0579841, -0.1511153, -0.2728436, -0.1616091, 0.322718, 0.4981867, 0.3414596, 0.3998902, 0.5787975, 0.3004641],
  '3x6': [0.0006087, 0.0001092, -0.0004416, 0.0982493, 0.1276804, -0.072812, 0.4235794, -0.0593221, -0.456283, 0.199955, 0.2946881, 0.2508248, -0.0455292, 0.1271555, 0.1819966, -0.2953112, -0.4181049, -0.1743837, 0.039401, 0.0072107, -0.0323979, 0.2819565, -0.0338878, -0.225406, -0.1710463, 0.1422083, 0.4972207, -0.2305887, -0.0293837, 0.1370214, 0.166932, 0.2789834, 0.1756798, -0.0980975, -0.0765799, 0.0072741, -0.0386498, -0.0057276, 0.0339153, 0.1519168, 0.0079825, -0.1660258, 0.1300909, 0.0086353, -0.0327368, -0.2792056, -0.1855929, 0.0439266, 0.340567, 0.4912587, 0.3022632, 0.1666428, 0.3143514, 0.2058276],
};

describe('Fourier parameterization', () => {
  it('irfft2d matches numpy irfft2 (1/(w·h) normalization, odd and even widths)', async () => {
    for (const [h, w] of [[4, 5], [3, 6]]) {
      const out = await irfft2d(formulaSpectrum(h, w), h, w).data();
      expect(maxAbsDiff(new Float32Array(out), Float32Array.from(NUMPY[`${h}x${w}`]))).toBeLessThan(2e-5);
    }
  });

  it('rfft2d and irfft2d are inverse for real images', async () => {
    const x = seededTensor([2, 9, 12, 3], 3) as tf.Tensor4D;
    const back = irfft2d(rfft2d(x), 9, 12);
    expect(maxAbsDiff(new Float32Array(await back.data()), new Float32Array(await x.data()))).toBeLessThan(1e-4);
  });

  it('irfft2d\'s gradient is its exact adjoint (dot-product test through the custom matmuls)', async () => {
    const s = seededTensor([2, 6, 2, 3, 5], 4);
    const probe = seededTensor([2, 6, 8, 3], 5);
    const f = (v: tf.Tensor) => tf.sum(tf.mul(irfft2d(v, 6, 8), probe));
    const g = tf.grad(f)(s);
    const lhs = (await f(s).data())[0];
    const rhs = (await tf.sum(tf.mul(s, g)).data())[0];
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
    expect(Math.abs(lhs)).toBeGreaterThan(1e-3);
  });

  it('the fast matmuls have tfjs\'s matMul gradients', async () => {
    const a = seededTensor([3, 4, 5], 1) as tf.Tensor3D;
    const b = seededTensor([3, 5, 2], 2) as tf.Tensor3D;
    const p = seededTensor([3, 4, 2], 3);
    const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D), p)))([a, b]);
    const got = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMulT(x, y), p)))([a, b]);
    for (let i = 0; i < 2; i++) expect(maxAbsDiff(new Float32Array(await got[i].data()), new Float32Array(await ref[i].data()))).toBeLessThan(1e-5);
    const A = seededTensor([4, 5], 6) as tf.Tensor2D;
    const x = seededTensor([5, 2], 7) as tf.Tensor2D;
    const q = seededTensor([4, 2], 8);
    const refL = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.matMul(A, v as tf.Tensor2D), q)))(x);
    const gotL = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(constLeftMatMul(A, tf.transpose(A), v as tf.Tensor2D), q)))(x);
    expect(maxAbsDiff(new Float32Array(await gotL.data()), new Float32Array(await refL.data()))).toBeLessThan(1e-5);
    const y = seededTensor([2, 4], 9) as tf.Tensor2D;
    const refR = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.matMul(v as tf.Tensor2D, A), tf.ones([2, 5]))))(y);
    const gotR = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(constRightMatMul(v as tf.Tensor2D, A, tf.transpose(A)), tf.ones([2, 5]))))(y);
    expect(maxAbsDiff(new Float32Array(await gotR.data()), new Float32Array(await refR.data()))).toBeLessThan(1e-5);
  });

  it('spectrum scale follows the recipe: sqrt(w·h)/max(f, 1/max(w,h))', () => {
    const f = rfft2dFreqs(8, 8);
    expect(f[0]).toBe(0);
    expect(f[1]).toBeCloseTo(1 / 8); // (ky 0, kx 1)
    expect(f[5 * 5 + 0]).toBeCloseTo(3 / 8); // ky 5 is frequency −3/8
    const s = spectrumScale(8, 8);
    expect(s[0]).toBeCloseTo(8 * 8); // DC uses the floor 1/8
    expect(s[1]).toBeCloseTo(8 * 8);
    expect(s[2]).toBeCloseTo(8 / (2 / 8));
  });

  it('an image round-trips: image → spectrum params → render', async () => {
    const img = tf.tidy(() => tf.add(tf.mul(seededTensor([2, 16, 20, 3], 7), 0.45), 0.5)) as tf.Tensor4D;
    const params = spectrumFromImage(img);
    expect(params.shape).toEqual([2, 16, 2, 3, 11]);
    const direct = await imageFromSpectrum(params, 16, 20).data();
    const param = fourierImageFrom(params, 16, 20);
    const rendered = await param.render().data();
    const want = new Float32Array(await img.data());
    expect(maxAbsDiff(new Float32Array(direct), want)).toBeLessThan(1e-4);
    expect(maxAbsDiff(new Float32Array(rendered), want)).toBeLessThan(1e-4);
    param.dispose();
    // Without decorrelation the parameters differ, the round trip still holds.
    const plain = await imageFromSpectrum(spectrumFromImage(img, { decorrelate: false }), 16, 20, { decorrelate: false }).data();
    expect(maxAbsDiff(new Float32Array(plain), want)).toBeLessThan(1e-4);
  });

  it('the initial image is Lucid\'s faint grey noise (std ≈ 0.0028 at 128 px, from numpy)', async () => {
    const p = fourierImage({ size: 128, batch: 4, seed: 1 });
    const img = p.render();
    const { mean, variance } = tf.moments(img);
    expect((await mean.data())[0]).toBeCloseTo(0.5, 2);
    const std = Math.sqrt((await variance.data())[0]);
    expect(std).toBeGreaterThan(0.0028 * 0.8);
    expect(std).toBeLessThan(0.0028 * 1.2);
    expect(p.variable.shape).toEqual([2, 128, 4, 3, 65]);
    p.dispose();
  });

  it('the color matrix is Lucid\'s, normalized by its largest column norm, and inverts', async () => {
    expect(Math.max(...[0, 1, 2].map((j) => Math.hypot(...COLOR_DECORRELATION.map((r) => r[j]))))).toBeCloseTo(1, 6);
    expect(COLOR_DECORRELATION[0][0]).toBeCloseTo(0.26 / Math.sqrt(0.26 ** 2 + 0.27 ** 2 * 2), 6);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        const v = [0, 1, 2].reduce((s, k) => s + COLOR_DECORRELATION[i][k] * COLOR_DECORRELATION_INVERSE[k][j], 0);
        expect(v).toBeCloseTo(i === j ? 1 : 0, 5);
      }
    const t = tf.tensor2d([[1, 0, 0]]);
    expect(Array.from(await decorrelatedToRgb(t).data()).map((v) => +v.toFixed(4))).toEqual(COLOR_DECORRELATION.map((r) => +r[0].toFixed(4)));
    const back = await rgbToDecorrelated(decorrelatedToRgb(t)).data();
    expect(maxAbsDiff(new Float32Array(back), new Float32Array([1, 0, 0]))).toBeLessThan(1e-5);
  });
});

describe('transforms', () => {
  it('pad + integer crop is an exact shift with 0.5 outside', async () => {
    const img = seededTensor([1, 6, 6, 3], 2) as tf.Tensor4D;
    // pad 2, then take the window at offset (1, 3): output pixel (i, j) = input (i − 1, j + 1) [rows via y offset 3−2]
    const toInput: Affine = composeAffine([1, 0, -2, 0, 1, -2], [1, 0, 3, 0, 1, 1]);
    const out = await affineWarp(img, toInput, [6, 6]).array();
    const src = await img.array();
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 6; j++) {
        const y = i - 1;
        const x = j + 1;
        const want = y >= 0 && y < 6 && x < 6 ? src[0][y][x] : [0.5, 0.5, 0.5];
        out[0][i][j].forEach((v, c) => expect(v).toBeCloseTo(want[c], 5));
      }
  });

  it('the warp gradient is the exact adjoint of the warp (dot-product test), for the standard chain', async () => {
    const t = standardTransforms(32, 5);
    for (let trial = 0; trial < 3; trial++) {
      const x = seededTensor([2, 32, 32, 3], 10 + trial) as tf.Tensor4D;
      const y0 = t(x);
      const probe = seededTensor(y0.shape, 20 + trial);
      const { toInput, size } = t.last()!;
      const lin = (v: tf.Tensor) => tf.sum(tf.mul(tf.sub(affineWarp(v as tf.Tensor4D, toInput, size, 0.5), affineWarp(tf.zerosLike(v) as tf.Tensor4D, toInput, size, 0.5)), probe));
      const g = tf.grad(lin)(x);
      // warp(x) − warp(0) is linear in x, so ⟨W x, p⟩ = ⟨x, Wᵀp⟩.
      const lhs = (await lin(x).data())[0];
      const rhs = (await tf.sum(tf.mul(x, g)).data())[0];
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-3 * Math.max(1, Math.abs(lhs)));
      expect(Math.abs(lhs)).toBeGreaterThan(0.1);
    }
  });

  it('the standard chain scales with size, is seeded, and changes every call', () => {
    const t = standardTransforms(128, 3);
    const x = tf.zeros([1, 128, 128, 3]) as tf.Tensor4D;
    const sizes = new Set<number>();
    const firsts: number[][] = [];
    for (let i = 0; i < 20; i++) {
      tf.tidy(() => t(x));
      const { size, toInput } = t.last()!;
      sizes.add(size[0]);
      // 128 + 24 − 8 = 144, scaled 0.9..1.1 (floor), − 4
      expect(size[0]).toBeGreaterThanOrEqual(Math.floor(144 * 0.9) - 4);
      expect(size[0]).toBeLessThanOrEqual(Math.floor(144 * 1.1) - 4);
      firsts.push(toInput);
    }
    expect(sizes.size).toBeGreaterThan(3);
    const again = standardTransforms(128, 3);
    tf.tidy(() => again(x));
    expect(again.last()!.toInput).toEqual(firsts[0]);
    const small = compose([pad(3), jitter(2)], 1);
    tf.tidy(() => small(tf.zeros([1, 32, 32, 3]) as tf.Tensor4D));
    expect(small.last()!.size).toEqual([36, 36]);
  });
});
