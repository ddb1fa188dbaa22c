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
    key: z.string(),
    provenance: provenanceSchema,
  })
  .strict();
export type EvolutionRecord = z.infer<typeof evolutionSchema>;

export const TRAINING_KINDS = {
  evolution: { pattern: 'evolution/*.json', schema: evolutionSchema },
} as const;
