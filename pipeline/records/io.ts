import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-write.ts';

export class RecordError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'RecordError';
    this.file = file;
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`)
    .join('; ');
}

/**
 * Validates against the record's schema, then writes atomically. A bad record never reaches disk;
 * an unchanged one is not rewritten (its file time then says when it really changed).
 */
export async function writeRecord<S extends z.ZodTypeAny>(file: string, schema: S, value: z.input<S>): Promise<z.output<S>> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RecordError(file, `record does not match its schema: ${describeIssues(parsed.error)}`);
  const text = JSON.stringify(parsed.data);
  if ((await readFile(file, 'utf8').catch(() => undefined)) !== text) await writeFileAtomic(file, text);
  return parsed.data;
}

/** Reads and validates a record; undefined when missing or invalid (the step then recomputes it). */
export async function readRecord<S extends z.ZodTypeAny>(file: string, schema: S): Promise<z.output<S> | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The cached record when it was made from the same inputs (same key) and every file it points at
 * is still there; otherwise undefined and the step does the work again.
 */
export async function freshRecord<S extends z.ZodTypeAny>(
  file: string,
  schema: S,
  key: string,
  files: (record: z.output<S>) => string[] = () => [],
): Promise<z.output<S> | undefined> {
  const record = await readRecord(file, schema);
  if (!record || (record as { key?: string }).key !== key) return undefined;
  return files(record).every((f) => existsSync(f)) ? record : undefined;
}

/** Records and images name their files relative to the site root; these convert both ways. */
export interface PublicPaths {
  /** Absolute directory served at the site root (Astro's publicDir). */
  root: string;
  /** Absolute directory the pipeline writes into, inside root. */
  dir: string;
}

export function publicPaths(generatedDir: string): PublicPaths {
  return { root: path.dirname(generatedDir), dir: generatedDir };
}

export function toSiteSrc(paths: PublicPaths, file: string): string {
  return path.relative(paths.root, file).split(path.sep).join('/');
}

export function fromSiteSrc(paths: PublicPaths, src: string): string {
  return path.join(paths.root, ...src.split('/'));
}

/** Every generated file a record names (each `src` field, at any depth): a record whose files vanished is stale. */
export function recordFiles(paths: PublicPaths, record: unknown): string[] {
  const out: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'src' && typeof v === 'string') out.push(fromSiteSrc(paths, v));
        else visit(v);
      }
    }
  };
  visit(record);
  return out;
}
