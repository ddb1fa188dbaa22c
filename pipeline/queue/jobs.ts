import { z } from 'zod';
import { atlasSettingsSchema } from '../atlas/settings.ts';
import { box, id, num, pos } from '../records/schema-parts.ts';

/**
 * What travels through the queue: plain data, validated on both ends. A job names one of three
 * fixed tasks and its inputs; the worker maps that to its own code, so nothing on the queue is
 * ever run. The model is named by id and content hash and the code by the step's version: a
 * worker with other model files or other code refuses the job instead of filing a wrong record
 * under the coordinator's key.
 */

const common = {
  model: id,
  modelHash: z.string().min(1),
  codeVersion: z.number().int().nonnegative(),
  layer: id,
};
const unit = z.number().int().nonnegative();
const featureVis = atlasSettingsSchema.shape.featureVis;

export const atlasJobSchema = z.discriminatedUnion('task', [
  z.object({ task: z.literal('featureVis'), ...common, units: z.array(unit).min(1).max(64), settings: featureVis }).strict(),
  z.object({ task: z.literal('featureVisExtras'), ...common, unit, settings: featureVis }).strict(),
  z
    .object({
      task: z.literal('unitPatches'),
      ...common,
      unit,
      tile: z.number().int().positive().max(512),
      // Dataset images by id and sha256: the worker finds them in its own copy of the dataset.
      top: z.array(z.object({ image: id, sha256: z.string().regex(/^[0-9a-f]{64}$/), value: num, pre: num, pos, box }).strict()).max(64),
    })
    .strict(),
]);

export type AtlasJob = z.infer<typeof atlasJobSchema>;
export type AtlasTask = AtlasJob['task'];

/** A generated file, by its site path ("generated/atlas/…"), as base64. */
const fileSchema = z
  .object({
    path: z.string().regex(/^generated\/atlas\/(?:[\w.-]+\/)*[\w.-]+\.webp$/, 'a generated atlas image path').refine((p) => !p.split('/').includes('..'), 'no ".." in paths'),
    data: z.string(),
  })
  .strict();

export const atlasJobResultSchema = z
  .object({
    /** The task's own result (the same object the local worker threads return). */
    result: z.record(z.unknown()),
    files: z.array(fileSchema),
    /** The worker's compute backend, for the records' provenance. */
    backend: z.object({ name: z.enum(['tensorflow', 'wasm', 'cpu']), detail: z.string(), tfjsVersion: z.string() }).strict(),
    worker: z.string(),
  })
  .strict();

export type AtlasJobResult = z.infer<typeof atlasJobResultSchema>;
