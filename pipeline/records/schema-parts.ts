import { z } from 'zod';

/** Building blocks shared by every record schema. */

export const id = z.string().min(1);
export const num = z.number().finite();
export const pos = z.tuple([z.number().int(), z.number().int()]);
/** Inclusive input-pixel box [y0, x0, y1, x1] of a unit's receptive field, clipped to the image. */
export const box = z.tuple([z.number(), z.number(), z.number(), z.number()]);
export const size = z.tuple([z.number().int().positive(), z.number().int().positive()]);

/** How a generated artefact was made. Every image the site shows can be traced to one of these. */
export const provenanceSchema = z
  .object({
    /** What produced it, e.g. "feature-maps", "unit-stats", "filter-weights". */
    method: z.string(),
    model: z.string().optional(),
    layer: z.string().optional(),
    unit: z.number().int().optional(),
    image: z.string().optional(),
    /** Everything that changes the output (sizes, normalisation, batch size, ...). */
    params: z.record(z.string(), z.unknown()),
    /** Random seed where randomness is involved; null for deterministic methods. */
    seed: z.number().int().nullable(),
    backend: z.string(),
    tfjs: z.string(),
    /** Version constant of the step's code: bumping it invalidates cached outputs. */
    codeVersion: z.number().int(),
    createdAt: z.string(),
    durationMs: num,
  })
  .strict();

/** Cache key: hash of the inputs (model contentHash, image sha256s), the params and the code version. */
export const keyed = { key: z.string().length(64), provenance: provenanceSchema };

/** A picture file with its pixel size, for <img width height> and sprite arithmetic. */
export const imageFileSchema = z.object({ src: z.string(), width: z.number().int(), height: z.number().int(), bytes: z.number().int() }).strict();

/** A grid of equal tiles in one image: tile i sits at column i % cols, row floor(i / cols). */
export const spriteSheetSchema = imageFileSchema
  .extend({
    cols: z.number().int().positive(),
    rows: z.number().int().positive(),
    count: z.number().int().nonnegative(),
    /** Tile size in pixels [height, width]. */
    tile: size,
  })
  .strict();


export const predictionSchema = z.object({ index: z.number().int(), label: z.string(), probability: num }).strict();
