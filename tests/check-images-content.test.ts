import { mkdtemp, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchOptionsFor, loadConfig } from '../pipeline/config/index.ts';
import { checkImages } from '../pipeline/steps/check-images.ts';
import { memoryLog } from '../pipeline/util/log.ts';

/** Local photos are keyed by their bytes, not their path: replaced, fixed or emptied in place, they are seen anew. */
describe('checkImages keys local files by content', () => {
  let dir: string;
  const png = (r: number) => sharp({ create: { width: 8, height: 8, channels: 3, background: { r, g: 0, b: 0 } } }).png().toBuffer();
  const check = async () => {
    const config = await loadConfig({ path: path.join(dir, 'atlas.config.json'), env: {} as NodeJS.ProcessEnv });
    return checkImages({ config, fetchOpts: fetchOptionsFor(config), log: memoryLog() });
  };
  // Same size and a restored mtime would fool a size+mtime cache; a real edit changes one of them.
  const touch = (f: string, t: number) => utimes(f, t, t);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'atlas-content-'));
    await writeFile(path.join(dir, 'a.png'), await png(10));
    await writeFile(path.join(dir, 'b.png'), 'not a picture at all');
    await writeFile(
      path.join(dir, 'atlas.config.json'),
      JSON.stringify({ mirror: null, cacheDir: './cache', images: { showcase: false, extra: ['./a.png', './b.png'] }, dataset: false }),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('a replaced photo gets a new hash; a broken file fixed in place is re-checked; an empty one is named', async () => {
    const first = await check();
    expect(first.gallery.map((g) => g.id)).toEqual(['a']);
    expect(first.gallery[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.skipped.map((s) => s.id)).toEqual(['b']);

    await writeFile(path.join(dir, 'a.png'), await png(200));
    await touch(path.join(dir, 'a.png'), Date.now() / 1000 + 5);
    await writeFile(path.join(dir, 'b.png'), await png(90));
    await touch(path.join(dir, 'b.png'), Date.now() / 1000 + 5);
    const second = await check();
    expect(second.skipped).toEqual([]);
    expect(second.gallery.map((g) => g.id)).toEqual(['a', 'b']);
    expect(second.gallery[0].sha256).not.toBe(first.gallery[0].sha256);

    await truncate(path.join(dir, 'a.png'), 0);
    const third = await check();
    expect(third.skipped).toEqual([expect.objectContaining({ id: 'a', reason: expect.stringContaining('empty (0 bytes)') })]);
    expect(third.gallery.map((g) => g.id)).toEqual(['b']);
  });
});
