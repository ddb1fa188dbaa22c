import { getCollection } from 'astro:content';
import type {
  ClassModelRecord,
  FeaturedUnitsRecord,
  FeatureVisExtrasRecord,
  FeatureVisRecord,
  TagRecord,
  UnitPatchesRecord,
  UnitTagsRecord,
} from '../../pipeline/records/atlas-schemas.ts';
import type { DatasetRecord, ModelRecord } from '../../pipeline/records/schemas.ts';
import { imagenetGroups, shortLabel, type ClassGroup } from '../../pipeline/tags/imagenet-groups.ts';
import { entries, recordKey as key, type Atlas } from './data.ts';
import { BASE, href } from './site.ts';

/**
 * The unit atlas as the pages see it: per-unit feature visualizations, top-9 patches, tags and
 * human notes, per-class class models, and the indexes that tie classes to dataset images,
 * gallery photos and tagged units. Loaded once per build and memoised (8,000+ unit pages and
 * 1,000 class pages share it); pages only look things up.
 */

/** A human note: content/notes/<model>/<layer>/<unit>.md (ATLAS_NOTES_DIR elsewhere). */
export interface NoteEntry {
  id: string;
  data: { title?: string; author?: string };
  body?: string;
  /** Astro's HTML of the Markdown body (remark-text-only: raw HTML in a note stays text). */
  rendered?: { html: string };
}

export type UnitTags = UnitTagsRecord['units'][number];

export interface TaggedUnit {
  layer: string;
  unit: number;
  tag: TagRecord;
}

export type DatasetImage = DatasetRecord['images'][number];

/** Per model: what each class page shows, indexed by class index. */
export interface ClassIndex {
  dataset: Map<number, { dataset: DatasetRecord; image: DatasetImage }[]>;
  /** Gallery photos whose top-1 prediction is the class. */
  gallery: Map<number, { image: string; probability: number }[]>;
  /** Units with a class tag naming the class itself. */
  units: Map<number, TaggedUnit[]>;
  /** The class's coarse groups ("dog", "vehicle") and how many units carry each as a tag. */
  groups: Map<number, { group: ClassGroup; units: number }[]>;
}

export interface TagSummary {
  tag: string;
  kind: TagRecord['kind'];
  units: number;
}

export interface UnitAtlas {
  patches: Map<string, UnitPatchesRecord>;
  vis: Map<string, FeatureVisRecord>;
  extras: Map<string, FeatureVisExtrasRecord>;
  classModels: Map<string, ClassModelRecord>;
  tags: Map<string, UnitTagsRecord>;
  notes: Map<string, NoteEntry>;
  /** Units the pipeline features (home page, config list), with why: they get the extras too. */
  featured: Map<string, FeaturedUnitsRecord['units'][number]>;
}

let loading: Promise<UnitAtlas> | undefined;

export function unitAtlas(): Promise<UnitAtlas> {
  loading ??= load();
  return loading;
}

async function load(): Promise<UnitAtlas> {
  const [patches, vis, extras, classModels, tags, featured, notes] = await Promise.all([
    entries<UnitPatchesRecord>('unitPatches'),
    entries<FeatureVisRecord>('featureVis'),
    entries<FeatureVisExtrasRecord>('featureVisExtras'),
    entries<ClassModelRecord>('classModels'),
    entries<UnitTagsRecord>('unitTags'),
    entries<FeaturedUnitsRecord>('featuredUnits'),
    getCollection('notes') as Promise<NoteEntry[]>,
  ]);
  const perUnit = <T extends { model: string; layer: string; unit: number }>(rs: T[]) => new Map(rs.map((r) => [key(r.model, r.layer, String(r.unit)), r]));
  return {
    patches: perUnit(patches),
    vis: perUnit(vis),
    extras: perUnit(extras),
    classModels: new Map(classModels.map((r) => [key(r.model, String(r.classIndex)), r])),
    tags: new Map(tags.map((r) => [key(r.model, r.layer), r])),
    notes: new Map(notes.map((n) => [n.id, n])),
    featured: new Map(featured.flatMap((r) => r.units.map((u) => [key(r.model, u.layer, String(u.unit)), u] as const))),
  };
}

/** Everything the unit page shows from the atlas, for one unit. */
export function unitAtlasContext(ua: UnitAtlas, model: string, layer: string, unit: number) {
  const k = key(model, layer, String(unit));
  const tagRecord = ua.tags.get(key(model, layer));
  return {
    patches: ua.patches.get(k),
    vis: ua.vis.get(k),
    extras: ua.extras.get(k),
    tagRecord,
    tags: tagRecord?.units.find((u) => u.unit === unit),
    note: ua.notes.get(k),
    featured: ua.featured.get(k),
  };
}

// ---------------------------------------------------------------------------------------------
// Links

export const atlasHref = {
  classes: (m: string) => `${BASE}models/${m}/classes/`,
  cls: (m: string, c: number) => `${BASE}models/${m}/classes/${c}/`,
  /** The search page, filtered to units with this tag. */
  tag: (tag: string) => `${href.search()}?tag=${encodeURIComponent(tag)}`,
};

/** Anchor of a dataset image on its class page. */
export const datasetAnchor = (image: string) => `ds-${image}`;

/** The command that computes a unit's atlas records. */
export const atlasCommand = (layer: string, unit: number) => `npm run atlas -- --layers ${layer} --units ${unit}`;

/**
 * The model's class index of a dataset image: its recorded class index when the label there
 * agrees with its class name (or it has none), else the label its class name matches.
 */
export function datasetImageClass(model: ModelRecord, image: Pick<DatasetImage, 'classIndex' | 'className' | 'wnid'>): number | null {
  // A model with WordNet ids (Darknet's devkit order) maps wnid-labelled images by wnid; the recorded index is Keras order.
  if (model.wnids && image.wnid) {
    const w = model.wnids.indexOf(image.wnid);
    return w >= 0 ? w : null;
  }
  const name = image.className?.trim().toLowerCase();
  const fits = (i: number) => !name || model.labels[i].toLowerCase() === name || model.labels[i].toLowerCase().split(/,\s*/).includes(name);
  if (image.classIndex !== undefined && image.classIndex >= 0 && image.classIndex < model.labels.length && fits(image.classIndex)) return image.classIndex;
  if (!name) return null;
  const i = model.labels.findIndex((_, j) => fits(j));
  return i >= 0 ? i : null;
}

/** Where a dataset image can be seen: on its class page (anchored), else its thumbnail file. */
export function datasetImageHref(model: ModelRecord, image: DatasetImage): string {
  const c = datasetImageClass(model, image);
  return c === null ? href.file(image.thumb) : `${atlasHref.cls(model.id, c)}#${datasetAnchor(image.id)}`;
}

export const classTitle = (label: string) => shortLabel(label);

// ---------------------------------------------------------------------------------------------
// Per-model indexes for the class pages and the search page

const classIndexes = new Map<string, ClassIndex>();

export function classIndex(a: Atlas, ua: UnitAtlas, model: ModelRecord): ClassIndex {
  const cached = classIndexes.get(model.id);
  if (cached) return cached;
  const push = <T>(m: Map<number, T[]>, c: number, v: T) => {
    const list = m.get(c);
    if (list) list.push(v);
    else m.set(c, [v]);
  };
  const dataset = new Map<number, { dataset: DatasetRecord; image: DatasetImage }[]>();
  for (const d of a.datasets) {
    for (const image of d.images) {
      const c = datasetImageClass(model, image);
      if (c !== null) push(dataset, c, { dataset: d, image });
    }
  }
  const gallery = new Map<number, { image: string; probability: number }[]>();
  for (const g of a.gallery) {
    const top = a.imageMaps.get(key(model.id, g.id))?.predictions[0];
    if (top) push(gallery, top.index, { image: g.id, probability: top.probability });
  }
  // Class tags name a group ("dog") or a class by its short label ("tabby"); short labels can repeat.
  const groups = imagenetGroups(model.labels, model.wnids);
  const groupNames = new Set(groups.map((g) => g.name));
  const byShort = new Map<string, number[]>();
  model.labels.forEach((l, i) => byShort.set(shortLabel(l), [...(byShort.get(shortLabel(l)) ?? []), i]));
  const units = new Map<number, TaggedUnit[]>();
  const groupUnits = new Map<string, number>();
  for (const l of model.layers) {
    const rec = ua.tags.get(key(model.id, l.id));
    if (!rec) continue;
    for (const u of rec.units) {
      for (const t of u.tags) {
        if (t.kind !== 'class') continue;
        if (groupNames.has(t.tag)) groupUnits.set(t.tag, (groupUnits.get(t.tag) ?? 0) + 1);
        else for (const c of byShort.get(t.tag) ?? []) push(units, c, { layer: l.id, unit: u.unit, tag: t });
      }
    }
  }
  for (const list of units.values()) list.sort((x, y) => y.tag.score - x.tag.score);
  const classGroups = new Map<number, { group: ClassGroup; units: number }[]>();
  for (const g of groups) for (const c of g.members) push(classGroups, c, { group: g, units: groupUnits.get(g.name) ?? 0 });
  const index = { dataset, gallery, units, groups: classGroups };
  classIndexes.set(model.id, index);
  return index;
}

/** Every tag on the site with its kind and how many units carry it, most common first. */
export function allTags(ua: UnitAtlas): TagSummary[] {
  const counts = new Map<string, TagSummary>();
  for (const rec of ua.tags.values()) {
    for (const u of rec.units) {
      for (const t of u.tags) {
        const k = `${t.kind}:${t.tag}`;
        const s = counts.get(k);
        if (s) s.units++;
        else counts.set(k, { tag: t.tag, kind: t.kind, units: 1 });
      }
    }
  }
  return [...counts.values()].sort((x, y) => y.units - x.units || x.tag.localeCompare(y.tag));
}

// ---------------------------------------------------------------------------------------------
// Feature-visualization quality

export type QualityLevel = 'good' | 'weak' | 'failed' | 'unrated';

/**
 * quality = the channel mean the optimized image reaches / the best channel mean of any dataset
 * image. Thresholds (this site's rule of thumb, not a published standard): at least 0.8, the
 * picture drives the unit about as hard as its best real image or harder; below 0.3 the
 * optimization barely moved the unit and the picture says little; in between, partial.
 */
export const QUALITY_GOOD = 0.8;
export const QUALITY_FAILED = 0.3;

export function qualityLevel(v: Pick<FeatureVisRecord, 'quality' | 'reachedMean'>): QualityLevel {
  // A picture on which the unit stays silent failed, whatever the dataset says.
  if (v.reachedMean <= 0) return 'failed';
  if (v.quality === null) return 'unrated';
  if (v.quality < QUALITY_FAILED) return 'failed';
  return v.quality >= QUALITY_GOOD ? 'good' : 'weak';
}

export const QUALITY_WORDS: Record<QualityLevel, string> = {
  good: 'good',
  weak: 'weak',
  failed: 'likely failed',
  unrated: 'unrated',
};

/** A number from a provenance's params, if it is one. */
export function param(p: { params: Record<string, unknown> }, name: string): number | undefined {
  const v = p.params[name];
  return typeof v === 'number' ? v : undefined;
}
