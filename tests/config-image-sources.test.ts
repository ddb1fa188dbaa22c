import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchEntryFor, resolveImageSources } from '../pipeline/config/image-sources.ts';
import type { ResolvedConfig } from '../pipeline/config/load-config.ts';
import { memoryLog } from '../pipeline/util/log.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'atlas-sources-'));
  for (const rel of ['data/cats/1.jpg', 'data/cats/2.jpg', 'data/dogs/1.jpeg', 'data/loose.png', 'mine/skimage-chelsea.jpg', 'empty/readme.md']) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), 'x');
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function config(partial: Partial<Pick<ResolvedConfig, 'images' | 'dataset'>>): Pick<ResolvedConfig, 'configFile' | 'images' | 'dataset'> {
  return { configFile: path.join(dir, 'atlas.config.ts'), images: { showcase: null, extra: [] }, dataset: null, ...partial };
}

describe('resolveImageSources', () => {
  it('labels a dataset folder by its class sub-folders', async () => {
    const { dataset } = await resolveImageSources(config({ dataset: { folder: path.join(dir, 'data') } }));
    expect(dataset.map((s) => [s.id, s.className])).toEqual([
      ['cats-1', 'cats'],
      ['cats-2', 'cats'],
      ['dogs-1', 'dogs'],
      ['loose', undefined],
    ]);
    expect(dataset.every((s) => s.source === 'user' && path.isAbsolute(s.path!))).toBe(true);
  });

  it('keeps catalog ids and gives clashing user files a suffix', async () => {
    const extra = [{ url: path.join(dir, 'mine'), field: 'images.extra[0]' }];
    const { gallery } = await resolveImageSources(config({ images: { showcase: { catalog: 'images:showcase' }, extra } }));
    expect(gallery).toHaveLength(29);
    expect(gallery[0]).toMatchObject({ id: 'skimage-chelsea', source: 'catalog', license: 'CC0-1.0' });
    expect(gallery.at(-1)).toMatchObject({ id: 'skimage-chelsea-2', source: 'user' });
    expect(fetchEntryFor(gallery[0])).toMatchObject({ url: gallery[0].url, sha256: gallery[0].sha256 });
    expect(fetchEntryFor(gallery.at(-1)!).url).toBe(path.join(dir, 'mine', 'skimage-chelsea.jpg'));
  });

  it('applies a dataset limit and carries ImageNet class indices', async () => {
    const { dataset } = await resolveImageSources(config({ dataset: { catalog: 'dataset:imagenet-sample-1000', limit: 3 } }));
    expect(dataset.map((s) => s.classIndex)).toEqual([0, 1, 2]);
  });

  it('warns about a folder without images', async () => {
    const log = memoryLog();
    const extra = [{ url: path.join(dir, 'empty'), field: 'images.extra[0]' }];
    const { gallery } = await resolveImageSources(config({ images: { showcase: null, extra } }), { log });
    expect(gallery).toEqual([]);
    expect(log.warnings[0]).toMatch(/images\.extra\[0\]: no images/);
  });
});
