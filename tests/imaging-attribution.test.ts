import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { absImage, absPercentile, drawBoxes, heatmapOverlay, rgbProjection, signedImage, sortedPercentile, upsampleBilinear } from '../pipeline/imaging/attribution-image.ts';
import { COLORMAPS, colormapIndex, DIVERGING_CENTER, DIVERGING_COLORMAP, legendStops, signedIndex } from '../pipeline/imaging/colormap.ts';
import { srgbToLab } from '../pipeline/tags/lab.ts';

const entry = (table: Uint8Array, i: number) => Array.from(table.subarray(i * 3, i * 3 + 3));
const pixel = (rgb: Uint8Array, p: number) => Array.from(rgb.subarray(p * 3, p * 3 + 3));
const lightness = (table: Uint8Array) => Array.from({ length: 256 }, (_, i) => srgbToLab(table[i * 3], table[i * 3 + 1], table[i * 3 + 2])[0]);

describe('colormaps', () => {
  it('viridis and inferno carry matplotlib’s published end and middle colours', () => {
    expect(entry(COLORMAPS.viridis, 0)).toEqual([68, 1, 84]); // #440154
    expect(entry(COLORMAPS.viridis, 128)).toEqual([33, 145, 140]); // #21918c
    expect(entry(COLORMAPS.viridis, 255)).toEqual([253, 231, 37]); // #fde725
    expect(entry(COLORMAPS.inferno, 0)).toEqual([0, 0, 4]);
    expect(entry(COLORMAPS.inferno, 255)).toEqual([252, 255, 164]);
  });

  it('viridis and inferno rise in lightness throughout (perceptually ordered)', () => {
    for (const name of ['viridis', 'inferno'] as const) {
      const L = lightness(COLORMAPS[name]);
      // 8-bit rounding may wobble one entry by a few hundredths of L*; over 8 entries it always rises.
      for (let i = 1; i < 256; i++) expect(L[i]).toBeGreaterThan(L[i - 1] - 0.1);
      for (let i = 8; i < 256; i++) expect(L[i]).toBeGreaterThan(L[i - 8]);
      expect(L[255] - L[0]).toBeGreaterThan(70);
    }
  });

  it('the diverging map is white-ish at its centre, blue below, red above, and equally dark at both ends', () => {
    const d = COLORMAPS[DIVERGING_COLORMAP];
    expect(entry(d, DIVERGING_CENTER)).toEqual([247, 247, 247]);
    const [low, high] = [entry(d, 0), entry(d, 255)];
    expect(low[2]).toBeGreaterThan(low[0]);
    expect(high[0]).toBeGreaterThan(high[2]);
    const L = lightness(d);
    expect(Math.abs(L[0] - L[255])).toBeLessThan(2);
    expect(Math.max(...L)).toBe(L[DIVERGING_CENTER]);
    expect(signedIndex(0)).toBe(DIVERGING_CENTER);
    expect([signedIndex(-1), signedIndex(1), signedIndex(-5), signedIndex(5)]).toEqual([0, 255, 0, 255]);
    expect(colormapIndex(DIVERGING_COLORMAP, 0.5)).toBe(DIVERGING_CENTER);
  });

  it('legend stops run from the low to the high end, with the diverging centre in the middle', () => {
    expect(legendStops('viridis', 3)).toEqual(['#440154', '#21918c', '#fde725']);
    const div = legendStops(DIVERGING_COLORMAP, 9);
    expect(div).toHaveLength(9);
    expect(div[4]).toBe('#f7f7f7');
    expect(div[0]).toBe('#053061');
    expect(div[8]).toBe('#67001f');
    for (const s of legendStops('inferno', 5)) expect(s).toMatch(/^#[0-9a-f]{6}$/);
  });
});

describe('signed and absolute attribution images', () => {
  // 1x4 image, 3 channels: net (channel sum) 0, +2, -2, +1.
  const map = Float32Array.from([0.5, -0.5, 0, 1, 1, 0, -1, -0.5, -0.5, 3, -1, -1]);

  it('maps zero to the diverging centre and the sign to its side, symmetrically', () => {
    const { rgb, scale } = signedImage(map, 1, 4, { percentile: 100 });
    expect(scale).toBeCloseTo(2);
    const d = COLORMAPS[DIVERGING_COLORMAP];
    expect(pixel(rgb, 0)).toEqual(entry(d, DIVERGING_CENTER));
    expect(pixel(rgb, 1)).toEqual(entry(d, 255));
    expect(pixel(rgb, 2)).toEqual(entry(d, 0));
    const half = pixel(rgb, 3);
    expect(half[0]).toBeGreaterThan(half[2]);
    expect(half).toEqual(entry(d, signedIndex(0.5)));
  });

  it('saturates above the percentile so one hot pixel does not set the scale', () => {
    const spiky = new Float32Array(1000 * 3);
    for (let p = 0; p < 1000; p++) spiky[p * 3] = 1;
    spiky[0] = 1000;
    const { scale } = signedImage(spiky, 10, 100);
    expect(scale).toBe(1);
  });

  it('absImage takes the largest |value| over channels, in grey or a colormap', () => {
    const { rgb, scale } = absImage(map, 1, 4, { percentile: 100 });
    expect(scale).toBe(3);
    expect(pixel(rgb, 0)).toEqual([43, 43, 43]); // 0.5 / 3
    expect(pixel(rgb, 3)).toEqual([255, 255, 255]);
    const colored = absImage(map, 1, 4, { percentile: 100, colormap: 'inferno' });
    expect(pixel(colored.rgb, 3)).toEqual(entry(COLORMAPS.inferno, 255));
  });

  it('rgbProjection centres zero at grey 128 and scales by the largest |value|', () => {
    const rgb = rgbProjection(Float32Array.from([0, 2, -2, 1, 0, -1]), 1, 2);
    expect(Array.from(rgb)).toEqual([128, 255, 1, 192, 128, 65]); // 128 ± 63.5, rounded half up
    expect(Array.from(rgbProjection(new Float32Array(6), 1, 2))).toEqual([128, 128, 128, 128, 128, 128]);
  });
});

describe('heatmap overlay', () => {
  const [mh, mw] = [3, 4];
  const map = Float32Array.from({ length: mh * mw }, (_, i) => (i * 7) % 5);
  const [ph, pw] = [mh * 3, mw * 3];
  const photo = Uint8Array.from({ length: ph * pw * 3 }, (_, i) => (i * 37) % 256);

  it('returns the photo untouched at alpha 0', () => {
    const { rgb, range } = heatmapOverlay(photo, ph, pw, map, mh, mw, { alpha: 0 });
    expect(Array.from(rgb)).toEqual(Array.from(photo));
    expect(range).toEqual([0, 4]);
  });

  it('equals the source map at the centre of each map cell', () => {
    const up = upsampleBilinear(map, mh, mw, ph, pw);
    for (let y = 0; y < mh; y++) for (let x = 0; x < mw; x++) expect(up[(3 * y + 1) * pw + 3 * x + 1]).toBeCloseTo(map[y * mw + x], 6);
    const { rgb } = heatmapOverlay(photo, ph, pw, map, mh, mw, { alpha: 1, colormap: 'viridis', range: [0, 4] });
    const p = (3 * 1 + 1) * pw + 3 * 2 + 1;
    expect(pixel(rgb, p)).toEqual(entry(COLORMAPS.viridis, colormapIndex('viridis', map[1 * mw + 2] / 4)));
  });

  it('upsamples exactly like tf.image.resizeBilinear with half-pixel centres', async () => {
    await tf.setBackend('cpu');
    const [oh, ow] = [13, 10];
    const t = tf.tensor4d(map, [1, mh, mw, 1]);
    const resized = tf.image.resizeBilinear(t, [oh, ow], false, true);
    const expected = (await resized.data()) as Float32Array;
    tf.dispose([t, resized]);
    const ours = upsampleBilinear(map, mh, mw, oh, ow);
    for (let i = 0; i < ours.length; i++) expect(ours[i]).toBeCloseTo(expected[i], 5);
  });
});

describe('drawBoxes', () => {
  it('paints only the outline, inside the box, and leaves the photo itself unchanged', () => {
    const [h, w] = [12, 12];
    const photo = new Uint8Array(h * w * 3).fill(50);
    const rgb = drawBoxes(photo, h, w, [{ y0: 2, x0: 3, y1: 9, x1: 10, color: [255, 0, 0], width: 2 }]);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inBox = y >= 2 && y <= 9 && x >= 3 && x <= 10;
        const inInterior = y >= 4 && y <= 7 && x >= 5 && x <= 8;
        expect(pixel(rgb, y * w + x)).toEqual(inBox && !inInterior ? [255, 0, 0] : [50, 50, 50]);
      }
    }
    expect(photo.every((v) => v === 50)).toBe(true);
  });

  it('clips boxes that reach past the photo', () => {
    const rgb = drawBoxes(new Uint8Array(4 * 4 * 3), 4, 4, [{ y0: -5, x0: -5, y1: 1, x1: 1, color: [9, 9, 9], width: 1 }]);
    // Only the box's bottom row (y = 1) and right column (x = 1) fall inside the photo.
    const painted = Array.from({ length: 16 }, (_, p) => rgb[p * 3] === 9);
    expect(painted).toEqual([false, true, false, false, true, true, false, false, false, false, false, false, false, false, false, false]);
  });
});

describe('absPercentile (selection) equals the nearest rank of the sorted |values|', () => {
  let seed = 3;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const kinds: Record<string, (n: number) => Float32Array> = {
    dense: (n) => Float32Array.from({ length: n }, () => rnd() * 2 - 1),
    // Deconvnet projections: mostly exact zeros, so low percentiles fall back to the maximum.
    sparse: (n) => Float32Array.from({ length: n }, () => (rnd() < 0.03 ? rnd() * 10 - 5 : 0)),
    ties: (n) => Float32Array.from({ length: n }, () => Math.round(rnd() * 6 - 3)),
    zeros: (n) => new Float32Array(n),
    signedZeros: (n) => Float32Array.from({ length: n }, (_, i) => (i % 2 ? -0 : 0)),
  };
  for (const [kind, make] of Object.entries(kinds)) {
    it(kind, () => {
      for (const n of [1, 2, 3, 7, 100, 1001, 20_000]) {
        for (let rep = 0; rep < 3; rep++) {
          const v = make(n);
          const before = Float32Array.from(v);
          for (const p of [0, 1, 50, 90, 99, 99.5, 100]) expect(absPercentile(v, p), `${kind} n=${n} p=${p}`).toBe(sortedPercentile(v, p));
          expect(v).toEqual(before);
        }
      }
    });
  }
  it('keeps the sorted answer when a value is NaN, and 0 for an empty map', () => {
    const v = Float32Array.from([1, NaN, -3, 2]);
    for (const p of [0, 50, 100]) expect(absPercentile(v, p)).toBe(sortedPercentile(v, p));
    expect(absPercentile(new Float32Array(0), 99)).toBe(0);
  });
});
