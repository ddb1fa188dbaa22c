import { UMAP } from 'umap-js';
import { mulberry32 } from '../featurevis/random.ts';
import type { Neighbours } from './knn.ts';

export interface UmapOptions {
  dims: 2 | 3;
  neighbours: number;
  minDist: number;
  /** umap-learn's default: 500 epochs below 10,000 points, 200 above. */
  epochs?: number;
  seed: number;
}

export const UMAP_DEFAULTS: UmapOptions = { dims: 2, neighbours: 15, minDist: 0.1, seed: 1 };

/**
 * UMAP (umap-js) of the rows of X, fed the exact neighbours we already have (umap-js would
 * otherwise run its own approximate NN-descent) and a seeded generator, so it is reproducible.
 */
export function umapLayout(data: Float32Array, n: number, d: number, nb: Neighbours, options: Partial<UmapOptions> = {}): Float32Array {
  const opts = { ...UMAP_DEFAULTS, ...options };
  const k = Math.min(opts.neighbours, nb.k + 1);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(data.subarray(i * d, (i + 1) * d)));
  // umap-learn's kNN lists each point as its own nearest neighbour at distance 0.
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let i = 0; i < n; i++) {
    indices.push([i, ...Array.from(nb.index.subarray(i * nb.k, i * nb.k + k - 1))]);
    distances.push([0, ...Array.from(nb.dist2.subarray(i * nb.k, i * nb.k + k - 1), Math.sqrt)]);
  }
  const umap = new UMAP({
    nComponents: opts.dims,
    nNeighbors: k,
    minDist: opts.minDist,
    nEpochs: opts.epochs ?? (n > 10_000 ? 200 : 500),
    random: mulberry32(opts.seed),
  });
  umap.setPrecomputedKNN(indices, distances);
  const out = umap.fit(rows);
  return Float32Array.from(out.flat());
}
