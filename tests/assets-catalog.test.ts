import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collection, collectionInfo, findAsset, loadCatalog, UnknownCollectionError } from '../pipeline/assets/catalog.ts';
import { locateAsset } from '../pipeline/assets/asset-location.ts';
import { REPO_ROOT } from '../pipeline/util/paths.ts';

const DEFAULT_COLLECTIONS = ['model:mobilenet_v1_0.75_224', 'model:darknet_tiny', 'images:showcase', 'dataset:imagenet-sample-1000'];
const mirror = [process.env.ATLAS_MIRROR, path.resolve(REPO_ROOT, '..', 'shared', 'mirror'), '/work/shared/mirror'].find(
  (dir): dir is string => Boolean(dir && existsSync(path.join(dir, 'MANIFEST.tsv'))),
);

describe('catalog', () => {
  it('has the default collections, marked as such', () => {
    for (const name of DEFAULT_COLLECTIONS) expect(collectionInfo(name).default).toBe(true);
  });

  it('has 1000 ImageNet entries with class indices 0..999 once each', () => {
    const entries = collection('dataset:imagenet-sample-1000');
    expect(entries).toHaveLength(1000);
    const indices = entries.map((e) => e.classIndex).sort((a, b) => a! - b!);
    expect(indices).toEqual([...Array(1000).keys()]);
    expect(new Set(entries.map((e) => e.wnid)).size).toBe(1000);
    expect(entries[0]).toMatchObject({ id: 'n01440764-tench', wnid: 'n01440764', className: 'tench', classIndex: 0 });
  });

  it('has 28 showcase photos, each with license and credit', () => {
    const entries = collection('images:showcase');
    expect(entries).toHaveLength(28);
    for (const e of entries) {
      expect(e.license).not.toBe('');
      expect(e.credit).not.toBe('');
    }
    expect(findAsset('skimage-chelsea')?.label).toBe('tabby cat');
    expect(findAsset('burn-cat')?.license).toBe('CC-BY-SA-3.0');
  });

  it('lists the MobileNet files with model metadata', () => {
    const info = collectionInfo('model:mobilenet_v1_0.75_224');
    expect(info.entries).toHaveLength(57);
    expect(info.model).toMatchObject({ modelJson: 'model.json', labels: 'metadata.json', inputSize: 224 });
    expect(findAsset('model.json')?.collection).toBe('model:mobilenet_v1_0.75_224');
  });

  it('uses unique ids and complete entries', () => {
    const all = Object.values(loadCatalog().collections).flatMap((c) => c.entries);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    for (const e of all) {
      expect(e.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(typeof e.license).toBe('string');
      expect(typeof e.credit).toBe('string');
      expect(typeof e.label).toBe('string');
    }
  });

  it('finds by URL as well as by id', () => {
    const entry = findAsset('n01440764-tench')!;
    expect(findAsset(entry.url)).toBe(entry);
    expect(findAsset('no-such-thing')).toBeUndefined();
  });

  it('names the known collections when asked for an unknown one', () => {
    expect(() => collection('images:nope')).toThrow(UnknownCollectionError);
    expect(() => collection('images:nope')).toThrow(/images:nope.*images:showcase/);
  });

  it.skipIf(!mirror)('finds every default catalog file in the mirror with the right size', () => {
    const missing: string[] = [];
    for (const name of DEFAULT_COLLECTIONS) {
      for (const entry of collection(name)) {
        const location = locateAsset(entry.url);
        if (location.kind !== 'remote') throw new Error(`catalog URL is not remote: ${entry.url}`);
        const file = path.join(mirror!, location.relPath);
        if (!existsSync(file) || statSync(file).size !== entry.bytes) missing.push(entry.url);
      }
    }
    expect(missing).toEqual([]);
  });
});
