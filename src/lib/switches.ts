import type { ModelRecord } from '../../pipeline/records/schemas.ts';
import type { UnitAtlas } from './atlas.ts';

/**
 * The switch figure: how alike a unit's top-9 deconvnet projections are (mean pairwise correlation,
 * measured by the unit-atlas step), per unit and averaged over a layer's atlas units. Near 1 the
 * deconvnet ignores the image; well below 1 the max-pool switches make each projection follow its patch.
 */
export interface LayerSwitchFigure {
  mean: number;
  units: number;
}

const byModel = new Map<string, Map<string, LayerSwitchFigure>>();

export function layerSwitchFigures(ua: UnitAtlas, model: string): Map<string, LayerSwitchFigure> {
  const cached = byModel.get(model);
  if (cached) return cached;
  const sums = new Map<string, { sum: number; units: number }>();
  for (const r of ua.patches.values()) {
    if (r.model !== model || r.projectionSimilarity == null) continue;
    const s = sums.get(r.layer) ?? { sum: 0, units: 0 };
    s.sum += r.projectionSimilarity;
    s.units += 1;
    sums.set(r.layer, s);
  }
  const out = new Map([...sums].map(([layer, s]) => [layer, { mean: s.sum / s.units, units: s.units }]));
  byModel.set(model, out);
  return out;
}

/** Whether any max-pool lies below (or is) this layer: only then can the deconvnet take switches from the image. */
export function hasSwitchesBelow(model: ModelRecord, layerId: string): boolean {
  const end = model.layers.findIndex((l) => l.id === layerId);
  return model.layers.slice(0, end + 1).some((l) => l.className === 'MaxPooling2D');
}

/** A sentence about a measured correlation r, chosen from the number itself. */
export function similarityWords(r: number): string {
  if (r >= 0.95) return 'practically the same picture';
  if (r >= 0.8) return 'much alike';
  if (r >= 0.5) return 'partly alike';
  return 'different pictures, each following its own patch';
}
