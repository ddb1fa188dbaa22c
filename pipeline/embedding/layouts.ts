import { cosineFromDist2, nearestNeighbours, normalizeRows } from './knn.ts';
import { pcaScores } from './pca.ts';
import { tsne } from './tsne.ts';
import type { LayoutId } from './map-config.ts';
import { umapLayout } from './umap.ts';

export interface MapSettings {
  perplexity: number;
  pcaDims: number;
  neighbours: number;
  iterations: number;
  /** 3D t-SNE (Barnes–Hut) above this many points is skipped: the page says so. */
  max3d: number;
  /** The layouts to compute (2D t-SNE always: the static picture is drawn from it). */
  layouts: LayoutId[];
  seed: number;
}

export const MAP_DEFAULTS: MapSettings = {
  perplexity: 30,
  pcaDims: 50,
  neighbours: 12,
  iterations: 750,
  max3d: 4000,
  layouts: ['tsne-2d', 'tsne-3d', 'umap-2d'],
  seed: 1,
};

export interface Layout {
  id: LayoutId;
  dims: 2 | 3;
  /** Centred and scaled so the largest coordinate is 1. */
  positions: Float32Array;
  seconds: number;
}

export interface MapLayouts {
  layouts: Layout[];
  /** [n × k] nearest by cosine similarity in the full feature space, most similar first. */
  neighbours: { k: number; index: Uint32Array; similarity: Float32Array };
  pca: { dims: number; explained: number };
}

/**
 * Everything a map needs from a feature matrix ([n × d], one row per point): rows are
 * L2-normalised (so distances are cosine distances), exact neighbours in the full space, PCA to
 * `pcaDims`, then on the PCA scores t-SNE in 2D and, as `settings.layouts` asks, t-SNE in 3D and
 * UMAP in 2D.
 */
export function mapLayouts(features: Float32Array, n: number, d: number, settings: MapSettings, step?: (what: string) => void): MapLayouts {
  const unit = normalizeRows(features, n, d);
  step?.('neighbours');
  const nb = nearestNeighbours(unit, n, d, settings.neighbours);
  const similarity = Float32Array.from(nb.dist2, cosineFromDist2);
  step?.('pca');
  const pca = pcaScores(unit, n, d, settings.pcaDims, settings.seed);
  const layouts: Layout[] = [];
  const timed = (id: Layout['id'], dims: 2 | 3, f: () => Float32Array) => {
    step?.(id);
    const t0 = performance.now();
    const positions = fitUnitBox(f(), dims);
    layouts.push({ id, dims, positions, seconds: (performance.now() - t0) / 1000 });
  };
  const tsneOpts = { perplexity: settings.perplexity, iterations: settings.iterations, exaggerationIterations: Math.round(settings.iterations / 3), seed: settings.seed };
  timed('tsne-2d', 2, () => tsne(pca.scores, n, pca.dims, { ...tsneOpts, dims: 2 }));
  const wants = (id: LayoutId) => settings.layouts.includes(id);
  if (wants('tsne-3d') && n <= settings.max3d) {
    timed('tsne-3d', 3, () => tsne(pca.scores, n, pca.dims, { ...tsneOpts, dims: 3 }));
  }
  if (wants('umap-2d') && n > 16) {
    timed('umap-2d', 2, () => umapLayout(pca.scores, n, pca.dims, nearestNeighbours(pca.scores, n, pca.dims, 15), { seed: settings.seed }));
  }
  return { layouts, neighbours: { k: nb.k, index: Uint32Array.from(nb.index), similarity }, pca: { dims: pca.dims, explained: pca.explained } };
}

/** Centres a layout and scales it so its largest coordinate is ±1 (aspect kept). */
export function fitUnitBox(y: Float32Array, dims: number): Float32Array {
  const n = y.length / dims;
  const out = new Float32Array(y.length);
  const mean = new Float64Array(dims);
  for (let i = 0; i < n; i++) for (let a = 0; a < dims; a++) mean[a] += y[i * dims + a] / n;
  let max = 0;
  for (let i = 0; i < n; i++) for (let a = 0; a < dims; a++) max = Math.max(max, Math.abs(y[i * dims + a] - mean[a]));
  for (let i = 0; i < n; i++) for (let a = 0; a < dims; a++) out[i * dims + a] = max > 0 ? (y[i * dims + a] - mean[a]) / max : 0;
  return out;
}
