import { z } from 'zod';
import { box, id, imageFileSchema, keyed, num, pos, predictionSchema, size, spriteSheetSchema } from './schema-parts.ts';

/**
 * Per (model, gallery image) analyses, one record per method so that changing one method's
 * parameters recomputes only that method (each record carries its own key and provenance).
 * Files live at analyses/<method>/<model>/<image>.json.
 */

const perImage = { model: id, image: id, ...keyed };

/** A unit of a layer at a position, with its activation and receptive-field box. */
/** A unit at its strongest position on the photo; `value` is taken before the rectifier. */
const unitAt = z.object({ unit: z.number().int(), pos, value: num, box }).strict();

/**
 * Units are ranked and targeted by their value before the layer's rectifier (`value`), so units
 * saturated at ReLU6's cap still differ and still pass a gradient.
 *
 * Zeiler & Fergus deconvnet projections of each layer's 9 strongest units (single strongest
 * activation each), next to the photo patch under the unit's receptive field, plus guided
 * backprop and saliency for the same units, signed and absolute. One sheet per layer: row = unit,
 * column = `columns[i]`; tiles show the receptive-field box, resized to `tile`.
 */
export const projectionsSchema = z
  .object({
    ...perImage,
    columns: z.array(z.string()),
    tile: size,
    /** The same renderings for the top predicted class, over the whole image. */
    classTarget: predictionSchema,
    classColumns: z.array(z.string()),
    classSheet: spriteSheetSchema,
    layers: z.array(z.object({ layer: id, sheet: spriteSheetSchema, units: z.array(unitAt) }).strict()),
    /** Guided backprop and saliency cover the first this many units of each layer (the rest: deconvnet only). */
    attributionUnits: z.number().int(),
    /** Backward passes run (one per unit and rule, plus the class ones). */
    backwardPasses: z.number().int(),
  })
  .strict();

/** A scalar map over a grid, stored row-major, with its range. */
const gridMap = z.object({ min: num, max: num, values: z.array(num) }).strict();

/** Grad-CAM for the top classes at a few layers: overlays in a sheet (row = layer, column = class). */
export const gradcamSchema = z
  .object({
    ...perImage,
    colormap: z.string(),
    /** Legend colour stops (hex), low to high. */
    legend: z.array(z.string()),
    alpha: num,
    sheet: spriteSheetSchema,
    classes: z.array(predictionSchema),
    layers: z.array(z.object({ layer: id, map: size, cams: z.array(gridMap) }).strict()),
  })
  .strict();

export const occlusionReadoutSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('class'), index: z.number().int(), label: z.string(), role: z.enum(['top-1', 'true class']), baseline: num }).strict(),
  /** The total activation (sum over positions) of the feature map with the largest total on the photo. */
  z.object({ kind: z.literal('unit'), layer: id, unit: z.number().int(), baseline: num }).strict(),
]);

/**
 * Occlusion sensitivity: a grey square slid over the photo, one sweep per (size, stride); every map
 * is a readout (class probability or a unit's strongest activation) as a function of the square's
 * position. Sheet: row = sweep, column = readout, each tile the map overlaid on the photo.
 */
export const occlusionSchema = z
  .object({
    ...perImage,
    /** Input value of the grey square (after preprocessing). */
    fill: num,
    colormap: z.string(),
    legend: z.array(z.string()),
    sheet: spriteSheetSchema,
    readouts: z.array(occlusionReadoutSchema),
    sweeps: z.array(
      z
        .object({
          size: z.number().int(),
          stride: z.number().int(),
          /** The same as fractions of the input side, so other input sizes can scale them. */
          fraction: z.tuple([num, num]),
          rows: z.number().int(),
          cols: z.number().int(),
          forwardPasses: z.number().int(),
          ms: num,
          maps: z.array(gridMap),
        })
        .strict(),
    ),
  })
  .strict();

/** DeepDream at several layers; the sheet's first tile is the photo ("before"), then one per layer. */
export const deepdreamSchema = z
  .object({
    ...perImage,
    sheet: spriteSheetSchema,
    dreams: z.array(z.object({ layer: id, objectiveStart: num, objectiveEnd: num, gradientSteps: z.number().int(), ms: num }).strict()),
  })
  .strict();

/** Zeiler & Fergus Fig. 5: feature-vector distance and class probability under transformations. */
export const invarianceSchema = z
  .object({
    ...perImage,
    layers: z.array(id),
    target: predictionSchema.extend({ role: z.enum(['top-1', 'true class']) }),
    curves: z.array(
      z
        .object({
          kind: z.enum(['translate', 'rotate', 'scale']),
          unit: z.string(),
          amounts: z.array(num),
          distance: z.record(z.string(), z.array(num)),
          probability: z.array(num),
        })
        .strict(),
    ),
    /** A few transformed inputs per kind, to show what the network saw. */
    examples: spriteSheetSchema,
    exampleAmounts: z.array(z.object({ kind: z.string(), amount: num }).strict()),
    forwardPasses: z.number().int(),
  })
  .strict();

/** Receptive-field boxes of the most active units of a few late layers, drawn on the photo. */
export const patchDetectionSchema = z
  .object({
    ...perImage,
    drawing: imageFileSchema,
    layers: z.array(z.object({ layer: id, color: z.string(), units: z.array(unitAt) }).strict()),
  })
  .strict();

export type ProjectionsRecord = z.infer<typeof projectionsSchema>;
export type GradcamRecord = z.infer<typeof gradcamSchema>;
export type OcclusionRecord = z.infer<typeof occlusionSchema>;
export type OcclusionReadout = z.infer<typeof occlusionReadoutSchema>;
export type DeepdreamRecord = z.infer<typeof deepdreamSchema>;
export type InvarianceRecord = z.infer<typeof invarianceSchema>;
export type PatchDetectionRecord = z.infer<typeof patchDetectionSchema>;

export const ANALYSIS_KINDS = {
  projections: { pattern: 'analyses/projections/*/*.json', schema: projectionsSchema },
  gradcam: { pattern: 'analyses/gradcam/*/*.json', schema: gradcamSchema },
  occlusion: { pattern: 'analyses/occlusion/*/*.json', schema: occlusionSchema },
  deepdream: { pattern: 'analyses/deepdream/*/*.json', schema: deepdreamSchema },
  invariance: { pattern: 'analyses/invariance/*/*.json', schema: invarianceSchema },
  patchDetection: { pattern: 'analyses/patch-detection/*/*.json', schema: patchDetectionSchema },
} as const;
