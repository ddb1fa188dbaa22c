import { describe, expect, it } from 'vitest';
import { chooseUnits, SELECTIVE_FLOOR } from '../../pipeline/training/evolution-units.ts';
import type { UnitStatsRecord } from '../../pipeline/records/schemas.ts';

function stats(units: { max: number; mean: number }[]): UnitStatsRecord {
  return {
    model: 'm',
    layer: 'conv1',
    dataset: 'd',
    count: 10,
    units: units.map((u, index) => ({ index, ...u, preMax: u.max, ties: 0, active: 1, top: [], neighbours: [] })),
  } as unknown as UnitStatsRecord;
}

describe('evolution rows', () => {
  it('are the two strongest units and, distinct from them, the one with the largest max/mean', () => {
    // Brute force over every unit: the answer must equal the definition.
    const units = Array.from({ length: 12 }, (_, i) => ({ max: ((i * 7) % 12) + 1, mean: ((i * 5) % 11) + 0.5 }));
    const chosen = chooseUnits(stats(units));
    const byMax = units.map((u, i) => ({ ...u, i })).sort((a, b) => b.max - a.max);
    expect(chosen.slice(0, 2).map((c) => c.unit)).toEqual([byMax[0].i, byMax[1].i]);
    const means = units.map((u) => u.mean).sort((a, b) => a - b);
    const floor = SELECTIVE_FLOOR * (means[5] + means[6]) / 2;
    const rest = units
      .map((u, i) => ({ r: u.max / u.mean, i, mean: u.mean }))
      .filter((u) => u.i !== byMax[0].i && u.i !== byMax[1].i && u.mean >= floor);
    expect(chosen[2].unit).toBe(rest.reduce((a, b) => (b.r > a.r ? b : a)).i);
    expect(new Set(chosen.map((c) => c.unit)).size).toBe(3);
  });

  it('do not pick a nearly dead unit as the most selective', () => {
    // Unit 3 fires once (max 2) with mean 1e-4: max/mean 20000 beats every healthy unit, yet it is below the floor.
    const units = [
      { max: 9, mean: 1 },
      { max: 8, mean: 1 },
      { max: 4, mean: 0.5 },
      { max: 2, mean: 1e-4 },
      { max: 3, mean: 1 },
    ];
    const chosen = chooseUnits(stats(units));
    expect(chosen[2].unit).toBe(2);
    // Lifted just over the floor (0.25 x median mean 1) with a ratio still above unit 2's, it wins: the floor decides.
    expect(chooseUnits(stats(units.map((u, i) => (i === 3 ? { max: 6, mean: 0.3 } : u))))[2].unit).toBe(3);
  });

  it('leave out units that never fire', () => {
    expect(chooseUnits(stats([{ max: 0, mean: 0 }, { max: 0, mean: 0 }]))).toEqual([]);
  });
});
