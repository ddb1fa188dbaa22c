import type { ProjectionsRecord } from '../../pipeline/records/analysis-schemas.ts';
import type { ModelRecord } from '../../pipeline/records/schemas.ts';
import { BASE } from './site.ts';

/** The page that puts every model's view of one gallery photo side by side. */
export const compareHref = (image: string) => `${BASE}compare/${image}/`;

/** The command that computes what the default build leaves out for a lighter model. */
export const FULL_BUILD_COMMAND = 'npm run build -- --config atlas.full.config.ts';

/** Relative depths at which the compare page sets the models' deconvnet projections side by side. */
export const COMPARE_DEPTHS = [0.25, 0.5, 1] as const;

/**
 * The projection row of the layer at a relative depth among the rows the record holds (conv
 * layers in network order), with that layer's position in the model: the same fraction of each
 * network's conv stack is as close to "comparable depth" as two different architectures allow.
 */
export function rowAtDepth(model: ModelRecord, r: ProjectionsRecord, depth: number) {
  const row = Math.min(r.layers.length - 1, Math.max(0, Math.round(depth * (r.layers.length - 1))));
  const layer = r.layers[row];
  const index = model.layers.findIndex((l) => l.id === layer.layer);
  return { row, layer, position: `${index + 1} of ${model.layers.length}` };
}

/** The projection rows at COMPARE_DEPTHS, each row once: a shallow network maps two depths to one layer. */
export function rowsAtDepths(model: ModelRecord, r: ProjectionsRecord) {
  const rows = new Map(COMPARE_DEPTHS.map((depth) => rowAtDepth(model, r, depth)).map((x) => [x.row, x]));
  return [...rows.values()];
}
