import { z } from 'zod';

/** What a config may give for a settings object: any top-level field, and any subset of a nested one. */
export type Overrides<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? Partial<T[K]> : T[K] };

const isSection = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The overrides schema of a settings schema: every field optional, nested objects partial, unknown keys rejected. */
export function overridesSchema<T>(schema: z.ZodObject<z.ZodRawShape, 'strict', z.ZodTypeAny, T>): z.ZodType<Overrides<T>> {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([k, v]) => [k, (v instanceof z.ZodObject ? v.partial() : v).optional()]),
  );
  return z.object(shape).strict() as unknown as z.ZodType<Overrides<T>>;
}

/** Defaults with overrides applied: nested objects field by field, everything else replaced. */
export function mergeSettings<T extends object>(defaults: T, overrides: Overrides<T> = {}): T {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    const d = (defaults as Record<string, unknown>)[k];
    out[k] = isSection(d) && isSection(v) ? { ...d, ...v } : v;
  }
  return out as T;
}
