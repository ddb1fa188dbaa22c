import { angleGap, spectralCentroid, spectralPeaks, type SpectralPeak } from './spectral-peaks.ts';
import { powerSpectrum } from './spectrum.ts';
import { orientation, type Orientation } from './structure-tensor.ts';
import { clampScore, num, percent, type Tag } from './tag.ts';

/**
 * Pattern words for an image (a unit's feature visualization or top patches): stripes and their
 * direction, edges, grids and checkerboards, fine texture, smooth blobs, curves. Orientation comes
 * from the structure tensor (structure-tensor.ts), periodicity and scale from the power spectrum
 * (spectrum.ts). Angles follow Orientation.angle: the direction of the stripes, 0° horizontal,
 * 90° vertical, counter-clockwise with y up. (Vertical stripes have horizontal gradients; tags are
 * named by what one sees, the stripes.)
 */

export type { SpectralPeak };

export interface PatternDescriptors {
  orientation: Orientation;
  /** Power-weighted mean frequency, cycles per input pixel (DC excluded). */
  centroid: number;
  /** The same in periods across the image's shorter side: scale-free, for "blob" vs "texture". */
  centroidCyclesPerImage: number;
  peak: SpectralPeak | null;
  /** The strongest component roughly orthogonal to `peak`, when there is one. */
  crossPeak: SpectralPeak | null;
  /** Standard deviation of the grey values; 0 for a flat image (which gets no tags). */
  contrast: number;
  tags: Tag[];
}

export interface PatternOptions {
  /** Coherence from which gradients count as one direction (stripes, edges). */
  minCoherence?: number;
  /** Spectral share of one component from which the image counts as periodic. */
  minPeakShare?: number;
  /** Centroid (cycles/px) from which the image is "high-frequency texture": 0.2 is a 5 px period. */
  highFrequency?: number;
  /** Centroid, in cycles across the image, up to which a non-oriented image is a "low-frequency blob". */
  lowCyclesPerImage?: number;
  /** Local coherence from which a non-oriented, non-blob image has "curves". */
  minLocalCoherence?: number;
}

const DEFAULTS: Required<PatternOptions> = { minCoherence: 0.6, minPeakShare: 0.25, highFrequency: 0.2, lowCyclesPerImage: 3, minLocalCoherence: 0.5 };

/** At least three repeats across the image before a component counts as a period, not an edge or a gradient. */
const MIN_CYCLES = 3;

function contrastOf(gray: Float32Array): number {
  let mean = 0;
  for (const v of gray) mean += v;
  mean /= gray.length;
  let sq = 0;
  for (const v of gray) sq += (v - mean) ** 2;
  return Math.sqrt(sq / gray.length);
}

/** Orientation, spectrum descriptors and the tags they support, for a grey image (any value scale). */
export function patternDescriptors(gray: Float32Array, w: number, h: number, opts: PatternOptions = {}): PatternDescriptors {
  const o = { ...DEFAULTS, ...opts };
  const contrast = contrastOf(gray);
  const orient = orientation(gray, w, h);
  const s = powerSpectrum(gray, w, h);
  const shorter = Math.min(w, h);
  const { peak, crossPeak } = spectralPeaks(s, shorter);
  const centroid = spectralCentroid(s);
  const d: Omit<PatternDescriptors, 'tags'> = { orientation: orient, centroid, centroidCyclesPerImage: centroid * shorter, peak, crossPeak, contrast };
  const flat = !(contrast > 1e-6 * maxAbs(gray)) || !peak;
  return { ...d, tags: flat ? [] : patternTags(d, o) };
}

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/** "horizontal" / "vertical" / "diagonal" for a stripe angle, within ±22.5°. */
export function directionWord(angle: number): 'horizontal' | 'vertical' | 'diagonal' {
  if (angleGap(angle, 0) <= 22.5) return 'horizontal';
  return angleGap(angle, 90) <= 22.5 ? 'vertical' : 'diagonal';
}

const deg = (a: number) => `${Math.round(a) % 180}°`;

const isPeriodic = (p: SpectralPeak | null, o: Required<PatternOptions>): p is SpectralPeak => !!p && p.share >= o.minPeakShare && p.cyclesPerImage >= MIN_CYCLES;

function orientedTag(d: Omit<PatternDescriptors, 'tags'>, o: Required<PatternOptions>): Tag | null {
  const { angle, coherence } = d.orientation;
  if (coherence < o.minCoherence) return null;
  const dir = directionWord(angle);
  const agree = `gradients agree in direction (coherence ${num(coherence)}), stripes/edges at ${deg(angle)} (0° horizontal, 90° vertical)`;
  if (isPeriodic(d.peak, o)) {
    return { tag: `${dir} stripes`, kind: 'pattern', score: clampScore(coherence), evidence: `${agree}, and ${percent(d.peak.share)} of the spectral power (harmonics included) repeats with a period of ${num(d.peak.period)} px` };
  }
  return { tag: `${dir} edge`, kind: 'pattern', score: clampScore(coherence), evidence: `${agree}, with no repeating period` };
}

/** Two roughly orthogonal periodic components; on the diagonals (for axis-aligned squares) it is a checkerboard. */
function latticeTag(d: Omit<PatternDescriptors, 'tags'>, o: Required<PatternOptions>): Tag | null {
  const [a, b] = [d.peak, d.crossPeak];
  if (!isPeriodic(a, o) || !b || b.cyclesPerImage < MIN_CYCLES || b.share < 0.4 * a.share || a.share + b.share < 2.4 * o.minPeakShare) return null;
  const diagonal = directionWord(a.angle) === 'diagonal' && directionWord(b.angle) === 'diagonal';
  const what = diagonal ? 'checkerboard' : 'grid';
  return {
    tag: what,
    kind: 'pattern',
    score: clampScore(a.share + b.share),
    evidence: `two crossing periodic components, stripes at ${deg(a.angle)} and ${deg(b.angle)} with periods ${num(a.period)} and ${num(b.period)} px, carry ${percent(a.share + b.share)} of the spectral power, harmonics included`,
  };
}

function scaleTags(d: Omit<PatternDescriptors, 'tags'>, o: Required<PatternOptions>): Tag[] {
  const tags: Tag[] = [];
  if (d.centroid >= o.highFrequency) {
    tags.push({ tag: 'high-frequency texture', kind: 'pattern', score: clampScore(d.centroid / (2 * o.highFrequency)), evidence: `the spectral power is centred at ${num(d.centroid)} cycles/px, a period of ${num(1 / d.centroid)} px` });
  }
  const cycles = d.centroidCyclesPerImage;
  if (cycles <= o.lowCyclesPerImage && d.orientation.coherence < o.minCoherence) {
    tags.push({ tag: 'low-frequency blob', kind: 'pattern', score: clampScore(1 - cycles / (2 * o.lowCyclesPerImage)), evidence: `the spectral power is centred at ${num(cycles)} cycles across the image, with no dominant direction (coherence ${num(d.orientation.coherence)})` });
  }
  return tags;
}

function curvesTag(d: Omit<PatternDescriptors, 'tags'>, o: Required<PatternOptions>): Tag | null {
  const { coherence, localCoherence } = d.orientation;
  if (localCoherence < o.minLocalCoherence || coherence >= o.minCoherence / 2 || d.centroidCyclesPerImage <= o.lowCyclesPerImage) return null;
  return { tag: 'curves', kind: 'pattern', score: clampScore(localCoherence - coherence), evidence: `gradients agree locally (local coherence ${num(localCoherence)}) but not across the image (coherence ${num(coherence)}): the edges bend` };
}

function patternTags(d: Omit<PatternDescriptors, 'tags'>, o: Required<PatternOptions>): Tag[] {
  const lattice = latticeTag(d, o);
  const tags = [orientedTag(d, o), lattice, lattice ? null : curvesTag(d, o), ...scaleTags(d, o)];
  return tags.filter((t): t is Tag => t !== null).sort((a, b) => b.score - a.score);
}
