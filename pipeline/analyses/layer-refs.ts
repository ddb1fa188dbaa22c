import type { AtlasModel } from '../model/atlas-model.ts';
import type { LayerInfo } from '../model/layers.ts';

/**
 * Settings name layers by id or by position, so defaults work for any model: "first", "last",
 * "last-conv", "middle", or a fraction of the depth ("0.25"). Only layers with feature maps count.
 */
export function resolveLayerRef(model: AtlasModel, ref: string): LayerInfo {
  const mapped = model.layers.filter((l) => l.spatial && (l.kind === 'conv' || l.kind === 'depthwise'));
  if (mapped.length === 0) throw new Error(`model "${model.id}" has no convolutional layers`);
  const byId = model.layerById.get(ref);
  if (byId) return byId;
  const at = (f: number) => mapped[Math.min(mapped.length - 1, Math.max(0, Math.round(f * (mapped.length - 1))))];
  if (ref === 'first') return mapped[0];
  if (ref === 'last' || ref === 'last-conv') return mapped.at(-1)!;
  if (ref === 'middle') return at(0.5);
  const f = Number(ref);
  if (Number.isFinite(f) && f >= 0 && f <= 1) return at(f);
  throw new Error(`model "${model.id}" has no layer "${ref}" (use a layer id, first, middle, last-conv or a fraction 0..1)`);
}

export function resolveLayerRefs(model: AtlasModel, refs: string[]): LayerInfo[] {
  return [...new Set(refs.map((r) => resolveLayerRef(model, r)))];
}
