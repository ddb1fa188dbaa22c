import { existsSync } from 'node:fs';
import path from 'node:path';
import { collectionInfo } from '../assets/catalog.ts';
import { freshRecord, publicPaths, toSiteSrc, writeRecord } from '../records/io.ts';
import { datasetRecordSchema, type DatasetRecord } from '../records/schemas.ts';
import { commitFileAtomic } from '../util/atomic-write.ts';
import { mapLimited } from '../util/map-limited.ts';
import { createProgress } from '../util/progress.ts';
import type { CheckedImage } from './check-images.ts';
import type { BuildContext } from './context.ts';
import { squarePipeline, type Fit } from './gallery-images.ts';
import { provenance, stepKey } from './provenance.ts';

const CODE_VERSION = 1;
export const DATASET_THUMB = 128;
const QUALITY = 72;

/** The dataset's id, name and terms, from the catalog or (for folders) from the folder name. */
export function datasetInfo(ctx: BuildContext): Pick<DatasetRecord, 'id' | 'name' | 'description' | 'license' | 'credit' | 'source'> | null {
  const ds = ctx.config.dataset;
  if (!ds) return null;
  if ('catalog' in ds) {
    const info = collectionInfo(ds.catalog);
    const id = ds.catalog.replace(/^dataset:/, '');
    return { id, name: id, description: info.description, license: info.license, credit: info.credit, source: ds.catalog };
  }
  const id = path.basename(ds.folder).replace(/[^a-z0-9._-]+/gi, '-') || 'dataset';
  return { id, name: id, description: `Images from the folder ${path.basename(ds.folder)}/ (one sub-folder per class).`, license: 'unspecified', credit: '', source: ds.folder };
}

/**
 * One small thumbnail per dataset image (the square the model sees), so unit pages can show which
 * image excited a unit most. Files are named by content hash: an existing file is a finished one.
 */
export async function datasetImages(dataset: CheckedImage[], fit: Fit, ctx: BuildContext): Promise<DatasetRecord | null> {
  const info = datasetInfo(ctx);
  if (!info || dataset.length === 0) return null;
  const pub = publicPaths(ctx.publicDir);
  const params = { size: DATASET_THUMB, quality: QUALITY, fit };
  const key = stepKey('dataset-images', CODE_VERSION, { info, params, images: dataset.map((d) => [d.id, d.sha256, d.className, d.classIndex, d.wnid]) });
  const file = path.join(ctx.recordsDir, 'datasets', `${info.id}.json`);
  const thumbFile = (d: CheckedImage) => path.join(pub.dir, 'datasets', info.id, `${d.id}-${d.sha256.slice(0, 10)}-${fit}-${DATASET_THUMB}.webp`);
  const cached = await freshRecord(file, datasetRecordSchema, key, () => dataset.map(thumbFile));
  if (cached) return cached;
  const startedAt = performance.now();
  const progress = createProgress({ label: 'dataset thumbnails', total: dataset.length, noun: 'images' });
  await mapLimited(dataset, 4, async (d) => {
    const out = thumbFile(d);
    if (!existsSync(out)) {
      await commitFileAtomic(out, async (temp) => {
        await squarePipeline(d.file, DATASET_THUMB, fit).webp({ quality: QUALITY, effort: 4 }).toFile(temp);
      });
    }
    progress.tick();
  });
  progress.finish();
  return writeRecord(file, datasetRecordSchema, {
    ...info,
    fit,
    thumbSize: DATASET_THUMB,
    images: dataset.map((d) => ({ id: d.id, className: d.className, classIndex: d.classIndex, ...(d.wnid && { wnid: d.wnid }), thumb: toSiteSrc(pub, thumbFile(d)) })),
    key,
    provenance: provenance(ctx, { method: 'dataset-thumbnails', codeVersion: CODE_VERSION, params, startedAt }),
  });
}
