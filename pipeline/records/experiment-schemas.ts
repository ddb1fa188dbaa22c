import { z } from 'zod';
import { id, imageFileSchema, keyed, num } from './schema-parts.ts';

/**
 * Zeiler & Fergus's two remaining experiments, one record per model: part correspondence (Sec. 4.4,
 * Table 1) and transfer by layer (Sec. 5).
 */

const partDelta = z.object({ rightEye: num, leftEye: num, nose: num }).strict();

export const correspondenceSchema = z
  .object({
    model: id,
    /** Input-pixel rectangles [x0, y0, x1, y1) per photo, and the photos with each part greyed out. */
    images: z.array(
      z
        .object({
          id,
          label: z.string(),
          credit: z.string(),
          license: z.string(),
          rects: z.object({ rightEye: z.array(z.number().int()), leftEye: z.array(z.number().int()), nose: z.array(z.number().int()), random: z.array(z.number().int()) }).strict(),
          original: imageFileSchema,
          occluded: z.object({ rightEye: imageFileSchema, leftEye: imageFileSchema, nose: imageFileSchema, random: imageFileSchema }).strict(),
        })
        .strict(),
    ),
    layers: z.array(
      z
        .object({
          layer: id,
          /** 'early' | 'middle' | 'last conv' | 'logits' */
          role: z.string(),
          /** Values in the layer's feature vector (H·W·C). */
          dims: z.number().int().positive(),
          delta: partDelta,
          random: z.object({ mean: num, sd: num, draws: z.array(num) }).strict(),
        })
        .strict(),
    ),
    /** Largest possible Δ: n(n−1) ordered pairs, each at most 1. */
    maxDelta: num,
    summary: z.string(),
    ...keyed,
  })
  .strict();

const probeLayer = z.object({ layer: id, index: z.number().int().nonnegative(), dims: z.number().int().positive(), accuracy: num, trainAccuracy: num }).strict();

export const transferSchema = z
  .object({
    model: id,
    datasets: z.array(
      z
        .object({
          id,
          name: z.string(),
          classes: z.array(z.string()),
          chance: num,
          train: z.number().int().positive(),
          test: z.number().int().positive(),
          split: z.string(),
          source: z.string(),
          license: z.string(),
          layers: z.array(probeLayer),
        })
        .strict(),
    ),
    probe: z.object({ l2: num, steps: z.number().int(), learningRate: num, features: z.string() }).strict(),
    /** Seconds spent extracting features and fitting probes. */
    extractSeconds: num,
    fitSeconds: num,
    summary: z.string(),
    ...keyed,
  })
  .strict();

export type CorrespondenceRecord = z.infer<typeof correspondenceSchema>;
export type TransferRecord = z.infer<typeof transferSchema>;

export const EXPERIMENT_KINDS = {
  correspondence: { pattern: 'experiments/correspondence/*.json', schema: correspondenceSchema },
  transfer: { pattern: 'experiments/transfer/*.json', schema: transferSchema },
} as const;
