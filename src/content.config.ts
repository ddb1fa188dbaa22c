import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import path from 'node:path';
import { z } from 'zod';
import { RECORD_KINDS, type RecordKind } from '../pipeline/records/schemas.ts';

/**
 * Every record kind the pipeline writes is one content collection, validated with the same zod
 * schema the pipeline used before writing. Entry ids are file paths without ".json"
 * (e.g. "mobilenet_v1_0.75_224/conv1"). ATLAS_RECORDS_DIR points at another records directory.
 */
const recordsDir = process.env.ATLAS_RECORDS_DIR ?? path.resolve('content/generated');

function recordCollection(kind: RecordKind) {
  const { pattern, schema } = RECORD_KINDS[kind];
  return defineCollection({
    loader: glob({ pattern, base: recordsDir, generateId: ({ entry }) => entry.replace(/\.json$/, '') }),
    schema,
  });
}

/**
 * Human notes on units, written by hand in Markdown: content/notes/<model>/<layer>/<unit>.md
 * (ATLAS_NOTES_DIR points elsewhere), optional frontmatter `title` and `author`. Entry ids are
 * "<model>/<layer>/<unit>"; the unit page renders the note, so search indexes it.
 */
const notesDir = process.env.ATLAS_NOTES_DIR ?? path.resolve('content/notes');

const notes = defineCollection({
  loader: glob({ pattern: '*/*/*.md', base: notesDir, generateId: ({ entry }) => entry.replace(/\.md$/, '') }),
  schema: z.object({ title: z.string().optional(), author: z.string().optional() }),
});

/** The explainer's chapters: content/explainer/NN-slug.md, read in `order` (src/lib/explainer.ts). */
const explainer = defineCollection({
  loader: glob({ pattern: '*.md', base: path.resolve('content/explainer') }),
  schema: z.object({ title: z.string(), order: z.number().int(), summary: z.string() }),
});

export const collections = {
  ...(Object.fromEntries((Object.keys(RECORD_KINDS) as RecordKind[]).map((kind) => [kind, recordCollection(kind)])) as {
    [K in RecordKind]: ReturnType<typeof recordCollection>;
  }),
  notes,
  explainer,
};
