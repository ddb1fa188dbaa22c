import { describe, expect, it } from 'vitest';
import { directionWord, patternDescriptors } from '../pipeline/tags/orientation.ts';

const S = 64;
function image(f: (x: number, y: number) => number, w = S, h = S): Float32Array {
  const a = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) a[y * w + x] = f(x, y);
  return a;
}
/** Deterministic uniform noise (Park–Miller), so a failure reproduces. */
function noise(seed = 7): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}
const square = (v: number, period: number) => (Math.floor(v / (period / 2)) % 2 ? 1 : 0);
const tagsOf = (img: Float32Array, w = S, h = S) => patternDescriptors(img, w, h).tags.map((t) => t.tag);
const gap = (a: number, b: number) => Math.min(Math.abs(a - b) % 180, 180 - (Math.abs(a - b) % 180));

describe('pattern descriptors', () => {
  it('vertical stripes: stripe angle 90°, horizontal gradients, tagged by the stripe direction', () => {
    const d = patternDescriptors(image((x) => square(x, 8)), S, S);
    expect(gap(d.orientation.angle, 90)).toBeLessThan(1);
    expect(d.orientation.coherence).toBeGreaterThan(0.95);
    expect(d.peak?.period).toBeCloseTo(8, 5);
    const tags = d.tags.map((t) => t.tag);
    expect(tags).toContain('vertical stripes');
    expect(tags).not.toContain('horizontal stripes');
    expect(d.tags.find((t) => t.tag === 'vertical stripes')?.evidence).toMatch(/coherence 1\b.*90°.*period of 8 px/);
  });

  it('horizontal stripes: stripe angle 0°', () => {
    const d = patternDescriptors(image((x, y) => Math.sin((2 * Math.PI * y) / 6)), S, S);
    expect(gap(d.orientation.angle, 0)).toBeLessThan(1);
    expect(d.tags.map((t) => t.tag)).toContain('horizontal stripes');
    expect(d.tags.map((t) => t.tag)).not.toContain('vertical stripes');
  });

  it('measures oblique stripes counter-clockwise with y up: "/" is 45°, a 30° grating is 30°', () => {
    const rising = patternDescriptors(image((x, y) => Math.sin((2 * Math.PI * (x + y)) / 9)), S, S);
    expect(gap(rising.orientation.angle, 45)).toBeLessThan(1);
    expect(rising.tags.map((t) => t.tag)).toContain('diagonal stripes');
    // Brightness constant along (cos 30°, sin 30°) with y up, i.e. (cos 30°, -sin 30°) in image rows.
    const [nx, ny] = [Math.sin(Math.PI / 6), Math.cos(Math.PI / 6)];
    const d = patternDescriptors(image((x, y) => Math.sin((2 * Math.PI * (nx * x + ny * y)) / 7)), S, S);
    expect(gap(d.orientation.angle, 30)).toBeLessThan(3);
    expect(gap(d.peak!.angle, 30)).toBeLessThan(6);
    expect(directionWord(30)).toBe('diagonal');
  });

  it('a single step is an edge, not stripes', () => {
    const tags = tagsOf(image((x) => (x < 29 ? 0 : 1)));
    expect(tags).toContain('vertical edge');
    expect(tags.some((t) => t.endsWith('stripes'))).toBe(false);
  });

  it('a fine checkerboard is high-frequency texture, and a checkerboard', () => {
    const tags = tagsOf(image((x, y) => (Math.floor(x / 2) + Math.floor(y / 2)) % 2));
    expect(tags).toContain('high-frequency texture');
    expect(tags).toContain('checkerboard');
    expect(tags.some((t) => t.endsWith('stripes') || t.endsWith('edge'))).toBe(false);
  });

  it('white noise is high-frequency texture without orientation or period', () => {
    const r = noise();
    const d = patternDescriptors(image(() => r()), S, S);
    expect(d.orientation.coherence).toBeLessThan(0.2);
    expect(d.tags.map((t) => t.tag)).toEqual(['high-frequency texture']);
  });

  it('a smooth blob is a low-frequency blob and not texture', () => {
    const tags = tagsOf(image((x, y) => Math.exp(-((x - 32) ** 2 + (y - 30) ** 2) / 200)));
    expect(tags).toContain('low-frequency blob');
    expect(tags).not.toContain('high-frequency texture');
    expect(tags).not.toContain('grid');
  });

  it('thin lines every 8 px both ways are a grid with period 8', () => {
    const d = patternDescriptors(image((x, y) => (x % 8 === 0 || y % 8 === 0 ? 1 : 0)), S, S);
    expect(d.tags.map((t) => t.tag)).toContain('grid');
    expect(d.peak?.period).toBeCloseTo(8, 5);
  });

  it('concentric rings are curves: locally aligned, globally not', () => {
    const d = patternDescriptors(image((x, y) => Math.sin((2 * Math.PI * Math.hypot(x - 32, y - 32)) / 8)), S, S);
    expect(d.orientation.localCoherence).toBeGreaterThan(0.8);
    expect(d.orientation.coherence).toBeLessThan(0.2);
    expect(d.tags.map((t) => t.tag)).toEqual(['curves']);
  });

  it('a flat image gets no tags', () => {
    expect(tagsOf(image(() => 0.5))).toEqual([]);
    expect(tagsOf(new Float32Array(S * S))).toEqual([]);
  });

  it('reports periods in input pixels when a large image is reduced for the spectrum', () => {
    const [w, h] = [600, 300];
    const d = patternDescriptors(image((x) => Math.sin((2 * Math.PI * x) / 20), w, h), w, h);
    expect(d.peak!.period).toBeGreaterThan(19);
    expect(d.peak!.period).toBeLessThan(21);
    expect(d.tags.map((t) => t.tag)).toContain('vertical stripes');
  });
});
