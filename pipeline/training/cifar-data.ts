import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { collection, type AssetEntry } from '../assets/catalog.ts';
import { fetchAll, type FetchOptions } from '../assets/fetch-asset.ts';
import { defaultCacheDir } from '../util/paths.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { stableHash } from '../util/hash.ts';
import { mapLimited } from '../util/map-limited.ts';

export const CIFAR_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** Images as 8-bit RGB (n x size x size x 3): 30 MB for 10,000 CIFAR images, where floats would be 120 MB. */
export interface PixelSet {
  pixels: Uint8Array;
  labels: Int32Array;
  ids: string[];
  size: number;
  /** sha256 of every source file, in order: part of the training key. */
  sha256: string[];
}

export function pixelCount(set: PixelSet): number {
  return set.labels.length;
}

/** The first `perClass` images of each class in catalog order, so a subset is the same on every machine. */
export function balancedEntries(entries: AssetEntry[], perClass: number | undefined, classes = CIFAR_CLASSES): AssetEntry[] {
  const taken = new Map<string, number>();
  return entries.filter((e) => {
    const n = taken.get(e.label ?? '') ?? 0;
    if (!classes.includes(e.label ?? '') || (perClass !== undefined && n >= perClass)) return false;
    taken.set(e.label ?? '', n + 1);
    return true;
  });
}

/**
 * A CIFAR-10 collection of the catalog, fetched (mirror first) and decoded once; the decoded pixels
 * are cached under a key of the files' hashes, so a warm build skips 10,000 JPEG decodes.
 */
export async function loadCifarCollection(name: string, perClass: number | undefined, fetchOpts: FetchOptions = {}): Promise<PixelSet> {
  const entries = balancedEntries(collection(name), perClass);
  const size = 32;
  const sha256 = entries.map((e) => e.sha256 ?? '');
  const key = stableHash({ sha256, size, v: 1 }).slice(0, 16);
  const file = path.join(fetchOpts.cacheDir ?? defaultCacheDir(), 'training', 'pixels', `${key}.bin`);
  const labels = Int32Array.from(entries.map((e) => CIFAR_CLASSES.indexOf(e.label ?? '')));
  const ids = entries.map((e) => e.id);
  if (existsSync(file)) {
    const pixels = new Uint8Array(await readFile(file));
    if (pixels.length === entries.length * size * size * 3) return { pixels, labels, ids, size, sha256 };
  }
  const paths = await fetchAll(entries, { ...fetchOpts, label: `${name} files`, concurrency: 16 });
  const pixels = new Uint8Array(entries.length * size * size * 3);
  await mapLimited(paths, 8, async (p, i) => {
    const { data, info } = await sharp(p).resize(size, size, { fit: 'fill' }).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`${p}: expected 3 channels, got ${info.channels}`);
    pixels.set(data, i * size * size * 3);
  });
  await writeFileAtomic(file, pixels);
  return { pixels, labels, ids, size, sha256 };
}
