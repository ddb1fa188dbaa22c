import { z } from 'zod';
import { box, id, imageFileSchema, keyed, num, pos, spriteSheetSchema } from './schema-parts.ts';

/**
 * The unit atlas: per-unit records (one file each, so `npm run atlas` can fill them in unit by unit
 * and resume), per-class class models, and per-layer tags.
 */

const perUnit = { model: id, layer: id, unit: z.number().int().nonnegative(), ...keyed };

/** Top-9 dataset patches and their deconvnet projections (Zeiler & Fergus Fig. 2). */
export const unitPatchesSchema = z
  .object({
    ...perUnit,
    dataset: id,
    /** Sheet tiles: the k receptive-field patches, then the k projections, in `items` order. */
    sheet: spriteSheetSchema,
    items: z.array(z.object({ image: id, value: num, pre: num, pos, box }).strict()),
    /**
     * Mean pairwise Pearson correlation of the projections, each in a receptive-field window centred on
     * its unit: near 1 when the deconvnet ignores the image (no max-pool switches), lower with switches.
     */
    projectionSimilarity: num.nullable().optional(),
  })
  .strict();

const visImage = z.object({ image: imageFileSchema, reachedMean: num, reachedMax: num }).strict();

/**
 * Feature visualization (channel objective). quality = reachedMean / bestMean, the unit's best
 * spatial-mean activation over the dataset: far below 1 flags a failed optimization.
 */
export const featureVisSchema = z
  .object({
    ...perUnit,
    ...visImage.shape,
    history: z.array(num),
    /** Best spatial-mean and single activation of the unit over the dataset (null without a dataset). */
    bestMean: num.nullable(),
    bestMax: num.nullable(),
    quality: num.nullable(),
  })
  .strict();

/** Featured units: the negative direction and a diverse batch. */
export const featureVisExtrasSchema = z
  .object({
    ...perUnit,
    negative: visImage,
    diversity: z.array(visImage),
    similarity: num,
  })
  .strict();

export const classModelSchema = z
  .object({
    model: id,
    classIndex: z.number().int().nonnegative(),
    label: z.string(),
    images: z.array(
      z
        .object({ method: z.enum(['lucid', 'simonyan']), image: imageFileSchema, score: num, probability: num, steps: z.number().int() })
        .strict(),
    ),
    ...keyed,
  })
  .strict();

export const tagSchema = z.object({ tag: z.string(), kind: z.enum(['class', 'color', 'pattern']), score: num, evidence: z.string() }).strict();

/** Searchable tags of every unit of a layer, each with the evidence behind it. */
export const unitTagsSchema = z
  .object({
    model: id,
    layer: id,
    units: z.array(z.object({ unit: z.number().int(), tags: z.array(tagSchema), sources: z.array(z.string()) }).strict()),
    ...keyed,
  })
  .strict();

/** Units pages feature (the home page's striking units, the config's list): covered in full by default. */
export const featuredUnitsSchema = z
  .object({
    model: id,
    units: z.array(z.object({ layer: id, unit: z.number().int(), image: id.nullable(), selectivity: num.nullable(), reason: z.string() }).strict()),
  })
  .strict();

export type FeaturedUnitsRecord = z.infer<typeof featuredUnitsSchema>;
export type UnitPatchesRecord = z.infer<typeof unitPatchesSchema>;
export type FeatureVisRecord = z.infer<typeof featureVisSchema>;
export type FeatureVisExtrasRecord = z.infer<typeof featureVisExtrasSchema>;
export type ClassModelRecord = z.infer<typeof classModelSchema>;
export type UnitTagsRecord = z.infer<typeof unitTagsSchema>;
export type TagRecord = z.infer<typeof tagSchema>;

export const ATLAS_KINDS = {
  unitPatches: { pattern: 'atlas/patches/*/*/*.json', schema: unitPatchesSchema },
  featureVis: { pattern: 'atlas/feature-vis/*/*/*.json', schema: featureVisSchema },
  featureVisExtras: { pattern: 'atlas/feature-vis-extras/*/*/*.json', schema: featureVisExtrasSchema },
  classModels: { pattern: 'atlas/class-models/*/*.json', schema: classModelSchema },
  unitTags: { pattern: 'atlas/tags/*/*.json', schema: unitTagsSchema },
  featuredUnits: { pattern: 'atlas/featured/*.json', schema: featuredUnitsSchema },
} as const;
