import { COLORMAPS, DIVERGING_COLORMAP, colormapIndex, signedIndex, type SequentialColormapName } from './colormap.ts';

/**
 * Renderings of per-image attribution maps (saliency, guided backprop, deconvnet projections,
 * Grad-CAM and occlusion heatmaps) as 8-bit RGB, row-major and channels last like the photos.
 * Every function that normalizes returns the scale or range it used, so a page legend can say
 * what the brightest colour means.
 */

export interface ScaledImage {
  rgb: Uint8Array;
  /** The |value| drawn at full strength; 0 when the map is all zero. */
  scale: number;
}

export interface PercentileOptions {
  /** Values at or above this percentile of |value| saturate: one hot pixel then cannot wash out the rest. */
  percentile?: number;
}

export interface AbsImageOptions extends PercentileOptions {
  colormap?: SequentialColormapName | 'gray';
}

export interface OverlayOptions {
  colormap?: SequentialColormapName;
  /** Weight of the heatmap colour over the photo: 0 leaves the photo, 1 hides it. */
  alpha?: number;
  /** Map values drawn at the low and high end of the colormap; defaults to [0, max of the map]. */
  range?: [number, number];
}

export interface Box {
  /** Inclusive pixel bounds, as model/receptive-field.ts unitBox gives them. */
  y0: number;
  x0: number;
  y1: number;
  x1: number;
  color: [number, number, number];
  /** Outline thickness in pixels, drawn inside the box. */
  width?: number;
}

const clamp01 = (v: number) => (v > 0 ? (v < 1 ? v : 1) : 0);

function channelsOf(map: Float32Array, h: number, w: number): number {
  const c = map.length / (h * w);
  if (!Number.isInteger(c) || c < 1) throw new Error(`map of ${map.length} values is not ${h}x${w}xC`);
  return c;
}

/** Per pixel, the sum (signed) or the largest |value| over channels. */
function reduceChannels(map: Float32Array, h: number, w: number, how: 'sum' | 'maxAbs'): Float32Array {
  const c = channelsOf(map, h, w);
  const out = new Float32Array(h * w);
  for (let p = 0, i = 0; p < out.length; p++) {
    let acc = 0;
    for (let k = 0; k < c; k++, i++) acc = how === 'sum' ? acc + map[i] : Math.max(acc, Math.abs(map[i]));
    out[p] = acc;
  }
  return out;
}

/** The definition: nearest rank in the sorted |values| (the reference the selection must match). */
export function sortedPercentile(values: Float32Array, percentile: number): number {
  const sorted = Float32Array.from(values, Math.abs).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((percentile / 100) * sorted.length) - 1));
  return sorted[rank] > 0 ? sorted[rank] : sorted[sorted.length - 1];
}

/** The k-th smallest value (0-based) of `a`, reordering `a` in place (Hoare's selection, expected O(n)). */
function selectKth(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    // [lo, j] ≤ pivot ≤ [i, hi]; between them everything equals the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/**
 * Nearest-rank percentile of |values|; falls back to the maximum when the percentile is zero (sparse
 * maps). A selection instead of a full sort: this ran for every tile of every projection sheet.
 */
export function absPercentile(values: Float32Array, percentile: number): number {
  if (values.length === 0) return 0;
  const abs = new Float32Array(values.length);
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    abs[i] = Math.abs(values[i]);
    if (abs[i] > max) max = abs[i];
    // NaN has no rank; the sort puts it last, and this keeps that answer.
    if (Number.isNaN(abs[i])) return sortedPercentile(values, percentile);
  }
  const rank = Math.min(abs.length - 1, Math.max(0, Math.ceil((percentile / 100) * abs.length) - 1));
  const v = selectKth(abs, rank);
  return v > 0 ? v : max;
}

function paint(indices: ArrayLike<number>, table: Uint8Array): Uint8Array {
  const rgb = new Uint8Array(indices.length * 3);
  for (let p = 0; p < indices.length; p++) rgb.set(table.subarray(indices[p] * 3, indices[p] * 3 + 3), p * 3);
  return rgb;
}

/**
 * Signed map (channels summed: the attribution's net effect on the pixel) in blue–white–red with a
 * symmetric scale, so white is exactly zero and blue/red strength compare across signs.
 */
export function signedImage(map: Float32Array, h: number, w: number, opts: PercentileOptions = {}): ScaledImage {
  const net = reduceChannels(map, h, w, 'sum');
  const scale = absPercentile(net, opts.percentile ?? 99.5);
  const indices = new Uint8Array(net.length);
  for (let i = 0; i < net.length; i++) indices[i] = signedIndex(scale > 0 ? net[i] / scale : 0);
  return { rgb: paint(indices, COLORMAPS[DIVERGING_COLORMAP]), scale };
}

/** Magnitude map (largest |value| over channels, as in Simonyan et al.'s saliency maps), grey or a sequential colormap. */
export function absImage(map: Float32Array, h: number, w: number, opts: AbsImageOptions = {}): ScaledImage {
  const mag = reduceChannels(map, h, w, 'maxAbs');
  const scale = absPercentile(mag, opts.percentile ?? 99.5);
  const colormap = opts.colormap ?? 'gray';
  const t = (v: number) => (scale > 0 ? clamp01(v / scale) : 0);
  if (colormap !== 'gray') return { rgb: paint(Uint8Array.from(mag, (v) => colormapIndex(colormap, t(v))), COLORMAPS[colormap]), scale };
  const rgb = new Uint8Array(mag.length * 3);
  for (let p = 0; p < mag.length; p++) rgb.fill(Math.round(t(mag[p]) * 255), p * 3, p * 3 + 3);
  return { rgb, scale };
}

/** Deconvnet tiles clip at this percentile of |value|: the projections are sparse and a few pixels dominate. */
export const PROJECTION_PERCENTILE = 99;

/**
 * A deconvnet projection shown the way Zeiler & Fergus show theirs: each channel as its own colour
 * channel, zero at grey 128 and the image's `percentile`-th |value| at 1 or 255 (larger values
 * clip), so colour and contrast structure survive but absolute size (meaningless across units)
 * does not. Below 100 a few hot pixels no longer flatten the rest to grey.
 */
export function rgbProjection(map: Float32Array, h: number, w: number, percentile = 100): Uint8Array {
  if (channelsOf(map, h, w) !== 3) throw new Error(`rgbProjection needs a ${h}x${w}x3 map`);
  let scale = 0;
  if (percentile >= 100) for (const v of map) scale = Math.max(scale, Math.abs(v));
  else scale = absPercentile(map, percentile);
  const gain = scale > 0 ? 127 / scale : 0;
  // A plain loop: Uint8Array.from with a callback was a visible share of the projections' time.
  const out = new Uint8Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = Math.max(1, Math.min(255, Math.round(128 + map[i] * gain)));
  return out;
}

/** Source coordinate and weights of output row/column i, as tf.image.resizeBilinear with halfPixelCenters. */
function sampleAxis(i: number, inSize: number, outSize: number): [number, number, number] {
  const src = ((i + 0.5) * inSize) / outSize - 0.5;
  const lo = Math.max(0, Math.floor(src));
  const hi = Math.min(inSize - 1, Math.ceil(src));
  return [lo, hi, Math.max(0, src - lo)];
}

/** Bilinear resize of a single-channel map; an output pixel whose centre falls on a source centre takes its value exactly. */
export function upsampleBilinear(map: Float32Array, mh: number, mw: number, oh: number, ow: number): Float32Array {
  const out = new Float32Array(oh * ow);
  const cols = Array.from({ length: ow }, (_, x) => sampleAxis(x, mw, ow));
  for (let y = 0; y < oh; y++) {
    const [y0, y1, fy] = sampleAxis(y, mh, oh);
    for (let x = 0; x < ow; x++) {
      const [x0, x1, fx] = cols[x];
      const top = map[y0 * mw + x0] * (1 - fx) + map[y0 * mw + x1] * fx;
      const bottom = map[y1 * mw + x0] * (1 - fx) + map[y1 * mw + x1] * fx;
      out[y * ow + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

function maxOf(values: Float32Array): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

/**
 * A coarse map (Grad-CAM, occlusion) upsampled to the photo and blended over it. The map is
 * normalized by `range` clamped to [0, 1]; the default [0, max] suits non-negative maps whose zero
 * means "no evidence". Returns the range used for the legend.
 */
export function heatmapOverlay(
  photo: Uint8Array,
  ph: number,
  pw: number,
  map: Float32Array,
  mh: number,
  mw: number,
  opts: OverlayOptions = {},
): { rgb: Uint8Array; range: [number, number] } {
  const alpha = clamp01(opts.alpha ?? 0.55);
  const colormap = opts.colormap ?? 'viridis';
  const range: [number, number] = opts.range ?? [0, Math.max(0, maxOf(map))];
  const span = range[1] - range[0];
  const table = COLORMAPS[colormap];
  const up = upsampleBilinear(map, mh, mw, ph, pw);
  const rgb = new Uint8Array(ph * pw * 3);
  for (let p = 0; p < up.length; p++) {
    const k = colormapIndex(colormap, span > 0 ? (up[p] - range[0]) / span : 0) * 3;
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.round(photo[p * 3 + c] * (1 - alpha) + table[k + c] * alpha);
  }
  return { rgb, range };
}

/** A copy of the photo with each box's outline painted inside its bounds; parts outside the photo are skipped. */
export function drawBoxes(photo: Uint8Array, ph: number, pw: number, boxes: Box[]): Uint8Array {
  const rgb = photo.slice();
  for (const b of boxes) {
    const [y0, x0, y1, x1] = [b.y0, b.x0, b.y1, b.x1].map(Math.round);
    const width = Math.max(1, Math.round(b.width ?? 2));
    for (let y = Math.max(0, y0); y <= Math.min(ph - 1, y1); y++) {
      const edgeRow = y - y0 < width || y1 - y < width;
      for (let x = Math.max(0, x0); x <= Math.min(pw - 1, x1); x++) {
        if (edgeRow || x - x0 < width || x1 - x < width) rgb.set(b.color, (y * pw + x) * 3);
      }
    }
  }
  return rgb;
}
