import { gaussians, mulberry32 } from '../featurevis/random.ts';
import { sparseAffinities, type SparseP } from './affinities.ts';
import { nearestNeighbours } from './knn.ts';
import { barnesHutRepulsion } from './repulsion-bh.ts';
import { fftRepulsion } from './repulsion-fft.ts';

export interface TsneOptions {
  dims: 2 | 3;
  perplexity: number;
  /** Total iterations, the first `exaggerationIterations` with P multiplied by `exaggeration`. */
  iterations: number;
  exaggerationIterations: number;
  exaggeration: number;
  /** 'auto': max(n / exaggeration, 200) (Belkina et al. 2019), which converges large n in few iterations. */
  learningRate: number | 'auto';
  /** Barnes–Hut opening angle (3D, and 2D below FFT_FROM points). */
  theta: number;
  /** Initial layout: the first principal components (scaled to std 1e-4) or seeded Gaussian noise. */
  init: 'pca' | 'random';
  seed: number;
  /** 'auto': Barnes–Hut in 3D and for 2D maps under FFT_FROM points, else FFT interpolation (2D only). */
  repulsion: 'auto' | 'barnes-hut' | 'fft';
}

/** 2D maps from this many points use FFT interpolation for the repulsion. */
const FFT_FROM = 5000;

export const TSNE_DEFAULTS: TsneOptions = {
  dims: 2,
  perplexity: 30,
  iterations: 750,
  exaggerationIterations: 250,
  exaggeration: 12,
  learningRate: 'auto',
  theta: 0.5,
  init: 'pca',
  seed: 1,
  repulsion: 'auto',
};

/**
 * t-SNE of the rows of X ([n × d], already reduced, e.g. PCA to 50): exact kNN with
 * k = 3·perplexity, sparse P, and gradient descent with momentum and gains as in bhtsne. Same
 * inputs and options → identical coordinates (no unseeded randomness; arithmetic is sequential).
 */
export function tsne(data: Float32Array, n: number, d: number, options: Partial<TsneOptions> = {}, onIteration?: (it: number, total: number) => void): Float32Array {
  const opts = { ...TSNE_DEFAULTS, ...options };
  if (n < 2) return new Float32Array(n * opts.dims);
  const k = Math.min(n - 1, Math.floor(3 * opts.perplexity));
  const p = sparseAffinities(nearestNeighbours(data, n, d, k), Math.min(opts.perplexity, (n - 1) / 3));
  return optimize(p, initialLayout(data, n, d, opts), opts, onIteration);
}

function initialLayout(data: Float32Array, n: number, d: number, opts: TsneOptions): Float64Array {
  const y = new Float64Array(n * opts.dims);
  if (opts.init === 'random' || d < opts.dims) {
    const g = gaussians(n * opts.dims, mulberry32(opts.seed));
    for (let i = 0; i < y.length; i++) y[i] = g[i] * 1e-4;
    return y;
  }
  // The input is PCA scores, so its first columns are the leading components.
  for (let i = 0; i < n; i++) for (let a = 0; a < opts.dims; a++) y[i * opts.dims + a] = data[i * d + a];
  const std = Math.sqrt(y.reduce((s, v) => s + v * v, 0) / y.length) || 1;
  for (let i = 0; i < y.length; i++) y[i] = (y[i] / std) * 1e-4;
  return y;
}

export function optimize(p: SparseP, y: Float64Array, opts: TsneOptions, onIteration?: (it: number, total: number) => void): Float32Array {
  const { n, rowStart, col, val } = p;
  const dims = opts.dims;
  const lr = opts.learningRate === 'auto' ? Math.max(n / opts.exaggeration, 200) : opts.learningRate;
  // Barnes–Hut is cheaper for small maps; FFT interpolation's cost does not grow with n.
  const fft = opts.repulsion === 'fft' || (opts.repulsion === 'auto' && n >= FFT_FROM);
  if (fft && dims !== 2) throw new Error('t-SNE: FFT repulsion is 2D only');
  const repulse = fft ? fftRepulsion() : barnesHutRepulsion(dims, opts.theta);
  const grad = new Float64Array(n * dims);
  const rep = new Float64Array(n * dims);
  const update = new Float64Array(n * dims);
  const gains = new Float64Array(n * dims).fill(1);
  for (let it = 0; it < opts.iterations; it++) {
    const early = it < opts.exaggerationIterations;
    const exag = early ? opts.exaggeration : 1;
    const momentum = early ? 0.5 : 0.8;
    const z = Math.max(repulse(y, n, rep), 1e-12);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < dims; a++) grad[i * dims + a] = -rep[i * dims + a] / z;
      for (let e = rowStart[i]; e < rowStart[i + 1]; e++) {
        const j = col[e];
        let d2 = 0;
        for (let a = 0; a < dims; a++) d2 += (y[i * dims + a] - y[j * dims + a]) ** 2;
        const m = (exag * val[e]) / (1 + d2);
        for (let a = 0; a < dims; a++) grad[i * dims + a] += m * (y[i * dims + a] - y[j * dims + a]);
      }
    }
    for (let e = 0; e < n * dims; e++) {
      gains[e] = Math.sign(grad[e]) !== Math.sign(update[e]) ? gains[e] + 0.2 : Math.max(0.01, gains[e] * 0.8);
      update[e] = momentum * update[e] - lr * gains[e] * grad[e];
      y[e] += update[e];
    }
    for (let a = 0; a < dims; a++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += y[i * dims + a];
      mean /= n;
      for (let i = 0; i < n; i++) y[i * dims + a] -= mean;
    }
    onIteration?.(it + 1, opts.iterations);
  }
  return Float32Array.from(y);
}

/**
 * Share of each point's k nearest neighbours in the input that are also among its k nearest in
 * the layout, averaged (1 = local structure fully kept; chance ≈ k / n).
 */
export function knnPreservation(data: Float32Array, d: number, layout: Float32Array, dims: number, n: number, k = 10): number {
  const a = nearestNeighbours(data, n, d, k);
  const b = nearestNeighbours(layout, n, dims, k);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const set = new Set(a.index.subarray(i * a.k, (i + 1) * a.k));
    for (let j = 0; j < b.k; j++) if (set.has(b.index[i * b.k + j])) hits++;
  }
  return hits / (n * a.k);
}
