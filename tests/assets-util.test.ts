import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitFileAtomic, writeFileAtomic } from '../pipeline/util/atomic-write.ts';
import { sha256Buffer, sha256File, stableHash, stableStringify } from '../pipeline/util/hash.ts';
import { createProgress } from '../pipeline/util/progress.ts';
import { slugify, uniqueSlugger } from '../pipeline/util/slug.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'atlas-util-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates parent folders and replaces the file', async () => {
    const target = path.join(dir, 'a', 'b', 'out.json');
    await writeFileAtomic(target, 'one');
    await writeFileAtomic(target, 'two');
    expect(await readFile(target, 'utf8')).toBe('two');
    expect(await readdir(path.dirname(target))).toEqual(['out.json']);
  });

  it('leaves no temp file behind when the final rename fails', async () => {
    const target = path.join(dir, 'occupied');
    await mkdir(path.join(target, 'child'), { recursive: true });
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['occupied']);
  });

  it('leaves neither target nor temp when the producer fails', async () => {
    const target = path.join(dir, 'never.bin');
    const produce = async (temp: string) => {
      await writeFile(temp, 'half');
      throw new Error('producer broke');
    };
    await expect(commitFileAtomic(target, produce)).rejects.toThrow('producer broke');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('hashing', () => {
  it('hashes files by streaming, matching the buffer hash', async () => {
    const file = path.join(dir, 'f');
    const data = Buffer.alloc(3_000_000, 7);
    await writeFile(file, data);
    expect(await sha256File(file)).toBe(sha256Buffer(data));
    expect(sha256Buffer('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('stable hash ignores key order at every depth', () => {
    const a = { model: 'm', params: { layer: 'conv1', k: [1, 2], opts: { x: 1, y: 2 } } };
    const b = { params: { opts: { y: 2, x: 1 }, k: [1, 2], layer: 'conv1' }, model: 'm' };
    expect(stableHash(a)).toBe(stableHash(b));
    expect(stableStringify(b)).toBe('{"model":"m","params":{"k":[1,2],"layer":"conv1","opts":{"x":1,"y":2}}}');
  });

  it('stable hash changes when any value, array order or binary content changes', () => {
    const base = { layer: 'conv1', k: [1, 2], w: new Float32Array([1, 2, 3]) };
    const h = stableHash(base);
    expect(stableHash({ ...base, layer: 'conv2' })).not.toBe(h);
    expect(stableHash({ ...base, k: [2, 1] })).not.toBe(h);
    expect(stableHash({ ...base, w: new Float32Array([1, 2, 4]) })).not.toBe(h);
    expect(stableHash({ ...base, extra: undefined })).toBe(h);
  });

  it('refuses circular values', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => stableHash(loop)).toThrow(/circular/);
  });
});

describe('progress', () => {
  function fakeStream(isTTY: boolean) {
    return { text: '', isTTY, write(t: string) { this.text += t; } };
  }

  it('prints plain lines per 10% without a terminal, and a summary with the total time', () => {
    let now = 0;
    const stream = fakeStream(false);
    const progress = createProgress({ label: 'images', total: 100, stream, now: () => now, noun: 'images' });
    for (let i = 0; i < 100; i++) {
      now += 100;
      progress.tick();
    }
    progress.finish();
    const lines = stream.text.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(9);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines[0]).toMatch(/^images .*\d+\/100 .*ETA/);
    expect(lines.at(-1)).toBe('images: 100 images (10/s) in 10 s');
  });

  it('stays quiet for quick steps, printing only the summary', () => {
    let now = 0;
    const stream = fakeStream(true);
    const progress = createProgress({ label: 'quick', total: 10, stream, now: () => now, unit: 'bytes' });
    now = 100;
    progress.update(10);
    progress.finish();
    expect(stream.text).toBe('quick: 10 B (100 B/s) in 100 ms\n');
  });

  it('redraws one terminal line, throttled', () => {
    let now = 1000;
    const stream = fakeStream(true);
    const progress = createProgress({ label: 'x', total: 1000, stream, now: () => now, delayMs: 0 });
    for (let i = 0; i < 1000; i++) {
      now += 1;
      progress.tick();
    }
    expect(stream.text.split('\r').length - 1).toBeLessThanOrEqual(11);
    expect(stream.text).not.toContain('\n');
  });
});

describe('slugs', () => {
  it('makes ascii ids and keeps them unique', () => {
    expect(slugify("Jack-o'-Lantern (Ünïcode)")).toBe('jack-o-lantern-unicode');
    const next = uniqueSlugger(['cat']);
    expect([next('Cat'), next('cat'), next('dog')]).toEqual(['cat-2', 'cat-3', 'dog']);
  });
});
