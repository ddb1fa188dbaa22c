import { hypergeometricTail } from './hypergeometric.ts';
import { imagenetGroups, shortLabel, type ClassGroup } from './imagenet-groups.ts';
import { clampScore, num, percent, type Tag } from './tag.ts';

/**
 * Which classes (and coarse groups of classes) are over-represented among a unit's top-k dataset
 * images. A candidate becomes a tag when all three hold:
 *  - count >= minCount: two dog images out of fifty say nothing, however rare dogs are;
 *  - count / expected >= minRatio: the effect is big, not just detectable;
 *  - hypergeometric P(X >= count) * m <= alpha, with m the number of candidates that occur in the
 *    top-k (Bonferroni): only those could have become tags, so that is the number of tests made.
 */

export interface EnrichmentOptions {
  minCount?: number;
  minRatio?: number;
  alpha?: number;
  /** Defaults to the ImageNet groups of `labels` (none when the labels are not ImageNet-1k). */
  groups?: ClassGroup[];
  /** Who the images belong to, for the evidence sentence. */
  subject?: string;
}

export interface Enrichment {
  kind: 'group' | 'class';
  name: string;
  /** "dogs", or the class label in quotes. */
  described: string;
  members: number[];
  count: number;
  n: number;
  expected: number;
  datasetShare: number;
  pValue: number;
}

export type ClassCounts = readonly number[] | ((index: number) => number);

interface Population {
  countOf: (index: number) => number;
  total: number;
}

function population(counts: ClassCounts, classes: number): Population {
  const countOf = typeof counts === 'function' ? counts : (i: number) => counts[i] ?? 0;
  let total = 0;
  for (let i = 0; i < classes; i++) total += countOf(i);
  return { countOf, total };
}

function tally(topImageClasses: readonly number[], classes: number): Map<number, number> {
  const seen = new Map<number, number>();
  for (const c of topImageClasses) if (Number.isInteger(c) && c >= 0 && c < classes) seen.set(c, (seen.get(c) ?? 0) + 1);
  return seen;
}

function candidates(seen: Map<number, number>, labels: readonly string[], groups: ClassGroup[]): Omit<Enrichment, 'n' | 'expected' | 'datasetShare' | 'pValue'>[] {
  const sum = (members: number[]) => members.reduce((s, i) => s + (seen.get(i) ?? 0), 0);
  const fromGroups = groups.map((g) => ({ kind: 'group' as const, name: g.name, described: g.plural, members: g.members, count: sum(g.members) }));
  const fromClasses = [...seen.keys()].map((i) => {
    const name = labels[i] ? shortLabel(labels[i]) : `class ${i}`;
    return { kind: 'class' as const, name, described: `"${name}"`, members: [i], count: seen.get(i) ?? 0 };
  });
  return [...fromGroups, ...fromClasses].filter((c) => c.count > 0);
}

/** Every candidate that occurs in the top-k, with its statistics; `overRepresentedClasses` filters these. */
export function classEnrichment(topImageClasses: readonly number[], datasetClassCounts: ClassCounts, labels: readonly string[], opts: EnrichmentOptions = {}): Enrichment[] {
  const classes = labels.length || (typeof datasetClassCounts === 'function' ? 0 : datasetClassCounts.length);
  const seen = tally(topImageClasses, classes);
  const n = [...seen.values()].reduce((a, b) => a + b, 0);
  const pop = population(datasetClassCounts, classes);
  const N = Math.max(pop.total, n);
  return candidates(seen, labels, opts.groups ?? imagenetGroups(labels)).map((c) => {
    const K = Math.max(c.count, c.members.reduce((s, i) => s + pop.countOf(i), 0));
    return { ...c, n, expected: (n * K) / N, datasetShare: K / N, pValue: hypergeometricTail(c.count, N, K, n) };
  });
}

/** Drops a group when a smaller tagged group inside it has the same count: "mammal" adds nothing to "dog" at 50 of 50. */
function dropRedundantGroups(found: Enrichment[]): Enrichment[] {
  const groups = found.filter((e) => e.kind === 'group');
  const within = (small: Enrichment, big: Enrichment) => small.members.length < big.members.length && small.members.every((i) => big.members.includes(i));
  return found.filter((e) => e.kind === 'class' || !groups.some((g) => g !== e && g.count === e.count && within(g, e)));
}

function toTag(e: Enrichment, subject: string): Tag {
  const excess = (e.count / e.n - e.datasetShare) / (1 - e.datasetShare || 1);
  return {
    tag: e.name,
    kind: 'class',
    score: clampScore(excess),
    evidence: `${e.count} of ${subject.replace('{n}', String(e.n))} are ${e.described} (expected ${num(e.expected)} by chance, ${percent(e.datasetShare)} of the dataset)`,
  };
}

/**
 * Tags for the groups and single classes over-represented among a unit's top-k dataset images
 * (`topImageClasses`: the class index of each; negative or out-of-range entries, e.g. images with
 * no ImageNet class, are left out of k), sorted by score: the excess share (observed share minus
 * dataset share, over its maximum), 1 when every top image is in the group.
 */
export function overRepresentedClasses(topImageClasses: readonly number[], datasetClassCounts: ClassCounts, labels: readonly string[], opts: EnrichmentOptions = {}): Tag[] {
  const all = classEnrichment(topImageClasses, datasetClassCounts, labels, opts);
  const minCount = opts.minCount ?? 3;
  const minRatio = opts.minRatio ?? 2;
  const alpha = opts.alpha ?? 0.01;
  const passing = all.filter((e) => e.count >= minCount && e.count >= minRatio * e.expected && e.pValue * all.length <= alpha);
  const subject = opts.subject ?? "the unit's top {n} dataset images";
  return dropRedundantGroups(passing)
    .map((e) => toTag(e, subject))
    .sort((a, b) => b.score - a.score || a.tag.localeCompare(b.tag));
}
