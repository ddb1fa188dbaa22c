import { describe, expect, it } from 'vitest';
import { classEnrichment, overRepresentedClasses } from '../pipeline/tags/class-enrichment.ts';
import { hypergeometricTail } from '../pipeline/tags/hypergeometric.ts';
import { imagenetGroups, imagenetOffset } from '../pipeline/tags/imagenet-groups.ts';

/** ImageNet-1k-shaped labels: the anchors that identify the order, plus a few keyword classes. */
function labels(): string[] {
  const l = Array.from({ length: 1000 }, (_, i) => `class ${i}`);
  Object.assign(l, { 0: 'tench, Tinca tinca', 151: 'Chihuahua', 187: 'Yorkshire terrier', 281: 'tabby, tabby cat', 404: 'airliner', 479: 'car wheel', 999: 'toilet tissue, toilet paper, bathroom tissue' });
  return l;
}
const PER_CLASS = 50;
const counts = Array.from({ length: 1000 }, () => PER_CLASS);
const range = (from: number, n: number, step = 1) => Array.from({ length: n }, (_, i) => from + i * step);

function choose(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

describe('ImageNet groups', () => {
  it('recognises the standard order, with or without a background class', () => {
    expect(imagenetOffset(labels())).toBe(0);
    expect(imagenetOffset(['background', ...labels()])).toBe(1);
    expect(imagenetOffset(labels().slice(1))).toBeNull();
    expect(imagenetOffset(Array.from({ length: 1000 }, (_, i) => `class ${i}`))).toBeNull();
  });

  it('builds groups from ranges and keywords, shifted with the labels', () => {
    const dog = imagenetGroups(labels()).find((g) => g.name === 'dog')!;
    expect(dog.members[0]).toBe(151);
    expect(dog.members.at(-1)).toBe(268);
    expect(dog.members).toHaveLength(118);
    const shifted = imagenetGroups(['background', ...labels()]);
    expect(shifted.find((g) => g.name === 'dog')!.members[0]).toBe(152);
    expect(shifted.find((g) => g.name === 'terrier')!.members).toEqual([188]);
    expect(shifted.find((g) => g.name === 'wheel')!.members).toEqual([480]);
    expect(imagenetGroups(Array.from({ length: 10 }, String))).toEqual([]);
  });

  it('maps groups into another class order by WordNet id (Darknet: devkit order)', () => {
    // Standard order = sorted wnids; the model lists the same classes reversed.
    const wnids = Array.from({ length: 1000 }, (_, i) => `n${String(10000000 + i).padStart(8, '0')}`);
    const reversed = (xs: string[]) => [...xs].reverse();
    const groups = imagenetGroups(reversed(labels()), reversed(wnids));
    const dog = groups.find((g) => g.name === 'dog')!;
    expect(dog.members).toEqual(range(999 - 268, 118));
    expect(groups.find((g) => g.name === 'wheel')!.members).toEqual([999 - 479]);
  });
});

describe('class enrichment', () => {
  it('hypergeometric tail matches direct counting', () => {
    expect(hypergeometricTail(1, 50, 5, 10)).toBeCloseTo(1 - choose(45, 10) / choose(50, 10), 12);
    const exactly = (x: number) => (choose(5, x) * choose(45, 10 - x)) / choose(50, 10);
    expect(hypergeometricTail(3, 50, 5, 10)).toBeCloseTo(exactly(3) + exactly(4) + exactly(5), 12);
    expect(hypergeometricTail(0, 50, 5, 10)).toBeCloseTo(1, 12);
    expect(hypergeometricTail(6, 50, 5, 10)).toBe(0);
  });

  it('a top-50 of dog breeds is tagged "dog" with the counts, and not also mammal/canine/animal', () => {
    const tags = overRepresentedClasses(range(151, 50), counts, labels());
    const dog = tags.find((t) => t.tag === 'dog');
    expect(dog).toBeDefined();
    expect(dog!.kind).toBe('class');
    expect(dog!.score).toBe(1);
    expect(dog!.evidence).toBe("50 of the unit's top 50 dataset images are dogs (expected 5.9 by chance, 12% of the dataset)");
    for (const broader of ['mammal', 'canine', 'animal']) expect(tags.map((t) => t.tag)).not.toContain(broader);
    // Every breed appears once: no single class is over-represented.
    expect(tags.every((t) => !t.tag.startsWith('class '))).toBe(true);
  });

  it('a top-k spread evenly over the classes gets no class tags', () => {
    expect(overRepresentedClasses(range(0, 50, 20), counts, labels())).toEqual([]);
    expect(overRepresentedClasses(range(3, 100, 10), counts, labels())).toEqual([]);
  });

  it('a repeated single class is tagged by its name, next to its group', () => {
    const top = [...Array(10).fill(281), ...range(400, 40, 13)];
    const tags = overRepresentedClasses(top, (i) => counts[i], labels());
    expect(tags.find((t) => t.tag === 'tabby')?.evidence).toBe('10 of the unit\'s top 50 dataset images are "tabby" (expected 0.05 by chance, 0.1% of the dataset)');
    expect(tags.map((t) => t.tag)).toContain('cat');
  });

  it('weak or small excesses are not tags', () => {
    // 9 dogs of 50 (expected 5.9): real but not 2x; 2 tabbies of 50: too few to say anything.
    const top = [...range(151, 9), 281, 281, ...range(500, 39, 11)];
    const tags = overRepresentedClasses(top, counts, labels());
    expect(tags).toEqual([]);
    const dog = classEnrichment(top, counts, labels()).find((e) => e.name === 'dog')!;
    expect(dog.count).toBe(9);
    expect(dog.expected).toBeCloseTo(5.9, 10);
  });

  it('ignores top images without a class and works without ImageNet labels', () => {
    const tags = overRepresentedClasses([...Array(8).fill(3), -1, -1], Array(10).fill(100), Array.from({ length: 10 }, (_, i) => `thing ${i}`));
    expect(tags.map((t) => t.tag)).toEqual(['thing 3']);
    expect(tags[0].evidence).toMatch(/^8 of the unit's top 8 dataset images are "thing 3"/);
  });
});
