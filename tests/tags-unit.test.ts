import { describe, expect, it } from 'vitest';
import { unitTags, type RgbImage } from '../pipeline/tags/unit-tags.ts';

function rgbImage(w: number, h: number, color: (x: number, y: number) => [number, number, number]): RgbImage {
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.set(color(x, y), (y * w + x) * 3);
  return { rgb, w, h };
}
const blueVerticalStripes = rgbImage(64, 64, (x) => (Math.floor(x / 4) % 2 ? [40, 90, 230] : [0, 0, 140]));
const orangeHorizontalStripes = rgbImage(32, 32, (x, y) => (Math.floor(y / 3) % 2 ? [255, 140, 0] : [120, 60, 10]));
let seed = 3;
const random = () => (seed = (seed * 16807) % 2147483647) % 256;
const noisePatch = rgbImage(32, 32, () => [random(), random(), random()]);

const labels = Array.from({ length: 1000 }, (_, i) => `class ${i}`);
Object.assign(labels, { 0: 'tench', 151: 'Chihuahua', 281: 'tabby', 404: 'airliner', 999: 'toilet tissue' });

describe('unitTags', () => {
  it('combines class, colour and pattern tags, strongest first', () => {
    const tags = unitTags({
      topImageClasses: Array.from({ length: 50 }, (_, i) => 151 + i),
      datasetClassCounts: Array(1000).fill(50),
      labels,
      featureVis: blueVerticalStripes,
    });
    const words = tags.map((t) => `${t.kind}:${t.tag}`);
    expect(words).toEqual(expect.arrayContaining(['class:dog', 'color:blue', 'pattern:vertical stripes']));
    expect(tags.find((t) => t.tag === 'vertical stripes')!.evidence).toMatch(/^In the feature visualization, gradients agree/);
    expect(tags.map((t) => t.score)).toEqual([...tags.map((t) => t.score)].sort((a, b) => b - a));
    expect(new Set(words).size).toBe(words.length);
  });

  it('keeps a patch pattern only when most patches show it, and says how many', () => {
    const tags = unitTags({ patches: [orangeHorizontalStripes, orangeHorizontalStripes, orangeHorizontalStripes, noisePatch] });
    const stripes = tags.find((t) => t.tag === 'horizontal stripes');
    expect(stripes?.evidence).toMatch(/^In 3 of the unit's 4 top patches; in the clearest, /);
    expect(stripes!.score).toBeCloseTo(0.75 * 1, 1);
    expect(tags.find((t) => t.tag === 'orange')?.evidence).toMatch(/% of the pixels of the unit's 4 top patches are orange$/);
    const once = unitTags({ patches: [orangeHorizontalStripes, noisePatch, noisePatch, noisePatch] });
    expect(once.map((t) => t.tag)).not.toContain('horizontal stripes');
  });

  it('merges the same word from several sources into one tag with all the evidence', () => {
    const bluePatch = rgbImage(16, 16, () => [20, 40, 200]);
    const tags = unitTags({ featureVis: blueVerticalStripes, patches: [bluePatch, bluePatch] });
    const blue = tags.filter((t) => t.tag === 'blue');
    expect(blue).toHaveLength(1);
    expect(blue[0].score).toBe(1);
    // Equal scores keep the sources' order: feature visualization, then patches.
    expect(blue[0].evidence).toBe("100% of the feature visualization's pixels are blue; 100% of the pixels of the unit's 2 top patches are blue");
  });

  it('returns nothing without evidence', () => {
    expect(unitTags({})).toEqual([]);
  });
});
