import type { Neighbours } from './knn.ts';

/** Symmetric sparse matrix in CSR form (row i: columns col[rowStart[i] .. rowStart[i+1]]). */
export interface SparseP {
  n: number;
  rowStart: Int32Array;
  col: Int32Array;
  val: Float64Array;
}

/**
 * t-SNE's input affinities over each point's k nearest neighbours only (van der Maaten 2014, with
 * k = 3·perplexity): a Gaussian per point whose width is found by bisection so its entropy is
 * log(perplexity), then P = (P_j|i + P_i|j) / 2n. Memory is O(n·k), never n².
 */
export function sparseAffinities(nb: Neighbours, perplexity: number): SparseP {
  const { n, k, index, dist2 } = nb;
  const cond = new Float64Array(n * k);
  const target = Math.log(Math.min(perplexity, Math.max(1, k)));
  const p = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const row = dist2.subarray(i * k, (i + 1) * k);
    const min = row.reduce((m, x) => Math.min(m, x), Infinity);
    let beta = 1;
    let lo = 0;
    let hi = Infinity;
    for (let it = 0; it < 200; it++) {
      let sum = 0;
      let weighted = 0;
      for (let j = 0; j < k; j++) {
        p[j] = Math.exp(-beta * (row[j] - min));
        sum += p[j];
        weighted += p[j] * (row[j] - min);
      }
      // Entropy of the normalised row: log(sum) + beta·E[d].
      const h = Math.log(sum) + (beta * weighted) / sum;
      if (Math.abs(h - target) < 1e-5) break;
      if (h > target) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
    let sum = 0;
    for (let j = 0; j < k; j++) sum += p[j];
    for (let j = 0; j < k; j++) cond[i * k + j] = p[j] / sum;
  }
  return symmetrize(n, k, index, cond);
}

function symmetrize(n: number, k: number, index: Int32Array, cond: Float64Array): SparseP {
  // Incoming edges (transpose) by counting sort, so each row can merge its out- and in-edges.
  const inStart = new Int32Array(n + 1);
  for (let e = 0; e < n * k; e++) inStart[index[e] + 1]++;
  for (let i = 0; i < n; i++) inStart[i + 1] += inStart[i];
  const fill = inStart.slice(0, n);
  const inFrom = new Int32Array(n * k);
  const inVal = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const t = index[i * k + j];
      inFrom[fill[t]] = i;
      inVal[fill[t]++] = cond[i * k + j];
    }
  }
  const slot = new Int32Array(n).fill(-1);
  const rowStart = new Int32Array(n + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  const scale = 1 / (2 * n);
  for (let i = 0; i < n; i++) {
    const first = cols.length;
    const add = (j: number, v: number) => {
      if (slot[j] < 0) {
        slot[j] = cols.length;
        cols.push(j);
        vals.push(v * scale);
      } else vals[slot[j]] += v * scale;
    };
    for (let j = 0; j < k; j++) add(index[i * k + j], cond[i * k + j]);
    for (let e = inStart[i]; e < inStart[i + 1]; e++) add(inFrom[e], inVal[e]);
    for (let e = first; e < cols.length; e++) slot[cols[e]] = -1;
    rowStart[i + 1] = cols.length;
  }
  return { n, rowStart, col: Int32Array.from(cols), val: Float64Array.from(vals) };
}
