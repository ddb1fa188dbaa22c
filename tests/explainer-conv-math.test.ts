import { describe, expect, it } from 'vitest';
import {
  connections,
  correlate,
  correlateTransposed,
  gaussianSamples,
  invalidReason,
  makeFilter,
  multiplyAdds,
  outputSize,
  type ConvSettings,
} from '../src/lib/conv-math.ts';

/** Every setting of a small grid, valid or not. */
function* settings(): Generator<ConvSettings> {
  for (let n = 1; n <= 9; n++)
    for (let f = 1; f <= 5; f++)
      for (let s = 1; s <= 4; s++)
        for (let p = 0; p <= 3; p++) for (let d = 1; d <= 3; d++) yield { n, f, s, p, d };
}

/** Brute force: count the window positions whose dilated span fits inside the padded input. */
function windowsThatFit(c: ConvSettings): number {
  const span = c.d * (c.f - 1) + 1;
  let count = 0;
  for (let start = 0; start + span <= c.n + 2 * c.p; start += c.s) count++;
  return count;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((acc, v, i) => acc + v * b[i], 0);

describe('convolution widget maths', () => {
  it('output size equals the formula and the brute-force window count on every valid setting, and invalid ones are refused', () => {
    let valid = 0;
    let refused = 0;
    for (const c of settings()) {
      const formula = Math.floor((c.n + 2 * c.p - c.d * (c.f - 1) - 1) / c.s) + 1;
      const fits = windowsThatFit(c);
      const reason = invalidReason(c);
      if (fits === 0) {
        expect(reason, JSON.stringify(c)).toMatch(/does not fit/);
        refused++;
        continue;
      }
      expect(reason, JSON.stringify(c)).toBeNull();
      expect(outputSize(c), JSON.stringify(c)).toBe(formula);
      expect(outputSize(c)).toBe(fits);
      valid++;
    }
    expect(valid).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(50);
    console.log(`output size: ${valid} valid settings match the formula, ${refused} invalid ones refused`);
  });

  it('the assignment case: n=224, f=3, s=1, p=0 gives 222; MobileNet conv1 (s=2, p=1) gives 112', () => {
    expect(outputSize({ n: 224, f: 3, s: 1, p: 0, d: 1 })).toBe(222);
    expect(outputSize({ n: 224, f: 3, s: 2, p: 1, d: 1 })).toBe(112);
  });

  it('refuses non-integers and zero strides with a message naming the setting', () => {
    expect(invalidReason({ n: 5, f: 3, s: 0, p: 0, d: 1 })).toMatch(/stride s must be at least 1/);
    expect(invalidReason({ n: 5.5, f: 3, s: 1, p: 0, d: 1 })).toMatch(/input size n must be a whole number/);
  });

  it('forward is the sparse matrix C of its connections, transposed is Cᵀ, and ⟨Cx, y⟩ = ⟨x, Cᵀy⟩ on random data', () => {
    let checked = 0;
    let seed = 1;
    for (const c of settings()) {
      if (invalidReason(c)) continue;
      const m = outputSize(c);
      const w = gaussianSamples(c.f * c.f, seed++);
      const x = gaussianSamples(c.n * c.n, seed++);
      const y = gaussianSamples(m * m, seed++);
      const cx = correlate(x, w, c);
      const cty = correlateTransposed(y, w, c);
      // Dense C from the connection list.
      const C = Array.from({ length: m * m }, () => new Float64Array(c.n * c.n));
      for (const k of connections(c)) C[k.out][k.in] += w[k.tap];
      for (let o = 0; o < m * m; o++) expect(cx[o]).toBeCloseTo(dot(C[o], x), 10);
      for (let i = 0; i < c.n * c.n; i++) expect(cty[i]).toBeCloseTo(C.reduce((acc, row, o) => acc + row[i] * y[o], 0), 10);
      const lhs = dot(cx, y);
      const rhs = dot(x, cty);
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-9 * (1 + Math.abs(lhs)));
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('a hand-computed case: 3x3 input, 2x2 ones kernel, stride 1', () => {
    const c = { n: 3, f: 2, s: 1, p: 0, d: 1 };
    expect(Array.from(correlate([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 1, 1], c))).toEqual([12, 16, 24, 28]);
    expect(Array.from(correlateTransposed([1, 0, 0, 0], [1, 2, 3, 4], c))).toEqual([1, 2, 0, 3, 4, 0, 0, 0, 0]);
  });

  it('filters: Gaussian sums to 1, edge filters to 0, Kaiming has std near √(2/fan_in)', () => {
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(makeFilter('gaussian', 5))).toBeCloseTo(1, 12);
    for (const f of [3, 5]) for (const n of ['sobel-x', 'sobel-y', 'laplacian'] as const) expect(sum(makeFilter(n, f))).toBeCloseTo(0, 12);
    expect(makeFilter('sobel-x', 3)).toEqual([-1, 0, 1, -2, 0, 2, -1, 0, 1]);
    const k = makeFilter('kaiming', 45, 7);
    const std = Math.sqrt(sum(k.map((v) => v * v)) / k.length);
    expect(std).toBeGreaterThan(0.9 * Math.sqrt(2 / 45 ** 2));
    expect(std).toBeLessThan(1.1 * Math.sqrt(2 / 45 ** 2));
  });

  it('depthwise + pointwise cost far less than one standard convolution (MobileNet)', () => {
    const c = { n: 14, f: 3, s: 1, p: 1, d: 1 };
    const std = multiplyAdds('standard', c, 384, 384);
    const sep = multiplyAdds('depthwise', c, 384, 384) + multiplyAdds('pointwise', { ...c, f: 1, p: 0 }, 384, 384);
    expect(std / sep).toBeCloseTo(1 / (1 / 384 + 1 / 9), 6);
  });
});
