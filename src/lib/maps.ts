import type { EmbeddingMapRecord } from '../../pipeline/records/map-schemas.ts';
import { entries } from './data.ts';
import { BASE } from './site.ts';

/** Embedding-map records by "<model>/<map>", loaded once per build. */
let loading: Promise<Map<string, EmbeddingMapRecord>> | undefined;
export function embeddingMaps(): Promise<Map<string, EmbeddingMapRecord>> {
  loading ??= entries<EmbeddingMapRecord>('embeddingMaps').then((list) => new Map(list.map((r) => [`${r.model}/${r.map}`, r])));
  return loading;
}

export const mapHref = {
  images: (m: string) => `${BASE}models/${m}/map/`,
  units: (m: string) => `${BASE}models/${m}/map/units/`,
  layer: (m: string, l: string) => `${BASE}models/${m}/layers/${l}/map/`,
};

export const LAYOUT_NAMES: Record<string, string> = { 'tsne-2d': 't-SNE', 'tsne-3d': 't-SNE 3D', 'umap-2d': 'UMAP' };
