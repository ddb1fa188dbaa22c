import type { LayerRecord, ModelRecord, SpriteSheet } from '../../pipeline/records/schemas.ts';

/** URL helpers: every internal link goes through these, so the site works under any base path. */
const rawBase = import.meta.env.BASE_URL ?? '/';
export const BASE = rawBase.endsWith('/') ? rawBase : `${rawBase}/`;

export const href = {
  home: () => BASE,
  model: (m: string) => `${BASE}models/${m}/`,
  layer: (m: string, l: string) => `${BASE}models/${m}/layers/${l}/`,
  unit: (m: string, l: string, u: number) => `${BASE}models/${m}/layers/${l}/units/${u}/`,
  image: (m: string, i: string) => `${BASE}models/${m}/images/${i}/`,
  evolution: (m: string) => `${BASE}models/${m}/evolution/`,
  /** The evolution page's row for one unit (only the units it follows have one). */
  evolutionRow: (m: string, l: string, u: number) => `${BASE}models/${m}/evolution/#unit-${l}-${u}`,
  credits: () => `${BASE}credits/`,
  search: () => `${BASE}search/`,
  /** A generated file, named relative to the site root in the records. */
  file: (src: string) => `${BASE}${src}`,
};

/** "A", "A and B", "A, B and C". */
export function namesText(names: string[]): string {
  return names.length < 2 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** Anchor for an image on a unit page (highlighted with :target, no script needed). */
export const imageAnchor = (image: string) => `img-${image}`;

/** Background position of tile i in a sprite sheet, for a slot of exactly the tile's size. */
export function spriteStyle(sheet: Pick<SpriteSheet, 'src' | 'cols' | 'tile'>, i: number): string {
  const x = (i % sheet.cols) * sheet.tile[1];
  const y = Math.floor(i / sheet.cols) * sheet.tile[0];
  return `background-image:url('${href.file(sheet.src)}');background-position:-${x}px -${y}px;width:${sheet.tile[1]}px;height:${sheet.tile[0]}px`;
}

/** Position only (the sheet is set once on the grid as --sheet): keeps big grids' HTML small. */
export function spritePos(sheet: Pick<SpriteSheet, 'cols' | 'tile'>, i: number): string {
  const x = (i % sheet.cols) * sheet.tile[1];
  const y = Math.floor(i / sheet.cols) * sheet.tile[0];
  return `background-position:-${x}px -${y}px`;
}

export const sheetVar = (sheet: Pick<SpriteSheet, 'src' | 'tile'>) =>
  `--sheet:url('${href.file(sheet.src)}');--tw:${sheet.tile[1]}px;--th:${sheet.tile[0]}px`;

/** object-position for an <img> showing tile i of a sheet at its natural size (object-fit: none). */
export function tileObjectPosition(cols: number, tile: [number, number], i: number): string {
  return `-${(i % cols) * tile[1]}px -${Math.floor(i / cols) * tile[0]}px`;
}

export const KIND_NAMES: Record<LayerRecord['kind'], string> = {
  conv: 'convolution',
  depthwise: 'depthwise convolution',
  dense: 'fully connected',
  pool: 'pooling',
  add: 'addition',
  concat: 'concatenation',
  logits: 'class scores',
};

/** "pointwise 1×1 convolution", "depthwise 3×3 convolution, stride 2", "global average pooling". */
export function describeLayer(l: LayerRecord): string {
  const k = l.kernel ? `${l.kernel[0]}×${l.kernel[1]}` : '';
  const stride = l.strides && (l.strides[0] > 1 || l.strides[1] > 1) ? `, stride ${l.strides[0]}` : '';
  if (l.kind === 'conv' && l.kernel?.[0] === 1 && l.kernel?.[1] === 1) return `pointwise 1×1 convolution${stride}`;
  if (l.kind === 'conv' || l.kind === 'depthwise') return `${l.kind === 'depthwise' ? 'depthwise ' : ''}${k} convolution${stride}`;
  if (l.kind === 'pool') return l.className.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/2D$/, '').toLowerCase().trim();
  if (l.kind === 'logits') return `class scores (${l.className})`;
  return KIND_NAMES[l.kind];
}

export const shapeText = (shape: number[]) => shape.join('×');

export function rfText(l: LayerRecord): string {
  const rf = l.receptiveField;
  if (rf.global) return 'whole image';
  return rf.size[0] === rf.size[1] ? `${rf.size[0]} px` : `${rf.size[0]}×${rf.size[1]} px`;
}

/**
 * One line saying what a receptive field is, for reader pages. Deep layers' fields outgrow the input
 * (MobileNet's last layers: 300+ px on a 224 px photo), which reads like an error without a word.
 */
export function rfGloss(l: LayerRecord, inputSize: number): string {
  const rf = l.receptiveField;
  if (rf.global) return 'every unit sees the whole photo';
  const side = Math.max(rf.size[0], rf.size[1]);
  return side > inputSize
    ? `the input window one unit sees: wider than the ${inputSize} px photo, so a unit near the centre takes in all of it and one near the edge part padding`
    : 'the input window one unit sees';
}

export function fmt(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en');
  if (abs < 0.001) return value.toExponential(1);
  return Number(value.toPrecision(digits)).toString();
}

export const pct = (v: number, digits = 1) => `${(v * 100).toFixed(digits)}%`;

export function layerPosition(model: ModelRecord, l: LayerRecord): string {
  return `layer ${l.index + 1} of ${model.layers.length}`;
}

/** Splits a credit like "Author / https://..." into text and link parts for rendering. */
export function creditParts(credit: string): { text: string; url?: string }[] {
  return credit
    .split(/(https?:\/\/\S+)/)
    .filter(Boolean)
    .map((part) => (/^https?:\/\//.test(part) ? { text: part.replace(/^https?:\/\//, '').replace(/\/$/, ''), url: part } : { text: part }));
}

/** Licenses that oblige us to credit the author wherever the photo appears. */
export const needsAttribution = (license: string) => /\bCC[- ]BY\b/i.test(license);

/**
 * A photo's display title: its label ("tabby cat"); for labels like "(person; no ImageNet class)" the
 * part before ";", and when that says nothing, the id without its collection prefix ("ibm-paris" → "Paris").
 */
export function imageTitle(img: { label: string; id: string }): string {
  const label = img.label?.trim() ?? '';
  if (label && !label.startsWith('(')) return label;
  const inner = label.replace(/^\(|\)$/g, '').split(';')[0].trim();
  if (inner && !/no imagenet class/i.test(inner)) return inner;
  const name = img.id.includes('-') ? img.id.slice(img.id.indexOf('-') + 1) : img.id;
  return name.charAt(0).toUpperCase() + name.slice(1).replace(/-/g, ' ');
}

export function probabilityText(p: number): string {
  return p < 0.001 ? '<0.1%' : pct(p);
}
