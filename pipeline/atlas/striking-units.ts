import type { UnitViewsRecord } from '../records/schemas.ts';

export interface StrikingUnit {
  layer: string;
  unit: number;
  /** The gallery photo it singles out. */
  image: string;
  /** 1 − median photo's max / best photo's max, both before the rectifier (median below 0 counts as 0): near 1 when one photo stands out. */
  selectivity: number;
}

/**
 * A few units across the depth of the network that respond to one gallery photo far more than to
 * the rest: per chosen layer, among its strong units (top quarter by gallery max), the most
 * selective; ties go to the larger gallery max, then the lower unit. The home page features them,
 * so the default atlas covers them in full. Every value is taken before the rectifier: with
 * ReLU6's cap the outputs of the strong units are all 6 and would not tell them apart.
 */
export function strikingUnits(layerIds: string[], views: Map<string, UnitViewsRecord>, count: number): StrikingUnit[] {
  if (!layerIds.length || count <= 0) return [];
  const n = Math.min(count, layerIds.length);
  const picks = [...new Set(Array.from({ length: n }, (_, i) => layerIds[Math.round(((i + 0.5) / n) * (layerIds.length - 1))]))];
  return picks.flatMap((layer) => {
    const v = views.get(layer);
    if (!v) return [];
    const maxes = v.units.map((u) => u.preMax).sort((x, y) => x - y);
    const strong = maxes[Math.floor(maxes.length * 0.75)] ?? 0;
    const scored = v.units
      .filter((u) => u.preMax > 0 && u.preMax >= strong)
      .map((u) => {
        const sorted = [...u.imagePreMax].sort((x, y) => y - x);
        return { u, selectivity: 1 - Math.max(0, sorted[Math.floor(sorted.length / 2)] ?? 0) / sorted[0] };
      })
      .sort((x, y) => y.selectivity - x.selectivity || y.u.preMax - x.u.preMax || x.u.index - y.u.index);
    const best = scored[0];
    return best ? [{ layer, unit: best.u.index, image: best.u.bestImage, selectivity: best.selectivity }] : [];
  });
}
