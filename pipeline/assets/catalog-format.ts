import { z } from 'zod';
import { preprocessSchema } from './preprocess.ts';

/**
 * The on-disk shape of catalog.json. License and credit are stored once per collection and only
 * repeated on entries that differ, which keeps the committed file small; the loader expands them.
 */

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lower-case hex sha256');

export const storedEntrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'ids are slugs or file names'),
    url: z.string().url(),
    sha256,
    bytes: z.number().int().nonnegative(),
    label: z.string().optional(),
    license: z.string().optional(),
    credit: z.string().optional(),
    wnid: z.string().regex(/^n\d{8}$/).optional(),
    className: z.string().optional(),
    classIndex: z.number().int().nonnegative().optional(),
  })
  .strict();

/** A list file, or only its first `lines` lines (Darknet's 21,842-line lists hold the 1000 ImageNet classes first). */
export const listSliceSchema = z.object({ file: z.string().min(1), lines: z.number().int().positive() }).strict();
export type ListSlice = z.infer<typeof listSliceSchema>;

export const modelInfoSchema = z
  .object({
    format: z.literal('tfjs-layers'),
    /** Entry ids within the collection. */
    modelJson: z.string(),
    labels: z.union([z.string(), listSliceSchema]),
    /** WordNet id of each output class, in output order: maps a wnid-labelled dataset onto this model's classes. */
    wnids: listSliceSchema.optional(),
    inputSize: z.number().int().positive(),
    preprocess: preprocessSchema,
  })
  .strict();

export const storedCollectionSchema = z
  .object({
    description: z.string(),
    /** True for the collections the default gallery is built from. */
    default: z.boolean(),
    license: z.string(),
    credit: z.string().optional(),
    model: modelInfoSchema.optional(),
    entries: z.array(storedEntrySchema).min(1),
  })
  .strict();

export const storedCatalogSchema = z
  .object({
    $comment: z.string().optional(),
    version: z.literal(1),
    collections: z.record(z.string(), storedCollectionSchema),
  })
  .strict();

export type StoredEntry = z.infer<typeof storedEntrySchema>;
export type StoredCollection = z.infer<typeof storedCollectionSchema>;
export type StoredCatalog = z.infer<typeof storedCatalogSchema>;
export type ModelInfo = z.infer<typeof modelInfoSchema>;

/** One row of the mirror's MANIFEST.tsv: the facts every catalog entry starts from. */
export interface ManifestRow {
  url: string;
  sha256: string;
  bytes: number;
  collection: string;
  /** '' where the manifest has none (model files). */
  label: string;
  license: string;
  credit: string;
}
