import { z } from 'zod';
import { mergeSettings, overridesSchema, type Overrides } from '../config/settings-overrides.ts';
import { ZEILER_FERGUS_RANGES } from '../methods/invariance-ranges.ts';

/**
 * Settings of the per-image analyses (issue: deconvnet, saliency, guided backprop, Grad-CAM,
 * occlusion, DeepDream, invariance, patch detection). Every field is part of its method's cache
 * key, so changing one recomputes only that method. Layer lists may name layers by id or by a
 * relative position: "first", "last", "last-conv", "middle", or a fraction like "0.5".
 */

const layerRef = z.string().min(1);

export const analysisSettingsSchema = z
  .object({
    /** Methods to run; leaving one out skips it (its page section then says so). */
    methods: z.array(z.enum(['projections', 'gradcam', 'occlusion', 'deepdream', 'invariance', 'patchDetection'])),
    /** How many gallery photos (the first, in gallery order) get these analyses; the other photos' pages name the command. */
    images: z.union([z.literal('all'), z.number().int().nonnegative()]),
    projections: z
      .object({
        /** Strongest units per layer to project with the deconvnet (Zeiler & Fergus show 9). */
        units: z.number().int().positive(),
        /** Of those, how many (strongest first) also get guided backprop and saliency. */
        attributionUnits: z.number().int().nonnegative(),
        /** Tile side in px of each receptive-field crop. */
        tile: z.number().int().positive(),
        /** Layers to cover: "all" or a list. */
        layers: z.union([z.literal('all'), z.array(layerRef)]),
      })
      .strict(),
    gradcam: z.object({ classes: z.number().int().positive(), layers: z.array(layerRef), colormap: z.enum(['viridis', 'inferno']), alpha: z.number() }).strict(),
    occlusion: z
      .object({
        /** (size, stride) pairs in pixels of `referenceSide` (the seed report's VGG16 input), scaled to the model's input. */
        pairs: z.array(z.tuple([z.number().positive(), z.number().positive()])),
        referenceSide: z.number().int().positive(),
        /** Pairs whose sweep needs more forward passes than this run only for the first `fineImages` images. */
        fineLimit: z.number().int().positive(),
        fineImages: z.number().int().nonnegative(),
        batch: z.number().int().positive(),
        colormap: z.enum(['viridis', 'inferno']),
        /** Layer of the unit whose strongest activation is also mapped (Zeiler & Fergus Fig. 7). */
        unitLayer: layerRef,
      })
      .strict(),
    deepdream: z
      .object({
        layers: z.array(layerRef),
        octaves: z.number().int().positive(),
        octaveScale: z.number().positive(),
        steps: z.number().int().positive(),
        stepSize: z.number().positive(),
        jitter: z.number().int().nonnegative(),
        seed: z.number().int(),
      })
      .strict(),
    invariance: z
      .object({
        layers: z.array(layerRef),
        translate: z.array(z.number()),
        rotate: z.array(z.number()),
        scale: z.array(z.number()),
      })
      .strict(),
    patchDetection: z
      .object({
        /** The last layers whose receptive field is at most this fraction of the input side (later ones cover everything). */
        maxFieldFraction: z.number().positive(),
        layers: z.number().int().positive(),
        units: z.number().int().positive(),
      })
      .strict(),
  })
  .strict();

export type AnalysisSettings = z.infer<typeof analysisSettingsSchema>;
export type AnalysisMethod = AnalysisSettings['methods'][number];

export const DEFAULT_ANALYSIS_SETTINGS: AnalysisSettings = {
  methods: ['projections', 'gradcam', 'occlusion', 'deepdream', 'invariance', 'patchDetection'],
  images: 'all',
  projections: { units: 9, attributionUnits: 1, tile: 64, layers: 'all' },
  gradcam: { classes: 5, layers: ['last-conv', 'middle'], colormap: 'inferno', alpha: 0.6 },
  occlusion: {
    pairs: [
      [10, 5],
      [50, 10],
      [75, 15],
      [100, 10],
      [100, 50],
    ],
    referenceSide: 224,
    fineLimit: 200,
    fineImages: 1,
    batch: 32,
    colormap: 'viridis',
    unitLayer: 'last-conv',
  },
  deepdream: { layers: ['0.25', '0.5', '0.85'], octaves: 3, octaveScale: 1.4, steps: 10, stepSize: 0.015, jitter: 16, seed: 1 },
  invariance: { layers: ['first', 'last-conv'], ...ZEILER_FERGUS_RANGES },
  patchDetection: { maxFieldFraction: 0.6, layers: 2, units: 6 },
};

/** Config overrides: any field of any method, the rest from the defaults. */
export const analysisOverridesSchema = overridesSchema(analysisSettingsSchema);

export function resolveAnalysisSettings(overrides: Overrides<AnalysisSettings> = {}): AnalysisSettings {
  return mergeSettings(DEFAULT_ANALYSIS_SETTINGS, overrides);
}
