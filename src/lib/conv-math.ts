/**
 * The arithmetic behind the explainer's convolution widget, free of the DOM so it is unit-tested:
 * output size, validation with a reason, the input↔output connections (the non-zeros of the sparse
 * matrix C), and direct forward and transposed (adjoint) application on one channel.
 *
 * Convention: cross-correlation, as every deep-learning library computes it (the kernel is not
 * flipped); zero padding p on every side; dilation d spreads the f taps over d(f−1)+1 pixels.
 */
import { mulberry32 } from '../../pipeline/featurevis/random.ts';

export type ConvMode = 'standard' | 'depthwise' | 'pointwise' | 'transposed';
export const CONV_MODES: ConvMode[] = ['standard', 'depthwise', 'pointwise', 'transposed'];

export interface ConvSettings {
  /** Input side (square). */
  n: number;
  /** Filter side. */
  f: number;
  /** Stride. */
  s: number;
  /** Zero padding on each side. */
  p: number;
  /** Dilation (1 = ordinary). */
  d: number;
}

/** n' = floor((n + 2p − d(f−1) − 1) / s) + 1 (PyTorch's Conv2d formula; d = 1 gives (n + 2p − f)/s + 1). */
export function outputSize({ n, f, s, p, d }: ConvSettings): number {
  return Math.floor((n + 2 * p - d * (f - 1) - 1) / s) + 1;
}

/** Why a setting cannot be drawn, in words a reader can act on; null when it is valid. */
export function invalidReason(c: ConvSettings): string | null {
  for (const [name, v, min] of [['input size n', c.n, 1], ['filter size f', c.f, 1], ['stride s', c.s, 1], ['dilation d', c.d, 1], ['padding p', c.p, 0]] as const) {
    if (!Number.isInteger(v)) return `${name} must be a whole number (got ${v}).`;
    if (v < min) return `${name} must be at least ${min} (got ${v}).`;
  }
  const span = c.d * (c.f - 1) + 1;
  if (span > c.n + 2 * c.p)
    return `The filter spans ${span} pixels${c.d > 1 ? ` (d(f−1)+1 with dilation ${c.d})` : ''} but the padded input is only ${c.n + 2 * c.p} wide (n + 2p): it does not fit even once. Make the filter smaller or pad more.`;
  return null;
}

/** Whether the last window ends exactly at the padded border (otherwise some pixels are never read). */
export function leftover(c: ConvSettings): number {
  const span = c.d * (c.f - 1) + 1;
  return (c.n + 2 * c.p - span) % c.s;
}

/** One non-zero of C: output cell `out` reads input cell `in` with filter tap `tap` (row-major indices). */
export interface Connection {
  out: number;
  in: number;
  tap: number;
}

/** Every (output, input, tap) triple of a valid setting; taps that fall on padding are left out. */
export function connections(c: ConvSettings): Connection[] {
  const m = outputSize(c);
  const list: Connection[] = [];
  for (let oy = 0; oy < m; oy++)
    for (let ox = 0; ox < m; ox++)
      for (let ky = 0; ky < c.f; ky++)
        for (let kx = 0; kx < c.f; kx++) {
          const iy = oy * c.s - c.p + ky * c.d;
          const ix = ox * c.s - c.p + kx * c.d;
          if (iy < 0 || ix < 0 || iy >= c.n || ix >= c.n) continue;
          list.push({ out: oy * m + ox, in: iy * c.n + ix, tap: ky * c.f + kx });
        }
  return list;
}

/** y = C x: cross-correlation of an n×n image x with the f×f kernel w (row-major), computed by gathering. */
export function correlate(x: ArrayLike<number>, w: ArrayLike<number>, c: ConvSettings): Float64Array {
  const m = outputSize(c);
  const y = new Float64Array(m * m);
  for (let oy = 0; oy < m; oy++)
    for (let ox = 0; ox < m; ox++) {
      let acc = 0;
      for (let ky = 0; ky < c.f; ky++) {
        const iy = oy * c.s - c.p + ky * c.d;
        if (iy < 0 || iy >= c.n) continue;
        for (let kx = 0; kx < c.f; kx++) {
          const ix = ox * c.s - c.p + kx * c.d;
          if (ix < 0 || ix >= c.n) continue;
          acc += w[ky * c.f + kx] * x[iy * c.n + ix];
        }
      }
      y[oy * m + ox] = acc;
    }
  return y;
}

/**
 * x = Cᵀ y: the transposed convolution (the deconvnet's filtering step), computed by scattering each
 * output's value back through the same weights onto the n×n input grid.
 */
export function correlateTransposed(y: ArrayLike<number>, w: ArrayLike<number>, c: ConvSettings): Float64Array {
  const m = outputSize(c);
  const x = new Float64Array(c.n * c.n);
  for (let oy = 0; oy < m; oy++)
    for (let ox = 0; ox < m; ox++) {
      const v = y[oy * m + ox];
      for (let ky = 0; ky < c.f; ky++) {
        const iy = oy * c.s - c.p + ky * c.d;
        if (iy < 0 || iy >= c.n) continue;
        for (let kx = 0; kx < c.f; kx++) {
          const ix = ox * c.s - c.p + kx * c.d;
          if (ix < 0 || ix >= c.n) continue;
          x[iy * c.n + ix] += w[ky * c.f + kx] * v;
        }
      }
    }
  return x;
}

/** Multiply-adds of one layer with c_in input and c_out output channels, per mode (MobileNet's saving). */
export function multiplyAdds(mode: ConvMode, c: ConvSettings, cin: number, cout: number): number {
  const m = outputSize(c);
  const k = c.f * c.f;
  if (mode === 'depthwise') return cin * k * m * m;
  if (mode === 'pointwise') return cin * cout * m * m;
  return cin * cout * k * m * m;
}

// ---------------------------------------------------------------------------------------------
// Hand-made filters of the seed assignment (edge, Gaussian) and a Kaiming-initialised one

export type FilterName = 'sobel-x' | 'sobel-y' | 'laplacian' | 'gaussian' | 'box' | 'kaiming';

export const FILTER_NAMES: Record<FilterName, string> = {
  'sobel-x': 'vertical edges (Sobel x)',
  'sobel-y': 'horizontal edges (Sobel y)',
  laplacian: 'edges in every direction (Laplacian)',
  gaussian: 'Gaussian blur (σ = f/4)',
  box: 'box blur (mean)',
  kaiming: 'random, Kaiming init (std √(2/f²))',
};

/** Standard normal samples (Box–Muller). */
export function gaussianSamples(count: number, seed: number): number[] {
  const r = mulberry32(seed); // seeded: a "random" filter is the same on every visit
  const out: number[] = [];
  while (out.length < count) {
    const u = Math.max(r(), 1e-12);
    const v = r();
    out.push(Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
  return out;
}

/** An f×f kernel (row-major). Edge filters generalise Sobel: a smoothing profile times a centred difference. */
export function makeFilter(name: FilterName, f: number, seed = 1): number[] {
  const c = (f - 1) / 2;
  const idx = [...Array(f).keys()];
  if (name === 'kaiming') {
    // He et al.: std = sqrt(2 / fan_in), fan_in = f·f for one input channel.
    const std = Math.sqrt(2 / (f * f));
    return gaussianSamples(f * f, seed).map((z) => z * std);
  }
  if (name === 'box') return Array(f * f).fill(1 / (f * f));
  if (name === 'gaussian') {
    const sigma = Math.max(f / 4, 0.5);
    const g = idx.flatMap((y) => idx.map((x) => Math.exp(-((x - c) ** 2 + (y - c) ** 2) / (2 * sigma * sigma))));
    const total = g.reduce((a, b) => a + b, 0);
    return g.map((v) => v / total);
  }
  if (name === 'laplacian') {
    const k = Array(f * f).fill(-1);
    k[Math.floor(c) * f + Math.floor(c)] = f * f - 1;
    return k;
  }
  const smooth = idx.map((i) => c - Math.abs(i - c) + 1);
  const diff = idx.map((i) => Math.sign(i - c));
  return idx.flatMap((y) => idx.map((x) => (name === 'sobel-x' ? smooth[y] * diff[x] : diff[y] * smooth[x])));
}
