import * as tf from '@tensorflow/tfjs';
import { gaussians, mulberry32 } from '../featurevis/random.ts';

/**
 * The first `k` principal-component scores of the rows of X ([n × d]), by randomized SVD (Halko,
 * Martinsson & Tropp 2011: a seeded Gaussian sketch, two power iterations, then an exact
 * eigen-decomposition of a small (k+10)² matrix). Exact PCA of a 1000-wide covariance costs a
 * d³ eigen-solve per map; this costs a few matmuls, and a seed makes it reproducible.
 * When d ≤ k the centred data itself is returned (nothing to reduce).
 */
export function pcaScores(data: Float32Array, n: number, d: number, k: number, seed = 1): { scores: Float32Array; dims: number; explained: number } {
  const centred = centre(data, n, d);
  if (d <= k || n <= k) return { scores: centred, dims: d, explained: 1 };
  const l = Math.min(k + 10, d, n);
  const omega = gaussians(d * l, mulberry32(seed));
  const X = tf.tensor2d(centred, [n, d]);
  try {
    let q = orthonormalColumns(tf.tidy(() => tf.matMul(X, tf.tensor2d(omega, [d, l]))), n, l);
    for (let it = 0; it < 2; it++) {
      const z = tf.tidy(() => tf.matMul(X, tf.matMul(X, tf.tensor2d(Float32Array.from(q), [n, l]), true, false)));
      q = orthonormalColumns(z, n, l);
    }
    // B = Qᵀ X (l × d); B Bᵀ = U Σ² Uᵀ; scores = Q U Σ = X V.
    const bbt = tf.tidy(() => {
      const b = tf.matMul(tf.tensor2d(Float32Array.from(q), [n, l]), X, true, false);
      return tf.matMul(b, b, false, true);
    });
    const small = Float64Array.from(bbt.dataSync());
    bbt.dispose();
    const { values, vectors } = jacobiEigen(small, l);
    const order = Array.from({ length: l }, (_, i) => i).sort((a, b) => values[b] - values[a]);
    const scores = new Float32Array(n * k);
    for (let c = 0; c < k; c++) {
      const e = order[c];
      const sigma = Math.sqrt(Math.max(0, values[e]));
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < l; j++) s += q[i * l + j] * vectors[j * l + e];
        scores[i * k + c] = s * sigma;
      }
    }
    let total = 0;
    for (const v of centred) total += v * v;
    const kept = order.slice(0, k).reduce((s, e) => s + Math.max(0, values[e]), 0);
    return { scores, dims: k, explained: total > 0 ? kept / total : 1 };
  } finally {
    X.dispose();
  }
}

function centre(data: Float32Array, n: number, d: number): Float32Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = data[i * d + j] - mean[j];
  return out;
}

/** Modified Gram–Schmidt on the columns of an [n × l] tensor (disposed); returns row-major Q. */
function orthonormalColumns(t: tf.Tensor, n: number, l: number): Float64Array {
  const a = Float64Array.from(t.dataSync());
  t.dispose();
  for (let c = 0; c < l; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += a[i * l + c] * a[i * l + p];
      for (let i = 0; i < n; i++) a[i * l + c] -= dot * a[i * l + p];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[i * l + c] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) a[i * l + c] = norm > 1e-12 ? a[i * l + c] / norm : 0;
  }
  return a;
}

/** Cyclic Jacobi eigen-decomposition of a symmetric [m × m] matrix; vectors are columns. */
export function jacobiEigen(matrix: Float64Array, m: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) v[i * m + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) off += a[p * m + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * m + q] - a[p * m + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = a[k * m + p];
          const akq = a[k * m + q];
          a[k * m + p] = c * akp - s * akq;
          a[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = a[p * m + k];
          const aqk = a[q * m + k];
          a[p * m + k] = c * apk - s * aqk;
          a[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = v[k * m + p];
          const vkq = v[k * m + q];
          v[k * m + p] = c * vkp - s * vkq;
          v[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(m);
  for (let i = 0; i < m; i++) values[i] = a[i * m + i];
  return { values, vectors: v };
}
