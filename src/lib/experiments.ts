import type { CorrespondenceRecord, TransferRecord } from '../../pipeline/records/experiment-schemas.ts';
import type { ModelEvalRecord } from '../../pipeline/records/schemas.ts';
import { entries } from './data.ts';
import { BASE } from './site.ts';

/**
 * Zeiler & Fergus's correspondence and transfer experiments as the pages see them: one record of
 * each per ImageNet model (models with other outputs have none, and so no pages).
 */

export const experimentHref = {
  correspondence: (m: string) => `${BASE}models/${m}/correspondence/`,
  transfer: (m: string) => `${BASE}models/${m}/transfer/`,
};

let loading: Promise<{ correspondence: Map<string, CorrespondenceRecord>; transfer: Map<string, TransferRecord>; evals: ModelEvalRecord[] }> | undefined;

export function experiments() {
  loading ??= Promise.all([entries<CorrespondenceRecord>('correspondence'), entries<TransferRecord>('transfer'), entries<ModelEvalRecord>('modelEval')]).then(
    ([c, t, evals]) => ({ correspondence: new Map(c.map((r) => [r.model, r])), transfer: new Map(t.map((r) => [r.model, r])), evals }),
  );
  return loading;
}

/**
 * The accuracy of a network trained on CIFAR-10 itself, when this build has one: another model
 * whose own evaluation ran on the CIFAR-10 test images. Drawn as a reference line on the transfer
 * chart; without such a model there is no line.
 */
export function cifarReference(evals: ModelEvalRecord[], model: string): { label: string; accuracy: number } | undefined {
  const own = evals.find((e) => e.model !== model && e.dataset.startsWith('cifar10') && e.top1 != null);
  return own ? { label: `${own.model} trained on CIFAR-10 (top-1 on ${own.scored} ${own.dataset} images)`, accuracy: own.top1! } : undefined;
}
