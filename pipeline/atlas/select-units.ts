import { resolveLayerRef } from '../analyses/layer-refs.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import type { LayerInfo } from '../model/layers.ts';
import type { AtlasSettings } from './settings.ts';

/** Layers whose units have feature maps (and pages): the atlas covers these. */
export function atlasLayers(model: AtlasModel): LayerInfo[] {
  return model.layers.filter((l) => l.spatial && (l.kind === 'conv' || l.kind === 'depthwise'));
}

export interface UnitSelection {
  /** Units per layer id, ascending. */
  units: Map<string, number[]>;
  /** "layer:unit" keys of the featured units (negative direction + diversity too). */
  featured: Set<string>;
}

/** "conv_pw_3:0-15,40" style lists → unit indices; "all" → every unit. */
export function parseUnitList(spec: string, channels: number): number[] {
  if (spec === 'all') return Array.from({ length: channels }, (_, i) => i);
  const out = new Set<number>();
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`bad unit list "${spec}": use "all", "5", "0-15" or "0-7,12"`);
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    // A range may run past a small layer's end (`--layers all --units 0-63`); a start past it names no unit at all.
    if (a >= channels) throw new Error(`unit ${a} (in --units "${spec}") is out of range: the layer has ${channels} units, 0-${channels - 1}`);
    for (let u = a; u <= Math.min(b, channels - 1); u++) out.add(u);
  }
  return [...out].sort((x, y) => x - y);
}

/** The default subset: the first N units of every mapped layer, plus the featured units (config list and the home page's striking units). */
export function defaultSelection(model: AtlasModel, s: AtlasSettings, striking: { layer: string; unit: number }[] = []): UnitSelection {
  const units = new Map<string, number[]>();
  for (const l of atlasLayers(model)) units.set(l.id, Array.from({ length: Math.min(s.unitsPerLayer, l.channels) }, (_, i) => i));
  const featured = new Set<string>();
  for (const ref of [...s.featured, ...striking.map((u) => `${u.layer}:${u.unit}`)]) {
    const [layerRef, unit] = ref.split(':');
    const layer = resolveLayerRef(model, layerRef);
    const u = Number(unit);
    if (u >= layer.channels) throw new Error(`featured unit ${ref}: layer ${layer.id} has ${layer.channels} units`);
    featured.add(`${layer.id}:${u}`);
    units.set(layer.id, [...new Set([...(units.get(layer.id) ?? []), u])].sort((a, b) => a - b));
  }
  return { units, featured };
}

/** Adds `--layers a,b --units spec` (from `npm run atlas`) to a selection. */
export function extendSelection(model: AtlasModel, base: UnitSelection, layers: string[] | 'all', unitSpec: string): UnitSelection {
  const units = new Map(base.units);
  const chosen = layers === 'all' ? atlasLayers(model) : layers.map((ref) => resolveLayerRef(model, ref));
  for (const layer of chosen) units.set(layer.id, [...new Set([...(units.get(layer.id) ?? []), ...parseUnitList(unitSpec, layer.channels)])].sort((a, b) => a - b));
  return { units, featured: base.featured };
}
