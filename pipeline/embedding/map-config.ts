import { z } from 'zod';
import { mergeSettings, overridesSchema, type Overrides } from '../config/settings-overrides.ts';

export const LAYOUT_IDS = ['tsne-2d', 'tsne-3d', 'umap-2d'] as const;
export type LayoutId = (typeof LAYOUT_IDS)[number];

/**
 * Which layouts the embedding maps compute. The image map and the all-layers unit map always get
 * all three; the per-layer unit maps (27 for MobileNet, 22 for Darknet) get `perLayer`. On a
 * synthetic 768-point map 3D t-SNE and UMAP take two thirds of a map's time and 2D t-SNE a sixth,
 * so the default build computes 2D t-SNE only there; `atlas.full.config.ts` computes all three.
 */
export const mapConfigSchema = z
  .object({
    perLayer: z
      .array(z.enum(LAYOUT_IDS))
      .min(1)
      .refine((l) => l.includes('tsne-2d'), 'include "tsne-2d": the static picture of every map is its 2D t-SNE'),
  })
  .strict();

export type MapConfig = z.infer<typeof mapConfigSchema>;

export const DEFAULT_MAP_CONFIG: MapConfig = { perLayer: ['tsne-2d'] };
export const FULL_MAP_CONFIG: MapConfig = { perLayer: [...LAYOUT_IDS] };

export const mapOverridesSchema = overridesSchema(mapConfigSchema);

export function resolveMapConfig(overrides: Overrides<MapConfig> = {}): MapConfig {
  return mergeSettings(DEFAULT_MAP_CONFIG, overrides);
}

const NAMES: Record<LayoutId, string> = { 'tsne-2d': '2D t-SNE', 'tsne-3d': '3D t-SNE', 'umap-2d': 'UMAP' };

/** Why a layout a map lacks was not computed, naming the setting and the command that computes it. */
export function layoutSkipReason(id: LayoutId, wanted: readonly LayoutId[], n: number, max3d: number): string | null {
  if (!wanted.includes(id)) {
    const got = wanted.map((w) => NAMES[w]).join(', ');
    return (
      `${NAMES[id]} is computed for the image map and the all-layers unit map; to keep the default build short, ` +
      `per-layer unit maps get ${got} only (config maps.perLayer); ` +
      `npm run build -- --config atlas.full.config.ts computes ${NAMES[id]} here too`
    );
  }
  if (id === 'tsne-3d' && n > max3d) {
    return `3D t-SNE (Barnes–Hut) is computed for maps of up to ${max3d} points; this one has ${n}`;
  }
  if (id === 'umap-2d' && n <= 16) return `UMAP needs more than 16 points; this map has ${n}`;
  return null;
}
