import { imagenetGroups } from '../tags/imagenet-groups.ts';

/**
 * The few colours a map can tell apart: each class falls in the first of these ImageNet groups
 * (pipeline/tags/imagenet-groups.ts) it belongs to, "other animal" catches the remaining animals
 * and "object" everything else. Labels that are not ImageNet-1k get a group per class when there
 * are few enough to colour apart (CIFAR-10's ten), plus "other"; else one group: "all".
 */
const COARSE: { group: string; name: string }[] = [
  { group: 'dog', name: 'dog' },
  { group: 'bird', name: 'bird' },
  { group: 'cat', name: 'cat' },
  { group: 'big cat', name: 'cat' },
  { group: 'fish', name: 'fish & sea life' },
  { group: 'crustacean', name: 'fish & sea life' },
  { group: 'mollusc', name: 'fish & sea life' },
  { group: 'marine mammal', name: 'fish & sea life' },
  { group: 'reptile', name: 'reptile & amphibian' },
  { group: 'amphibian', name: 'reptile & amphibian' },
  { group: 'insect', name: 'insect & spider' },
  { group: 'spider', name: 'insect & spider' },
  { group: 'animal', name: 'other animal' },
  { group: 'vehicle', name: 'vehicle' },
  { group: 'food', name: 'food & plant' },
  { group: 'plant', name: 'food & plant' },
  { group: 'landscape', name: 'scene' },
  { group: 'person', name: 'person' },
];

export const OTHER_GROUP = 'object';
const OTHER_CLASS_GROUP = 'other';
/** GROUP_COLOURS has 11: ten classes and "other" (grey). */
const MAX_CLASS_GROUPS = 10;

export interface CoarseGroups {
  /** Group names in legend order. */
  names: string[];
  /** Group index of a class index (labels order); OTHER for unknown classes. */
  of(classIndex: number | null | undefined): number;
}

export function coarseGroups(labels: readonly string[], wnids?: readonly string[]): CoarseGroups {
  const groups = imagenetGroups(labels, wnids);
  if (groups.length === 0) {
    if (labels.length < 2 || labels.length > MAX_CLASS_GROUPS) return { names: ['all'], of: () => 0 };
    const names = [...labels, OTHER_CLASS_GROUP];
    return { names, of: (i) => (i !== null && i !== undefined && i >= 0 && i < labels.length ? i : labels.length) };
  }
  const names = [...new Set(COARSE.map((c) => c.name)), OTHER_GROUP];
  const byClass = new Map<number, number>();
  for (const c of COARSE) {
    const g = groups.find((x) => x.name === c.group);
    for (const m of g?.members ?? []) if (!byClass.has(m)) byClass.set(m, names.indexOf(c.name));
  }
  const other = names.length - 1;
  return { names, of: (i) => (i === null || i === undefined ? other : (byClass.get(i) ?? other)) };
}

/** Most frequent group among some classes (ties: the earlier group); for a unit, its top images' classes. */
export function majorityGroup(groups: CoarseGroups, classes: (number | null | undefined)[]): number {
  const counts = new Map<number, number>();
  for (const c of classes) counts.set(groups.of(c), (counts.get(groups.of(c)) ?? 0) + 1);
  let best = groups.names.length - 1;
  let most = 0;
  for (const [g, n] of [...counts].sort((a, b) => a[0] - b[0])) if (n > most) [best, most] = [g, n];
  return best;
}
