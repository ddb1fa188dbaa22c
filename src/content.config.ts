import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import path from 'node:path';
import { RECORD_KINDS, type RecordKind } from '../pipeline/records/schemas.ts';

/**
 * Every record kind the pipeline writes is one content collection, validated with the same zod
 * schema the pipeline used before writing. Entry ids are file paths without ".json"
 * (e.g. "mobilenet_v1_0.75_224/conv1"). ATLAS_RECORDS_DIR points at another records directory.
 */
const recordsDir = process.env.ATLAS_RECORDS_DIR ?? path.resolve('content/generated');

function recordCollection(kind: RecordKind) {
  const { pattern, schema } = RECORD_KINDS[kind];
  return defineCollection({
    loader: glob({ pattern, base: recordsDir, generateId: ({ entry }) => entry.replace(/\.json$/, '') }),
    schema,
  });
}

export const collections = {
  models: recordCollection('models'),
  gallery: recordCollection('gallery'),
  contactSheets: recordCollection('contactSheets'),
  datasets: recordCollection('datasets'),
  imageMaps: recordCollection('imageMaps'),
  unitViews: recordCollection('unitViews'),
  unitStats: recordCollection('unitStats'),
  modelEval: recordCollection('modelEval'),
  filters: recordCollection('filters'),
};
