import { binFrequency, type PowerSpectrum } from './spectrum.ts';

/**
 * Periodic components of an image, read off its power spectrum: the strongest bin and, separately,
 * the strongest roughly orthogonal one (a grid or checkerboard has two). A component's share counts
 * its harmonics too, since square-wave stripes or thin lines put much of their power there.
 */

export interface SpectralPeak {
  /** Cycles per input pixel. */
  frequency: number;
  period: number;
  /** Direction of the stripes this component draws, as Orientation.angle (0° horizontal, 90° vertical). */
  angle: number;
  /** Fraction of the spectral power (DC excluded) within two bins of the peak, its harmonics and their mirrors. */
  share: number;
  /** Periods across the image's shorter side. */
  cyclesPerImage: number;
}

/** The Hann window spreads a pure tone over about ±2 bins. */
const SPREAD = 2;

/** Signed bin offsets, e.g. bin w-3 is -3. */
const signed = (k: number, n: number) => (k <= n / 2 ? k : k - n);
const wrap = (k: number, n: number) => ((k % n) + n) % n;

/** Direction of the stripes drawn by wave vector (fx, fy), fy measured downwards. */
export function stripeAngle(fx: number, fy: number): number {
  const waveAngle = (Math.atan2(-fy, fx) * 180) / Math.PI;
  return (((waveAngle + 90) % 180) + 180) % 180;
}

export const angleGap = (a: number, b: number): number => {
  const d = Math.abs(a - b) % 180;
  return Math.min(d, 180 - d);
};

/** Marks the neighbourhoods of bin (kx, ky), its multiples up to Nyquist, and their mirrors. */
function harmonicMask(s: PowerSpectrum, kx: number, ky: number): Uint8Array {
  const mask = new Uint8Array(s.w * s.h);
  const [sx, sy] = [signed(kx, s.w), signed(ky, s.h)];
  for (let m = 1; Math.abs(m * sx) <= s.w / 2 && Math.abs(m * sy) <= s.h / 2; m++) {
    for (const sign of [1, -1]) {
      for (let dy = -SPREAD; dy <= SPREAD; dy++) {
        for (let dx = -SPREAD; dx <= SPREAD; dx++) mask[wrap(sign * m * sy + dy, s.h) * s.w + wrap(sign * m * sx + dx, s.w)] = 1;
      }
    }
  }
  mask[0] = 0;
  return mask;
}

function maskedPower(s: PowerSpectrum, mask: Uint8Array, exclude?: Uint8Array): number {
  let p = 0;
  for (let i = 1; i < s.power.length; i++) if (mask[i] && !exclude?.[i]) p += s.power[i];
  return p;
}

/** Strongest non-DC bin that `accept` allows, as [kx, ky]. */
function strongestBin(s: PowerSpectrum, accept: (kx: number, ky: number) => boolean): [number, number] | null {
  let best: [number, number] | null = null;
  let bestP = 0;
  for (let i = 1; i < s.power.length; i++) {
    const [kx, ky] = [i % s.w, Math.floor(i / s.w)];
    if (s.power[i] > bestP && accept(kx, ky)) [best, bestP] = [[kx, ky], s.power[i]];
  }
  return best;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Power of bin (kx, ky) if it is a local maximum of its 3x3 neighbourhood, else -1. */
function localMax(s: PowerSpectrum, kx: number, ky: number): number {
  const p = s.power[ky * s.w + kx];
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) if (s.power[wrap(ky + dy, s.h) * s.w + wrap(kx + dx, s.w)] > p) return -1;
  }
  return p;
}

/** The local maximum within one bin of signed offsets (sx, sy), as [kx, ky, power]; power -1 when there is none. */
function peakNear(s: PowerSpectrum, sx: number, sy: number): [number, number, number] {
  let best: [number, number, number] = [0, 0, -1];
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const [kx, ky] = [wrap(sx + dx, s.w), wrap(sy + dy, s.h)];
      const p = kx || ky ? localMax(s, kx, ky) : -1;
      if (p > best[2]) best = [kx, ky, p];
    }
  }
  return best;
}

/**
 * The lowest sub-harmonic k/m of the strongest bin that is a spectral peak with a fifth of its power:
 * thin lines every 8 px put about equal power at 1/8, 2/8, 3/8 cycles/px; the period is 8, not 8/3.
 */
function fundamentalOf(s: PowerSpectrum, kx: number, ky: number): [number, number] {
  const [sx, sy] = [signed(kx, s.w), signed(ky, s.h)];
  const peakPower = s.power[ky * s.w + kx];
  for (let m = gcd(Math.abs(sx), Math.abs(sy)); m >= 2; m--) {
    if (sx % m || sy % m) continue;
    const [fx, fy, p] = peakNear(s, sx / m, sy / m);
    if (p >= 0.2 * peakPower) return [fx, fy];
  }
  return [kx, ky];
}

function describe(s: PowerSpectrum, kx: number, ky: number, power: number, total: number, shorter: number): SpectralPeak {
  const [fx, fy] = [binFrequency(kx, s.w), binFrequency(ky, s.h)];
  const frequency = Math.hypot(fx, fy) / s.scale;
  return { frequency, period: 1 / frequency, angle: stripeAngle(fx, fy), share: total > 0 ? power / total : 0, cyclesPerImage: frequency * shorter };
}

export function totalPower(s: PowerSpectrum): number {
  let t = 0;
  for (let i = 1; i < s.power.length; i++) t += s.power[i];
  return t;
}

/**
 * The strongest component and the strongest one at least `minGap` degrees away from it (its power
 * counted outside the first one's bins). `shorter` is the image's shorter side in input pixels.
 */
export function spectralPeaks(s: PowerSpectrum, shorter: number, minGap = 60): { peak: SpectralPeak | null; crossPeak: SpectralPeak | null } {
  const total = totalPower(s);
  const strongest = total > 0 ? strongestBin(s, () => true) : null;
  if (!strongest) return { peak: null, crossPeak: null };
  const first = fundamentalOf(s, ...strongest);
  const firstMask = harmonicMask(s, ...first);
  const peak = describe(s, ...first, maskedPower(s, firstMask), total, shorter);
  const secondStrongest = strongestBin(s, (kx, ky) => !firstMask[ky * s.w + kx] && angleGap(stripeAngle(binFrequency(kx, s.w), binFrequency(ky, s.h)), peak.angle) >= minGap);
  const second = secondStrongest && fundamentalOf(s, ...secondStrongest);
  const crossPeak = second ? describe(s, ...second, maskedPower(s, harmonicMask(s, ...second), firstMask), total, shorter) : null;
  return { peak, crossPeak };
}

/** Power-weighted mean frequency in cycles per input pixel, DC excluded. */
export function spectralCentroid(s: PowerSpectrum): number {
  let m = 0;
  let t = 0;
  for (let i = 1; i < s.power.length; i++) {
    m += Math.hypot(binFrequency(i % s.w, s.w), binFrequency(Math.floor(i / s.w), s.h)) * s.power[i];
    t += s.power[i];
  }
  return t > 0 ? m / t / s.scale : 0;
}
