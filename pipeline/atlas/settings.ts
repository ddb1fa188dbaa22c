import { z } from 'zod';
import { mergeSettings, overridesSchema, type Overrides } from '../config/settings-overrides.ts';

/**
 * Settings of the unit atlas: which units get feature visualizations and top-9 patch projections
 * by default, the feature-visualization recipe, and the class models. Every field is part of the
 * cache key of what it affects.
 */

export const atlasSettingsSchema = z
  .object({
    /** The default build covers the first this many units of every layer with feature maps... */
    unitsPerLayer: z.number().int().nonnegative(),
    /**
     * ...plus these ("layer:unit", layer by id or position: first, middle, last-conv, 0.25), which
     * also get the negative direction and a diverse batch of 4.
     */
    featured: z.array(z.string().regex(/^[^:]+:\d+$/, 'use "layer:unit", e.g. "conv_pw_13:12"')),
    /** How many striking units (one per layer, across the depth) the home page features. */
    strikingUnits: z.number().int().nonnegative(),
    featureVis: z
      .object({
        size: z.number().int().min(16),
        steps: z.number().int().positive(),
        lr: z.number().positive(),
        seed: z.number().int(),
        /** Units of one layer optimized together in one batch. */
        batch: z.number().int().positive(),
        /** Diversity batch size and weight (Lucid: 4 and 100). */
        diversity: z.number().int().min(2),
        diversityWeight: z.number().nonnegative(),
      })
      .strict(),
    patches: z.object({ tile: z.number().int().positive() }).strict(),
    classModels: z
      .object({
        /** "gallery": the classes the gallery photos show or are predicted as; or explicit class indices. */
        classes: z.union([z.literal('gallery'), z.array(z.number().int().nonnegative())]),
        /** lucid: Fourier + transforms (the default); simonyan: pixel-space ascent with Yosinski's regularizers. */
        methods: z.array(z.enum(['lucid', 'simonyan'])),
        size: z.number().int().min(16),
        steps: z.number().int().positive(),
        simonyanSteps: z.number().int().positive(),
        seed: z.number().int(),
      })
      .strict(),
  })
  .strict();

export type AtlasSettings = z.infer<typeof atlasSettingsSchema>;

/**
 * Lucid renders 512 steps at 128 px; on 2 cores without a GPU that alone would take ~25 min for
 * 8 units of every MobileNet layer, the whole budget of the default build. The default is half the
 * steps at 96 px (transform amounts scale with the size); set featureVis { steps: 512, size: 128 }
 * for Lucid's recipe.
 */
export const DEFAULT_ATLAS_SETTINGS: AtlasSettings = {
  unitsPerLayer: 4,
  featured: [],
  strikingUnits: 3,
  featureVis: { size: 96, steps: 256, lr: 0.05, seed: 0, batch: 8, diversity: 4, diversityWeight: 100 },
  patches: { tile: 64 },
  classModels: { classes: 'gallery', methods: ['lucid'], size: 96, steps: 192, simonyanSteps: 200, seed: 0 },
};

/** Config overrides: any field, nested sections field by field, the rest from the defaults. */
export const atlasOverridesSchema = overridesSchema(atlasSettingsSchema);

export function resolveAtlasSettings(overrides: Overrides<AtlasSettings> = {}): AtlasSettings {
  return mergeSettings(DEFAULT_ATLAS_SETTINGS, overrides);
}
