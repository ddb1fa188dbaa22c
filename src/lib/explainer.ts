import { getCollection } from 'astro:content';
import type { GalleryImageRecord, LayerRecord, ModelRecord } from '../../pipeline/records/schemas.ts';
import { recordKey, type Atlas } from './data.ts';
import { BASE } from './site.ts';

/**
 * The explainer: chapters written by hand in content/explainer/NN-slug.md, illustrated by figures
 * the page pulls from the gallery's records. A chapter's Markdown names a figure on a line of its
 * own, `{{figure name key=value ...}}`; the page splits the body there and renders the figure.
 */

export interface ChapterEntry {
  id: string;
  body?: string;
  data: { title: string; order: number; summary: string };
}

export interface Chapter {
  slug: string;
  title: string;
  order: number;
  summary: string;
  body: string;
}

export const explainerHref = {
  index: () => `${BASE}explainer/`,
  chapter: (slug: string) => `${BASE}explainer/${slug}/`,
};

/** Chapters in reading order; the slug is the file name without its "NN-" order prefix. */
export async function chapters(): Promise<Chapter[]> {
  const list = (await getCollection('explainer' as never)) as unknown as ChapterEntry[];
  return list
    .map((e) => ({ slug: e.id.replace(/^\d+-/, ''), title: e.data.title, order: e.data.order, summary: e.data.summary, body: e.body ?? '' }))
    .sort((a, b) => a.order - b.order);
}

export type Part = { kind: 'markdown'; text: string } | { kind: 'figure'; name: string; attrs: Record<string, string> };

const FIGURE_LINE = /^\{\{figure ([a-z0-9-]+)((?: [a-z]+=[^\s}]+)*)\s*\}\}$/;

/** Splits a chapter's Markdown at its figure lines. A malformed figure line is an error naming it. */
export function splitChapter(body: string, chapter: string): Part[] {
  const parts: Part[] = [];
  let text: string[] = [];
  const flush = () => {
    if (text.join('').trim()) parts.push({ kind: 'markdown', text: text.join('\n') });
    text = [];
  };
  for (const line of body.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{{')) {
      text.push(line);
      continue;
    }
    const m = FIGURE_LINE.exec(trimmed);
    if (!m) throw new Error(`explainer chapter ${chapter}: cannot read the figure line ${JSON.stringify(trimmed)} (expected {{figure name key=value}})`);
    flush();
    const attrs = Object.fromEntries(
      m[2]
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((kv) => kv.split('=') as [string, string]),
    );
    parts.push({ kind: 'figure', name: m[1], attrs });
  }
  flush();
  return parts;
}

/** The photos a chapter's picker offers: gallery photos every model has feature maps for (at most `max`). */
export function pickerPhotos(a: Atlas, max = 4): GalleryImageRecord[] {
  return a.gallery.filter((g) => a.models.every((m) => a.imageMaps.has(recordKey(m.id, g.id)))).slice(0, max);
}

/** The photo's square as the model sees it, small. */
export function photoView(img: GalleryImageRecord, model?: ModelRecord) {
  const fit = model?.preprocess.fit ?? 'center-crop';
  const views = img.views.filter((v) => v.fit === fit);
  return views.find((v) => v.size === 224) ?? views[0] ?? img.views[0];
}

/** `count` layers spread over the depth (first, …, last), from those that have feature maps. */
export function spreadLayers(model: ModelRecord, count: number, filter: (l: LayerRecord) => boolean = (l) => l.hasMaps): LayerRecord[] {
  const layers = model.layers.filter(filter);
  if (layers.length <= count) return layers;
  const picked = new Set<number>();
  for (let i = 0; i < count; i++) picked.add(Math.round((i * (layers.length - 1)) / (count - 1)));
  return [...picked].map((i) => layers[i]);
}

/** Max-pooling layers of a model: their switches are what makes a deconvnet projection follow the image. */
export const maxPoolLayers = (model: ModelRecord) => model.layers.filter((l) => /MaxPool/i.test(l.className));
