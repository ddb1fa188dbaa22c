import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fetchAllInfo } from '../assets/fetch-asset.ts';
import { loadImageTensorData } from '../assets/images.ts';
import { resolveImageSources, fetchEntryFor, type ImageSource } from '../config/index.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { mapLimited } from '../util/map-limited.ts';
import { createProgress } from '../util/progress.ts';
import type { BuildContext } from './context.ts';

export interface CheckedImage extends ImageSource {
  file: string;
  sha256: string;
}

/** What maps an image onto a model's classes: its labels and, when known, the WordNet id of each. */
export interface ClassOrder {
  labels: readonly string[];
  wnids?: readonly string[];
}

/**
 * A dataset image's class as the model's output index, −1 when unknown. A model with WordNet ids
 * is matched by the image's wnid (the ImageNet sample's recorded index is in Keras order, which
 * other models, e.g. Darknet's devkit order, do not share); otherwise by index, else by name.
 */
export function classIndexOf(image: Pick<CheckedImage, 'classIndex' | 'className' | 'wnid'>, model: ClassOrder): number {
  if (model.wnids && image.wnid) return model.wnids.indexOf(image.wnid);
  if (model.wnids) return image.className ? model.labels.indexOf(image.className) : -1;
  return image.classIndex ?? (image.className ? model.labels.indexOf(image.className) : -1);
}

export interface CheckedImages {
  gallery: CheckedImage[];
  dataset: CheckedImage[];
  skipped: { id: string; file: string; reason: string }[];
}

type Verdicts = Record<string, string | null>;

/**
 * Fetches every gallery and dataset image and decodes each once, so a corrupt or truncated file is
 * named and skipped here instead of failing a later step. Verdicts are remembered by content hash:
 * a warm build decodes nothing.
 */
export async function checkImages(ctx: Pick<BuildContext, 'config' | 'fetchOpts' | 'log'>): Promise<CheckedImages> {
  const sources = await resolveImageSources(ctx.config, { log: ctx.log });
  const all = [...sources.gallery, ...sources.dataset];
  // Local files are hashed too (remembered by size and mtime): a photo replaced at the same path,
  // or a broken file fixed in place, gets a new key and is checked and computed again.
  const fetched = await fetchAllInfo(all.map(fetchEntryFor), { ...ctx.fetchOpts, hashLocal: true, label: 'images' });
  const verdictFile = path.join(ctx.config.cacheDir, 'image-verdicts.json');
  const verdicts: Verdicts = await readFile(verdictFile, 'utf8').then(JSON.parse, () => ({}));
  const progress = createProgress({ label: 'decode check', total: all.length, noun: 'images' });
  await mapLimited(fetched, 4, async (asset) => {
    const key = asset.sha256 ?? asset.path;
    if (!(key in verdicts)) {
      verdicts[key] = asset.bytes === 0 ? 'the file is empty (0 bytes)' : await loadImageTensorData(asset.path, 64).then(() => null, (e: Error) => e.message);
    }
    progress.tick();
  });
  progress.finish();
  await writeFileAtomic(verdictFile, JSON.stringify(verdicts));
  const result: CheckedImages = { gallery: [], dataset: [], skipped: [] };
  all.forEach((source, i) => {
    const asset = fetched[i];
    const reason = verdicts[asset.sha256 ?? asset.path];
    if (reason) result.skipped.push({ id: source.id, file: asset.path, reason });
    else (i < sources.gallery.length ? result.gallery : result.dataset).push({ ...source, file: asset.path, sha256: asset.sha256 ?? '' });
  });
  for (const s of result.skipped) ctx.log.warn(`skipping image ${s.id} (${s.file}): ${s.reason}`);
  if (result.skipped.length) ctx.log.warn(`${result.skipped.length} image(s) skipped; the build goes on without them`);
  return result;
}
