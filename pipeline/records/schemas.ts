import { z } from 'zod';
import { TRAINING_KINDS } from './training-schemas.ts';
import { ANALYSIS_KINDS } from './analysis-schemas.ts';
import { ATLAS_KINDS } from './atlas-schemas.ts';
import { EXPERIMENT_KINDS } from './experiment-schemas.ts';
import { MAP_KINDS } from './map-schemas.ts';
import { box, id, imageFileSchema, keyed, num, pos, predictionSchema, provenanceSchema, size, spriteSheetSchema } from './schema-parts.ts';

export { imageFileSchema, predictionSchema, provenanceSchema, spriteSheetSchema };

/**
 * The typed records the pipeline writes under content/generated/ and the site reads through Astro
 * content collections (src/content.config.ts). One schema per record kind, shared by both sides:
 * the pipeline validates before it writes, Astro validates again when it loads, so a record that
 * does not match fails the build naming its file.
 *
 * Paths of generated images are stored relative to the site root ("generated/maps/..."), never as
 * absolute URLs, so the site can be deployed under any base path.
 */

// ---------------------------------------------------------------------------------------------
// Models

export const receptiveFieldSchema = z
  .object({ size: z.tuple([num, num]), jump: z.tuple([num, num]), start: z.tuple([num, num]), global: z.boolean() })
  .strict();

export const layerSchema = z
  .object({
    id,
    index: z.number().int().nonnegative(),
    kind: z.enum(['conv', 'depthwise', 'dense', 'pool', 'add', 'concat', 'logits']),
    className: z.string(),
    nodes: z.array(z.string()),
    shape: z.array(z.number().int()),
    channels: z.number().int().positive(),
    spatial: z.boolean(),
    activation: z.string(),
    receptiveField: receptiveFieldSchema,
    /** Kernel [h, w], strides [h, w] for conv and pool layers. */
    kernel: z.tuple([z.number().int(), z.number().int()]).optional(),
    strides: z.tuple([z.number().int(), z.number().int()]).optional(),
    /** True for layers whose units have feature maps and their own pages. */
    hasMaps: z.boolean(),
  })
  .strict();

export const modelRecordSchema = z
  .object({
    id,
    name: z.string(),
    license: z.string(),
    credit: z.string(),
    contentHash: z.string(),
    inputSize: size,
    preprocess: z.object({ scale: z.unknown(), offset: z.unknown(), channelOrder: z.enum(['rgb', 'bgr']), fit: z.enum(['center-crop', 'squash']) }).strict(),
    classes: z.number().int().positive(),
    labels: z.array(z.string()),
    /** WordNet id per class, when the model has them: maps wnid-labelled dataset images to this model's order. */
    wnids: z.array(z.string()).optional(),
    parameters: z.number().int().nonnegative(),
    layers: z.array(layerSchema).min(1),
    /** files: SHA-256 of each model file as loaded. */
    provenance: z.object({ backend: z.string(), tfjs: z.string(), files: z.record(z.string(), z.string()).optional() }).strict(),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Images

export const fitSchema = z.enum(['center-crop', 'squash']);

/** A showcase photo, model-independent: where it came from, who made it, and its display files. */
export const galleryImageSchema = z
  .object({
    id,
    /** Position in the gallery (config order). */
    order: z.number().int().nonnegative(),
    /** What is in the picture (for ImageNet photos: the expected class). */
    label: z.string(),
    license: z.string(),
    credit: z.string(),
    /** Where it was downloaded from; absent for local files. */
    sourceUrl: z.string().optional(),
    sha256: z.string(),
    original: z.object({ width: z.number().int(), height: z.number().int() }).strict(),
    /** The square the models see, per fit mode, at several sizes (px). */
    views: z.array(imageFileSchema.extend({ fit: fitSchema, size: z.number().int() }).strict()),
    ...keyed,
  })
  .strict();

/** All gallery photos side by side at one small size: one request serves every unit page. */
export const galleryContactSheetSchema = z
  .object({
    id,
    fit: fitSchema,
    /** Gallery image ids in tile order. */
    images: z.array(id),
    sheet: spriteSheetSchema,
    ...keyed,
  })
  .strict();

export const datasetRecordSchema = z
  .object({
    id,
    name: z.string(),
    description: z.string(),
    license: z.string(),
    credit: z.string(),
    /** Catalog collection name, or the folder it was read from. */
    source: z.string(),
    fit: fitSchema,
    thumbSize: z.number().int(),
    images: z.array(
      z
        .object({
          id,
          className: z.string().optional(),
          classIndex: z.number().int().optional(),
          /** WordNet id (ImageNet datasets): the class in the order of a model that has wnids. */
          wnid: z.string().optional(),
          /** Thumbnail of the square the model sees. */
          thumb: z.string(),
        })
        .strict(),
    ),
    ...keyed,
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Per (model, gallery image): predictions and one feature-map sprite sheet per layer


export const layerMapsSchema = z
  .object({
    layer: id,
    channels: z.number().int().positive(),
    /** Feature map size [h, w] in units; tiles are these scaled by `scale` (nearest neighbour). */
    map: size,
    scale: num,
    sheet: spriteSheetSchema,
    /** JSON index next to the sheet with per-channel min/max/mean (sheetIndexSchema). */
    index: z.string(),
    /** The layer's strongest unit on this image (largest value before the rectifier; ties: lower unit), its output and that value. */
    max: num,
    maxUnit: z.number().int(),
    preMax: num,
  })
  .strict();

export const imageMapsSchema = z
  .object({
    model: id,
    image: id,
    fit: fitSchema,
    predictions: z.array(predictionSchema),
    layers: z.array(layerMapsSchema),
    ...keyed,
  })
  .strict();

/** Served as JSON beside each sprite sheet (public), for scripts and reuse. */
export const sheetIndexSchema = z
  .object({
    model: id,
    image: id,
    layer: id,
    /** How tiles were normalised for display. */
    normalization: z.literal('per-channel min-max'),
    colormap: z.string(),
    map: size,
    scale: num,
    cols: z.number().int(),
    rows: z.number().int(),
    tile: size,
    min: z.array(num),
    max: z.array(num),
    mean: z.array(num),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Per (model, layer): unit views over the gallery, dataset statistics, filter weights

export const unitViewsSchema = z
  .object({
    model: id,
    layer: id,
    fit: fitSchema,
    /** Gallery image ids; `units[].ranking` and `imageMax` index into this. */
    images: z.array(id),
    /**
     * Colour map of the layer's sheets. Unit pages cut a unit's map on each photo from that photo's
     * feature-map sheet (image-maps), where every map is normalised to its own range.
     */
    colormap: z.string(),
    /** Each unit's map on the gallery image it responds to most, normalised per map. */
    thumbs: spriteSheetSchema,
    /** A handful of the layer's most active units in one small row (model page strip). */
    preview: imageFileSchema.extend({ units: z.array(z.number().int()), tile: size }).strict(),
    units: z.array(
      z
        .object({
          index: z.number().int(),
          /** Largest activation over the gallery; the image it is strongest on (ranking/RANKING_RULE), and where. */
          max: num,
          /** Largest value before the rectifier over the gallery (what rankings compare). */
          preMax: num,
          bestImage: id,
          bestPos: pos,
          bestBox: box,
          /** Max activation per gallery image, in `images` order; and before the rectifier. */
          imageMax: z.array(num),
          imagePreMax: z.array(num),
          /** Gallery indices (into `images`), strongest first by RANKING_RULE: the order the unit page lists them in. */
          ranking: z.array(z.number().int()),
        })
        .strict(),
    ),
    ...keyed,
  })
  .strict();

/** `value`: the output at the unit's strongest position; `pre`: the value before the rectifier there, which ranks the images. */
export const topActivationSchema = z.object({ image: id, value: num, pre: num, pos: pos.optional(), box: box.optional() }).strict();

export const unitStatsSchema = z
  .object({
    model: id,
    layer: id,
    dataset: id,
    count: z.number().int(),
    units: z.array(
      z
        .object({
          index: z.number().int(),
          /** Mean over images of the spatial mean of the map. */
          mean: num,
          /** Largest single activation over the dataset; and before the rectifier (what rankings compare). */
          max: num,
          preMax: num,
          /** How many of `top` tie exactly with the entry before them (value before the rectifier and map mean): ordered by SHA-256 alone. */
          ties: z.number().int(),
          /** Share of images on which the unit is positive anywhere. */
          active: num,
          /** The 9 images with the strongest activation (one entry per image), strongest first by RANKING_RULE. */
          top: z.array(topActivationSchema),
          /** Most similar units in the layer: Pearson correlation of per-image mean activations. */
          neighbours: z.array(z.object({ unit: z.number().int(), similarity: num }).strict()),
          /** Per-image maximum activation over the dataset: counts in equal bins from lo to hi. */
          histogram: z.object({ lo: num, hi: num, counts: z.array(z.number().int()) }).strict(),
        })
        .strict(),
    ),
    ...keyed,
  })
  .strict();

export const modelEvalSchema = z
  .object({
    model: id,
    dataset: id,
    count: z.number().int(),
    /** Images with a known class index the model can be scored on. */
    scored: z.number().int(),
    top1: num.nullable(),
    top5: num.nullable(),
    ...keyed,
  })
  .strict();

export const filterWeightsSchema = z
  .object({
    model: id,
    layer: id,
    /** Kernel [h, w, input channels]. */
    kernel: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
    /** Per-filter symmetric scaling: grey is 0, full colour is the filter's largest |weight|. */
    normalization: z.literal('per-filter max |w|'),
    sheet: spriteSheetSchema,
    /** Larger tiles for unit pages. */
    large: spriteSheetSchema,
    units: z.array(z.object({ index: z.number().int(), maxAbs: num, norm: num, weights: z.array(num) }).strict()),
    ...keyed,
  })
  .strict();

export type Provenance = z.infer<typeof provenanceSchema>;
export type ImageFile = z.infer<typeof imageFileSchema>;
export type SpriteSheet = z.infer<typeof spriteSheetSchema>;
export type ModelRecord = z.infer<typeof modelRecordSchema>;
export type LayerRecord = z.infer<typeof layerSchema>;
export type GalleryImageRecord = z.infer<typeof galleryImageSchema>;
export type GalleryContactSheet = z.infer<typeof galleryContactSheetSchema>;
export type DatasetRecord = z.infer<typeof datasetRecordSchema>;
export type ImageMapsRecord = z.infer<typeof imageMapsSchema>;
export type LayerMaps = z.infer<typeof layerMapsSchema>;
export type SheetIndex = z.infer<typeof sheetIndexSchema>;
export type UnitViewsRecord = z.infer<typeof unitViewsSchema>;
export type UnitStatsRecord = z.infer<typeof unitStatsSchema>;
export type ModelEvalRecord = z.infer<typeof modelEvalSchema>;
export type FilterWeightsRecord = z.infer<typeof filterWeightsSchema>;
export type Prediction = z.infer<typeof predictionSchema>;

/**
 * Where each record kind lives under the records directory: the glob Astro loads and the schema
 * both sides validate against. Entry ids are the path without ".json".
 */
export const RECORD_KINDS = {
  models: { pattern: 'models/*.json', schema: modelRecordSchema },
  gallery: { pattern: 'gallery/*.json', schema: galleryImageSchema },
  contactSheets: { pattern: 'contact-sheets/*.json', schema: galleryContactSheetSchema },
  datasets: { pattern: 'datasets/*.json', schema: datasetRecordSchema },
  imageMaps: { pattern: 'image-maps/*/*.json', schema: imageMapsSchema },
  unitViews: { pattern: 'unit-views/*/*.json', schema: unitViewsSchema },
  unitStats: { pattern: 'unit-stats/*/*.json', schema: unitStatsSchema },
  modelEval: { pattern: 'model-eval/*.json', schema: modelEvalSchema },
  filters: { pattern: 'filters/*/*.json', schema: filterWeightsSchema },
  ...ANALYSIS_KINDS,
  ...ATLAS_KINDS,
  ...EXPERIMENT_KINDS,
  ...MAP_KINDS,
  ...TRAINING_KINDS,
} as const;

export type RecordKind = keyof typeof RECORD_KINDS;
