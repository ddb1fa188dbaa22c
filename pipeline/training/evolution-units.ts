import type { UnitStatsRecord } from '../records/schemas.ts';
import { sig } from '../records/sig.ts';

/** Fraction of the layer's median mean activation a unit needs to count as "most selective". */
export const SELECTIVE_FLOOR = 0.25;

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  return v.length === 0 ? 0 : v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

export interface ChosenUnit {
  unit: number;
  reason: string;
}

/**
 * Fig. 4's rows, chosen on the final model: the two units with the largest single activation on the
 * test set, and the most selective of the rest (largest max / mean ratio, i.e. rare but strong) among
 * those whose mean is at least SELECTIVE_FLOOR x the layer's median mean.
 */
export function chooseUnits(stats: UnitStatsRecord, strongest = 2): ChosenUnit[] {
  const byMax = [...stats.units].sort((a, b) => b.max - a.max || a.index - b.index);
  const chosen: ChosenUnit[] = byMax
    .slice(0, strongest)
    .filter((u) => u.max > 0)
    .map((u) => ({ unit: u.index, reason: `strongest: max ${sig(u.max, 3)}` }));
  const taken = new Set(chosen.map((c) => c.unit));
  // A nearly dead unit (mean ~ 0) has an enormous max/mean from one stray response: only units whose
  // mean reaches SELECTIVE_FLOOR x the layer's median mean compete.
  const floor = SELECTIVE_FLOOR * median(stats.units.map((u) => u.mean));
  const selective = stats.units
    .filter((u) => !taken.has(u.index) && u.mean > 0 && u.mean >= floor)
    .sort((a, b) => b.max / b.mean - a.max / a.mean || a.index - b.index)[0];
  if (selective) {
    const ratio = sig(selective.max / selective.mean, 3);
    chosen.push({ unit: selective.index, reason: `most selective: max/mean ${ratio}` });
  }
  return chosen;
}
