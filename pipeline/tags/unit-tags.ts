import { overRepresentedClasses, type ClassCounts, type EnrichmentOptions } from './class-enrichment.ts';
import { colorTags, dominantColors, type ColorName, type ColorShare } from './color-names.ts';
import { toGray } from './gray.ts';
import { patternDescriptors, type PatternOptions } from './orientation.ts';
import type { Tag } from './tag.ts';

/**
 * All tags of one unit from whatever evidence the pipeline has for it: the classes of its top
 * dataset images, its feature visualization, and its top image patches.
 */

export interface RgbImage {
  rgb: Uint8Array;
  w: number;
  h: number;
}

export interface UnitEvidence {
  topImageClasses?: readonly number[];
  datasetClassCounts?: ClassCounts;
  labels?: readonly string[];
  featureVis?: RgbImage;
  patches?: RgbImage[];
}

export interface UnitTagOptions {
  enrichment?: EnrichmentOptions;
  pattern?: PatternOptions;
  /** Smallest pixel share that names a colour. */
  minColorShare?: number;
  /** Fraction of the patches that must show a pattern for the unit to get its tag. */
  minPatchAgreement?: number;
  /** Patches smaller than this on either side are too small for orientation and frequency. */
  minPatchSide?: number;
}

function classTags(e: UnitEvidence, opts: UnitTagOptions): Tag[] {
  if (!e.topImageClasses?.length || !e.datasetClassCounts) return [];
  return overRepresentedClasses(e.topImageClasses, e.datasetClassCounts, e.labels ?? [], opts.enrichment);
}

function featureVisTags(img: RgbImage, opts: UnitTagOptions): Tag[] {
  const n = img.w * img.h;
  const colors = colorTags(dominantColors(img.rgb, n), { minShare: opts.minColorShare, subject: "the feature visualization's pixels" });
  const patterns = patternDescriptors(toGray(img.rgb, n), img.w, img.h, opts.pattern).tags.map((t) => ({ ...t, evidence: `In the feature visualization, ${t.evidence}` }));
  return [...colors, ...patterns];
}

/** Colour shares over all patches' pixels together, so a large patch counts for more than a tiny one. */
function pooledColors(patches: RgbImage[]): ColorShare[] {
  const counts = new Map<ColorName, number>();
  let total = 0;
  for (const p of patches) {
    const n = p.w * p.h;
    total += n;
    for (const s of dominantColors(p.rgb, n)) counts.set(s.name, (counts.get(s.name) ?? 0) + s.share * n);
  }
  return [...counts].map(([name, c]) => ({ name, share: c / total })).sort((a, b) => b.share - a.share);
}

/** A pattern tag for the unit when enough patches show it; score = agreement × mean score. */
function patchPatternTags(patches: RgbImage[], opts: UnitTagOptions): Tag[] {
  const minSide = opts.minPatchSide ?? 8;
  const usable = patches.filter((p) => p.w >= minSide && p.h >= minSide);
  const found = new Map<string, Tag[]>();
  for (const p of usable) {
    for (const t of patternDescriptors(toGray(p.rgb, p.w * p.h), p.w, p.h, opts.pattern).tags) found.set(t.tag, [...(found.get(t.tag) ?? []), t]);
  }
  const need = Math.max(2, Math.ceil((opts.minPatchAgreement ?? 0.5) * usable.length));
  return [...found].filter(([, ts]) => ts.length >= need).map(([tag, ts]) => {
    const best = ts.reduce((a, b) => (b.score > a.score ? b : a));
    const mean = ts.reduce((s, t) => s + t.score, 0) / ts.length;
    return { tag, kind: 'pattern' as const, score: (ts.length / usable.length) * mean, evidence: `In ${ts.length} of the unit's ${usable.length} top patches; in the clearest, ${best.evidence}` };
  });
}

function patchTags(patches: RgbImage[], opts: UnitTagOptions): Tag[] {
  if (!patches.length) return [];
  const subject = `the pixels of the unit's ${patches.length} top patches`;
  return [...colorTags(pooledColors(patches), { minShare: opts.minColorShare, subject }), ...patchPatternTags(patches, opts)];
}

/** One tag per (kind, word): the highest score, with every source's evidence, strongest first. */
function merge(tags: Tag[]): Tag[] {
  const byKey = new Map<string, Tag[]>();
  for (const t of tags) byKey.set(`${t.kind}:${t.tag}`, [...(byKey.get(`${t.kind}:${t.tag}`) ?? []), t]);
  return [...byKey.values()].map((same) => {
    const sorted = [...same].sort((a, b) => b.score - a.score);
    const evidence = [...new Set(sorted.map((t) => t.evidence))].join('; ');
    return { ...sorted[0], evidence };
  });
}

/** Combined, de-duplicated tags, highest score first (ties by word, for stable output). */
export function unitTags(e: UnitEvidence, opts: UnitTagOptions = {}): Tag[] {
  const all = [...classTags(e, opts), ...(e.featureVis ? featureVisTags(e.featureVis, opts) : []), ...patchTags(e.patches ?? [], opts)];
  return merge(all).sort((a, b) => b.score - a.score || a.tag.localeCompare(b.tag));
}
