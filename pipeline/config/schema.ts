import { z } from 'zod';
import { analysisOverridesSchema } from '../analyses/settings.ts';
import { atlasOverridesSchema } from '../atlas/settings.ts';
import { preprocessSchema } from '../assets/preprocess.ts';
import { mapOverridesSchema } from '../embedding/map-config.ts';
import { experimentOverridesSchema } from '../experiments/experiment-config.ts';

/**
 * The user config (atlas.config.ts). Objects are strict so that a misspelt field is reported
 * instead of silently ignored. Sections that accept one of several forms are single objects with
 * a "pick exactly one" rule, which keeps error messages pointed at the actual field.
 */

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'use letters, digits, ".", "_" or "-" (it becomes part of file names and URLs)');

const sha256 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected a 64-character hex sha256');

const exactlyOne =
  (keys: string[]) =>
  (value: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    const present = keys.filter((k) => value[k] !== undefined);
    if (present.length === 1) return;
    const message = present.length ? `use only one of ${present.join(', ')}` : `needs one of ${keys.join(', ')}`;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message, path: present.length ? [present[1]] : [] });
  };

const labelList = z.union([
  z.string().min(1),
  z.array(z.string()).min(1),
  z.object({ file: z.string().min(1), lines: z.number().int().positive() }).strict(),
]);

export const datasetSchema = z
  .object({
    catalog: z.string().startsWith('dataset:', 'dataset collections are named "dataset:..."').optional(),
    /** Images in class sub-folders (ImageFolder layout: <folder>/<class>/<image>). */
    folder: z.string().min(1).optional(),
    /** Use only the first N images (in catalog / name order), e.g. for quick builds. */
    limit: z.number().int().positive().optional(),
  })
  .strict()
  .superRefine(exactlyOne(['catalog', 'folder']));

export const modelSchema = z
  .object({
    id,
    /** Shown on the site; defaults to the id. */
    name: z.string().optional(),
    /** A model collection of the built-in catalog, e.g. 'model:mobilenet_v1_0.75_224'. */
    catalog: z.string().startsWith('model:', 'catalog models are named "model:..."').optional(),
    /** A TensorFlow.js layers model.json: https URL, or a path relative to this config file. */
    modelUrl: z.string().min(1).optional(),
    /** A model this project trains at build time ('cifar10': the small CIFAR-10 convnet of pipeline/training). */
    trained: z.literal('cifar10').optional(),
    /** Class names: inline, or a .json (array or {labels}) / .txt (one per line) file or URL, or {file, lines}: its first N lines. */
    labels: labelList.optional(),
    /** WordNet id of each class (same forms): maps a wnid-labelled dataset (the ImageNet sample) onto this model's class order. */
    wnids: labelList.optional(),
    /** Square input side in pixels; default read from model.json, else 224. */
    inputSize: z.number().int().positive().optional(),
    /** Fields given here override the catalog's (or, for modelUrl, the MobileNet default [-1, 1]). */
    preprocess: preprocessSchema.partial().optional(),
    /** Pins for modelUrl files, keyed by path relative to model.json ('model.json', 'group1-shard1of1', ...). */
    sha256: z.record(z.string(), sha256).optional(),
    license: z.string().optional(),
    credit: z.string().optional(),
    /** Settings for this model only, over the top-level `analyses` / `atlas` (e.g. a heavier model's lighter defaults). */
    analyses: analysisOverridesSchema.optional(),
    atlas: atlasOverridesSchema.optional(),
    /** This model's own dataset (e.g. CIFAR-10 test images for a 32 px CIFAR model) instead of the config's. */
    dataset: datasetSchema.optional(),
  })
  .strict()
  .superRefine(exactlyOne(['catalog', 'modelUrl', 'trained']))
  .superRefine((value, ctx) => {
    if (value.catalog && value.sha256) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'catalog files are pinned by the catalog; sha256 is only for modelUrl', path: ['sha256'] });
    }
  });

export const imageItemSchema = z.union([
  z.string().min(1),
  z
    .object({
      /** File, folder, or https URL. */
      url: z.string().min(1),
      id: id.optional(),
      sha256: sha256.optional(),
      label: z.string().optional(),
      license: z.string().optional(),
      credit: z.string().optional(),
    })
    .strict(),
]);

export const imagesSchema = z
  .object({
    /** The curated gallery; `false` leaves it out. */
    showcase: z.union([z.object({ catalog: z.string().startsWith('images:') }).strict(), z.literal(false)]).optional(),
    /** More pictures: folders (searched recursively), files, or URLs. */
    extra: z.array(imageItemSchema).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    /** Offline mirror (layout <host>/<path>); `null` turns it off. Env ATLAS_MIRROR overrides. */
    mirror: z.string().min(1).nullable().optional(),
    /** Download cache; default <repo>/.atlas/cache. Env ATLAS_CACHE overrides. */
    cacheDir: z.string().min(1).optional(),
    models: z.array(modelSchema).min(1).optional(),
    images: imagesSchema.optional(),
    /** Images scored for accuracy and per-class views; `false` for none. */
    dataset: z.union([datasetSchema, z.literal(false)]).optional(),
    /** Per-image analyses (deconvnet, Grad-CAM, occlusion, ...): any setting overrides its default. */
    analyses: analysisOverridesSchema.optional(),
    /** Unit atlas (feature visualization, top-9 patches, class models): any setting overrides its default. */
    atlas: atlasOverridesSchema.optional(),
    /** Embedding maps: which layouts the per-layer unit maps compute. */
    maps: mapOverridesSchema.optional(),
    /** Zeiler & Fergus experiments: the transfer probe's CIFAR-10 sizes. */
    experiments: experimentOverridesSchema.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    value.models?.forEach((model, i) => {
      if (seen.has(model.id)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `duplicate model id "${model.id}"`, path: ['models', i, 'id'] });
      seen.add(model.id);
    });
  });

export type AtlasConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type ImageItemConfig = z.output<typeof imageItemSchema>;
export type DatasetConfig = z.output<typeof datasetSchema>;
