import { z } from 'zod';
import { box, id, num, pos, provenanceSchema, spriteSheetSchema } from './schema-parts.ts';

const epochMetrics = z.object({ epoch: z.number().int(), trainLoss: num, trainAccuracy: num, testLoss: num, testAccuracy: num, seconds: num }).strict();

/**
 * Zeiler & Fergus Fig. 4 for a model trained here: for units chosen on the final model, their
 * strongest test-set activation at every checkpoint (patch + deconvnet projection, one two-tile
 * sheet per cell), the first layer's filters at every checkpoint, and the loss/accuracy history.
 */
export const evolutionSchema = z
  .object({
    model: id,
    dataset: id,
    epochs: z.array(z.number().int()),
    history: z.array(epochMetrics),
    trainImages: z.number().int(),
    testImages: z.number().int(),
    settings: z.record(z.string(), z.unknown()),
    imagesPerSecond: num,
    layers: z.array(
      z
        .object({
          layer: id,
          units: z.array(
            z
              .object({
                unit: z.number().int(),
                reason: z.string(),
                cells: z.array(z.object({ epoch: z.number().int(), image: id, value: num, pos, box, sheet: spriteSheetSchema }).strict()),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
    filters: z.array(z.object({ epoch: z.number().int(), sheet: spriteSheetSchema, kernel: z.array(z.number().int()) }).strict()),
    /** Every unit of every conv layer: its strongest test image and receptive-field box per checkpoint (the unit pages' strips). */
    strips: z.array(
      z
        .object({
          layer: id,
          units: z.array(z.object({ unit: z.number().int(), cells: z.array(z.object({ epoch: z.number().int(), image: id, value: num, box }).strict()) }).strict()),
        })
        .strict(),
    ),
    key: z.string(),
    provenance: provenanceSchema,
  })
  .strict();
export type EvolutionRecord = z.infer<typeof evolutionSchema>;

/**
 * Zeiler & Fergus's first-layer fix (their Fig. 6) on the net trained here: the small 5x5 stride-1
 * first layer against the large 9x9 stride-4 one, same data, seed and schedule. Per variant: the
 * first-layer filters, per-filter largest test activation (dead = criterion), second-layer feature
 * maps of the same photos, and test accuracy; `summary` is written from these numbers.
 */
export const ablationSchema = z
  .object({
    model: id,
    dataset: id,
    criterion: z.string(),
    mapLayer: id,
    photos: z.array(id),
    variants: z.array(
      z
        .object({
          name: z.string(),
          first: z.object({ kernel: z.number().int(), stride: z.number().int() }).strict(),
          trainingKey: z.string(),
          epochs: z.number().int(),
          testAccuracy: num,
          testImages: z.number().int(),
          filters: spriteSheetSchema,
          filterLayer: id,
          maxima: z.array(num),
          dead: z.array(z.number().int()),
          maps: z.array(z.object({ image: id, channels: z.number().int(), map: z.array(z.number().int()), sheet: spriteSheetSchema }).strict()),
        })
        .strict(),
    ),
    summary: z.string(),
    key: z.string(),
    provenance: provenanceSchema,
  })
  .strict();
export type AblationRecord = z.infer<typeof ablationSchema>;

export const TRAINING_KINDS = {
  evolution: { pattern: 'evolution/*.json', schema: evolutionSchema },
  ablation: { pattern: 'ablation/*.json', schema: ablationSchema },
} as const;
