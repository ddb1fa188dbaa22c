import { getCollection } from 'astro:content';
import type {
  ANALYSIS_KINDS,
  DeepdreamRecord,
  GradcamRecord,
  InvarianceRecord,
  OcclusionReadout,
  OcclusionRecord,
  PatchDetectionRecord,
  ProjectionsRecord,
} from '../../pipeline/records/analysis-schemas.ts';
import type { ModelRecord, SpriteSheet } from '../../pipeline/records/schemas.ts';

/**
 * The per-image analyses (one record per model, photo and method), loaded once per build and
 * indexed by "model/image", plus the small pure helpers their page sections share: section ids,
 * sprite-tile geometry, chart scales. Pages only render what the records say.
 */

export type AnalysisKind = keyof typeof ANALYSIS_KINDS;

export interface ImageAnalyses {
  projections?: ProjectionsRecord;
  gradcam?: GradcamRecord;
  occlusion?: OcclusionRecord;
  deepdream?: DeepdreamRecord;
  invariance?: InvarianceRecord;
  patchDetection?: PatchDetectionRecord;
}

type Indexed = { [K in AnalysisKind]: Map<string, NonNullable<ImageAnalyses[K]>> };

const KINDS: AnalysisKind[] = ['gradcam', 'occlusion', 'projections', 'deepdream', 'invariance', 'patchDetection'];

/** Page order, anchor ids (instructors link these: keep them stable) and names of the sections. */
export const SECTIONS: { kind: AnalysisKind; id: string; title: string; short: string }[] = [
  { kind: 'gradcam', id: 'gradcam', title: 'Grad-CAM: where each class is found', short: 'Grad-CAM' },
  { kind: 'occlusion', id: 'occlusion', title: 'Occlusion: hide part of the photo', short: 'Occlusion' },
  { kind: 'projections', id: 'projections', title: 'Deconvnet projections of the strongest units', short: 'Projections' },
  { kind: 'deepdream', id: 'deepdream', title: 'DeepDream: amplify what a layer sees', short: 'DeepDream' },
  { kind: 'invariance', id: 'invariance', title: 'Invariance to translation, rotation and scale', short: 'Invariance' },
  { kind: 'patchDetection', id: 'patch-detection', title: 'Patch detection: where the strongest units look', short: 'Patch detection' },
];

export const sectionOf = (kind: AnalysisKind) => SECTIONS.find((s) => s.kind === kind)!;

/** Anchor of one unit's projection row (the feature-map grid links to it). */
export const projectionRowId = (layer: string, unit: number) => `proj-${layer}-${unit}`;
/** Anchor of one layer's projection rows (selects that layer when opened). */
export const projectionLayerId = (layer: string) => `projections-${layer}`;

let loading: Promise<Indexed> | undefined;

async function load(): Promise<Indexed> {
  const lists = await Promise.all(
    KINDS.map(async (kind) => {
      // A build without any record of a kind still has the (empty) collection.
      const entries = (await getCollection(kind as never).catch(() => [])) as { data: { model: string; image: string } }[];
      return new Map(entries.map((e) => [`${e.data.model}/${e.data.image}`, e.data]));
    }),
  );
  return Object.fromEntries(KINDS.map((k, i) => [k, lists[i]])) as unknown as Indexed;
}

/** Every analysis record of one photo under one model; methods this build did not run are absent. */
export async function imageAnalyses(model: string, image: string): Promise<ImageAnalyses> {
  loading ??= load();
  const all = await loading;
  const key = `${model}/${image}`;
  return Object.fromEntries(KINDS.map((k) => [k, all[k].get(key)]).filter(([, v]) => v)) as ImageAnalyses;
}

// ---------------------------------------------------------------------------------------------
// Sprite tiles

/** Where tile i of a sheet sits when the sheet is drawn `scale` times its size. */
export function tileBox(sheet: Pick<SpriteSheet, 'cols' | 'tile' | 'width' | 'height'>, i: number, scale = 1) {
  const [th, tw] = sheet.tile;
  return {
    width: Math.round(tw * scale),
    height: Math.round(th * scale),
    left: Math.round((i % sheet.cols) * tw * scale),
    top: Math.round(Math.floor(i / sheet.cols) * th * scale),
    sheetWidth: Math.round(sheet.width * scale),
    sheetHeight: Math.round(sheet.height * scale),
  };
}

/**
 * Scale that shows a tile `display` px wide; tiles smaller than that (a 16 px test model) are
 * enlarged by a whole factor, so pixels stay square.
 */
export function displayScale(tileWidth: number, display: number): number {
  if (tileWidth * 2 > display) return display / tileWidth;
  return Math.max(1, Math.round(display / tileWidth));
}

/** A rough name for a colour ("yellow"), so a legend does not rely on colour alone. */
export function colorName(hex: string): string {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  const [r, g, b] = m.slice(1).map((x) => parseInt(x, 16) / 255);
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max - min < 0.15) return max > 0.8 ? 'white' : max < 0.2 ? 'black' : 'grey';
  const d = max - min;
  let h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  h = (h * 60 + 360) % 360;
  const names: [number, string][] = [[15, 'red'], [40, 'orange'], [70, 'yellow'], [160, 'green'], [200, 'cyan'], [255, 'blue'], [290, 'purple'], [335, 'pink'], [360, 'red']];
  return names.find(([limit]) => h < limit)![1];
}

// ---------------------------------------------------------------------------------------------
// Numbers and words

export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function seconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** "forward pass" → "forward passes". */
export const passes = (n: number, kind: 'forward' | 'backward') => `${n.toLocaleString('en')} ${kind} pass${n === 1 ? '' : 'es'}`;

/** The index of the middle layer, the projections section's default. */
export const middle = (n: number) => Math.max(0, Math.floor((n - 1) / 2));

export function readoutName(r: OcclusionReadout): string {
  return r.kind === 'class' ? `${r.role === 'top-1' ? 'top-1 class' : 'true class'}: ${r.label}` : `${r.layer} unit ${r.unit}`;
}

/** What a readout's values are, for legends: "probability of espresso" / "activation of conv_pw_13 unit 0". */
export function readoutQuantity(r: OcclusionReadout): string {
  return r.kind === 'class' ? `probability of “${r.label}”` : `strongest activation of ${r.layer} unit ${r.unit}`;
}

const meanOf = (v: unknown): number | undefined => {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length && v.every((x) => typeof x === 'number')) return sum(v as number[]) / v.length;
  return undefined;
};

/** The 0..255 pixel value that preprocesses to `input` (the occlusion square's grey), when the model's preprocessing is affine. */
export function pixelValueOf(model: Pick<ModelRecord, 'preprocess'>, input: number): number | undefined {
  const scale = meanOf(model.preprocess.scale);
  const offset = meanOf(model.preprocess.offset);
  if (scale === undefined || offset === undefined || scale === 0) return undefined;
  return (input - offset) / scale;
}

/** Layers that have unit pages (a link to a unit elsewhere would 404). */
export function unitPageLayers(model: ModelRecord): Set<string> {
  return new Set(model.layers.filter((l) => l.hasMaps).map((l) => l.id));
}

// ---------------------------------------------------------------------------------------------
// Chart scales (build-time SVG)

/** Round tick values covering [min, max] with about `n` steps (1, 2, 2.5 or 5 × 10^k apart). */
export function niceTicks(min: number, max: number, n = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.ceil(min / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A round upper bound for an axis that starts at 0. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const ticks = niceTicks(0, max, 4);
  const last = ticks[ticks.length - 1];
  return last >= max ? last : last + (ticks[1] - ticks[0]);
}

export const linear = (d0: number, d1: number, r0: number, r1: number) => (v: number) => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0));

/** Minus sign for negative amounts ("−40 px"), as printed on axes. */
export const signed = (v: number, digits = 3) => {
  const s = Number(v.toPrecision(digits)).toString();
  return s.startsWith('-') ? `−${s.slice(1)}` : s;
};

/** "translate −40 px", "rotate 90°", "scale 1.6×". */
export function amountText(kind: string, amount: number, unit?: string): string {
  const u = unit ?? (kind === 'translate' ? 'px' : kind === 'rotate' ? '°' : kind === 'scale' ? '×' : '');
  const space = u === 'px' ? ' ' : '';
  return `${kind} ${signed(amount)}${space}${u}`;
}
