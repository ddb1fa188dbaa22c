import { z } from 'zod';
import { id, imageFileSchema, keyed, num } from './schema-parts.ts';

/**
 * Embedding maps: per (model, map) one record. A map is the images (dataset + gallery photos by the
 * last conv layer's pooled features), one layer's units, or all units (by their activation profile
 * over the dataset). Points, layouts and neighbours live in one binary file (pipeline/embedding/
 * map-binary.ts); thumbnails in shared atlas pages.
 */
export const embeddingMapSchema = z
  .object({
    model: id,
    /** "images", "units" (all layers) or "units-<layer>". */
    map: id,
    kind: z.enum(['images', 'units']),
    layer: id.nullable(),
    dataset: id,
    count: z.number().int().positive(),
    /** What each point's feature vector is, in words, and its length. */
    features: z.string(),
    featureDims: z.number().int().positive(),
    pca: z.object({ dims: z.number().int(), explained: num }).strict(),
    neighbours: z.object({ k: z.number().int(), metric: z.literal('cosine') }).strict(),
    layouts: z.array(z.object({ id: z.enum(['tsne-2d', 'tsne-3d', 'umap-2d']), dims: z.union([z.literal(2), z.literal(3)]), seconds: num }).strict()),
    /** Layouts not computed, and why (the page says so). */
    skipped: z.array(z.object({ id: z.string(), reason: z.string() }).strict()),
    settings: z.object({ perplexity: num, pcaDims: z.number().int(), iterations: z.number().int(), max3d: z.number().int(), seed: z.number().int() }).passthrough(),
    data: z.object({ src: z.string(), bytes: z.number().int() }).strict(),
    atlas: z
      .object({
        cell: z.number().int(),
        perRow: z.number().int(),
        rowsPerPage: z.number().int(),
        pages: z.array(imageFileSchema),
        /** Which pages this map's points use (a layer's units sit on one or two pages of the model's unit atlas). */
        used: z.array(z.number().int()),
      })
      .strict(),
    /** The 2D t-SNE layout as an SVG, for pages without WebGL or JavaScript. */
    staticImage: imageFileSchema,
    groups: z.array(z.object({ name: z.string(), count: z.number().int() }).strict()),
    ...keyed,
  })
  .strict();

export type EmbeddingMapRecord = z.infer<typeof embeddingMapSchema>;

export const MAP_KINDS = {
  embeddingMaps: { pattern: 'embedding-maps/*/*.json', schema: embeddingMapSchema },
} as const;
