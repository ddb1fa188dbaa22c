import type { Provenance } from '../records/schemas.ts';
import { stableHash } from '../util/hash.ts';
import type { BuildContext } from './context.ts';

/**
 * Cache keys and provenance for a step's outputs. A key covers everything the output depends on:
 * the step name and its code version, the model's contentHash, the images' sha256s and the params.
 */
export function stepKey(step: string, codeVersion: number, inputs: Record<string, unknown>): string {
  return stableHash({ step, codeVersion, ...inputs });
}

export function provenance(
  ctx: Pick<BuildContext, 'backend'>,
  fields: { method: string; codeVersion: number; params: Record<string, unknown>; startedAt: number } & Partial<
    Pick<Provenance, 'model' | 'layer' | 'unit' | 'image' | 'seed'>
  >,
): Provenance {
  const { startedAt, seed, ...rest } = fields;
  return {
    ...rest,
    seed: seed ?? null,
    backend: ctx.backend.detail,
    tfjs: ctx.backend.tfjsVersion,
    createdAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - startedAt),
  };
}
