import { chroma, srgbToLab } from './lab.ts';
import { clampScore, percent, type Tag } from './tag.ts';

/**
 * Names pixels with the eleven basic colour terms of English (Berlin & Kay): achromatic pixels
 * by lightness alone, chromatic ones by the nearest of a few labelled samples per name in CIELAB.
 * Several samples per name (dark, mid, light) are needed because the terms are regions, not points:
 * navy is blue although it is closer to a mid purple than to a mid blue.
 */

export type ColorName = 'red' | 'orange' | 'yellow' | 'green' | 'blue' | 'purple' | 'pink' | 'brown' | 'black' | 'white' | 'grey';

export interface ColorShare {
  name: ColorName;
  /** Fraction of all pixels (chromatic and not) given this name. */
  share: number;
}

export interface ColorOptions {
  /** Below this CIELAB chroma a pixel is black, grey or white, whatever its hue: hue is noise there. */
  minChroma?: number;
}

export interface ColorTagOptions {
  /** Smallest share that becomes a tag. */
  minShare?: number;
  /** Whose pixels, for the evidence sentence: "the feature visualization's pixels". */
  subject?: string;
}

type Rgb = [number, number, number];

const SAMPLES: Record<Exclude<ColorName, 'black' | 'white' | 'grey'>, Rgb[]> = {
  red: [[220, 20, 20], [150, 0, 0], [255, 60, 50], [190, 30, 45]],
  orange: [[255, 140, 0], [230, 110, 30], [255, 170, 80], [210, 105, 30]],
  yellow: [[255, 230, 0], [240, 220, 80], [255, 255, 130], [210, 190, 20], [250, 240, 190]],
  green: [[0, 160, 0], [0, 100, 0], [120, 200, 80], [0, 180, 120], [80, 120, 40], [170, 230, 150]],
  blue: [[0, 0, 255], [0, 0, 130], [30, 100, 220], [100, 170, 240], [0, 150, 220], [170, 210, 250], [0, 230, 255], [130, 225, 245]],
  purple: [[128, 0, 128], [100, 40, 160], [160, 90, 200], [75, 0, 130], [200, 160, 230]],
  pink: [[255, 150, 180], [255, 105, 180], [230, 130, 200], [255, 190, 200], [220, 60, 140]],
  brown: [[130, 70, 20], [90, 50, 20], [160, 100, 50], [110, 70, 50], [190, 140, 100], [215, 185, 145]],
};

const PROTOTYPES = Object.entries(SAMPLES).flatMap(([name, rgbs]) => rgbs.map((c) => ({ name: name as ColorName, lab: srgbToLab(...c) })));

/** Lightness bounds of the achromatic terms, in L*: about a quarter of the way from each end. */
const BLACK_BELOW = 25;
const WHITE_ABOVE = 85;

function achromaticName(L: number): ColorName {
  return L < BLACK_BELOW ? 'black' : L > WHITE_ABOVE ? 'white' : 'grey';
}

function nearestChromatic(lab: [number, number, number]): ColorName {
  let best = PROTOTYPES[0];
  let bestD = Infinity;
  for (const p of PROTOTYPES) {
    const d = (lab[0] - p.lab[0]) ** 2 + (lab[1] - p.lab[1]) ** 2 + (lab[2] - p.lab[2]) ** 2;
    if (d < bestD) [best, bestD] = [p, d];
  }
  return best.name;
}

/** The basic colour term of one 8-bit sRGB colour. */
export function colorName(r: number, g: number, b: number, opts: ColorOptions = {}): ColorName {
  const lab = srgbToLab(r, g, b);
  return chroma(lab) < (opts.minChroma ?? 12) ? achromaticName(lab[0]) : nearestChromatic(lab);
}

/**
 * Shares of each colour name over `pixels` RGB pixels (tightly packed, 3 bytes each), largest first,
 * names with no pixels left out. Colours repeat a lot in real images, so names are memoised per
 * colour quantised to 5 bits a channel (an error of at most 4 levels, far below a naming boundary).
 */
export function dominantColors(rgb: Uint8Array, pixels: number, opts: ColorOptions = {}): ColorShare[] {
  if (pixels <= 0) return [];
  const cache = new Map<number, ColorName>();
  const counts = new Map<ColorName, number>();
  for (let p = 0; p < pixels; p++) {
    const [r, g, b] = [rgb[p * 3] & 0xf8, rgb[p * 3 + 1] & 0xf8, rgb[p * 3 + 2] & 0xf8];
    const key = (r << 16) | (g << 8) | b;
    let name = cache.get(key);
    if (name === undefined) cache.set(key, (name = colorName(r | 4, g | 4, b | 4, opts)));
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, c]) => ({ name, share: c / pixels })).sort((a, b) => b.share - a.share);
}

/** Tags for the colours covering at least `minShare` of the pixels, score = share. */
export function colorTags(shares: ColorShare[], opts: ColorTagOptions = {}): Tag[] {
  const subject = opts.subject ?? "the feature visualization's pixels";
  return shares
    .filter((s) => s.share >= (opts.minShare ?? 0.2))
    .map((s) => ({ tag: s.name, kind: 'color' as const, score: clampScore(s.share), evidence: `${percent(s.share)} of ${subject} are ${s.name}` }));
}
