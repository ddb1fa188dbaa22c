import { describe, expect, it } from 'vitest';
import { colorName, colorTags, dominantColors } from '../pipeline/tags/color-names.ts';
import { srgbToLab } from '../pipeline/tags/lab.ts';

const solid = (pixels: number, c: [number, number, number]) => Uint8Array.from({ length: pixels * 3 }, (_, i) => c[i % 3]);

describe('colour names', () => {
  it('converts sRGB to CIELAB (D65) like the reference formulas', () => {
    const white = srgbToLab(255, 255, 255);
    expect(white[0]).toBeCloseTo(100, 2);
    expect(Math.abs(white[1]) + Math.abs(white[2])).toBeLessThan(0.01);
    const red = srgbToLab(255, 0, 0);
    expect(red[0]).toBeCloseTo(53.24, 1);
    expect(red[1]).toBeCloseTo(80.09, 1);
    expect(red[2]).toBeCloseTo(67.2, 1);
  });

  it('names dark and light shades by their basic term and near-greys by lightness', () => {
    expect(colorName(0, 0, 128)).toBe('blue'); // navy
    expect(colorName(135, 206, 235)).toBe('blue'); // sky blue
    expect(colorName(0, 100, 0)).toBe('green');
    expect(colorName(255, 165, 0)).toBe('orange');
    expect(colorName(139, 69, 19)).toBe('brown');
    expect(colorName(255, 192, 203)).toBe('pink');
    expect(colorName(120, 120, 128)).toBe('grey'); // a bluish grey is still grey
    expect(colorName(10, 10, 12)).toBe('black');
    expect(colorName(250, 250, 250)).toBe('white');
  });

  it('a pure blue image is 100% blue, with evidence', () => {
    const shares = dominantColors(solid(100, [0, 0, 255]), 100);
    expect(shares).toEqual([{ name: 'blue', share: 1 }]);
    expect(colorTags(shares)).toEqual([{ tag: 'blue', kind: 'color', score: 1, evidence: "100% of the feature visualization's pixels are blue" }]);
  });

  it('shares are fractions of all pixels, and small ones do not become tags', () => {
    const rgb = new Uint8Array([...solid(60, [200, 20, 20]), ...solid(30, [128, 128, 128]), ...solid(10, [250, 220, 0])]);
    const shares = dominantColors(rgb, 100);
    expect(shares.map((s) => s.name)).toEqual(['red', 'grey', 'yellow']);
    expect(shares.map((s) => s.share)).toEqual([0.6, 0.3, 0.1]);
    expect(colorTags(shares, { minShare: 0.25, subject: 'the patches’ pixels' }).map((t) => t.evidence)).toEqual(['60% of the patches’ pixels are red', '30% of the patches’ pixels are grey']);
  });
});
