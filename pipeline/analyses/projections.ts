import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { absImage, PROJECTION_PERCENTILE, rgbProjection, signedImage } from '../imaging/attribution-image.ts';
import { cropToTile, resizeToTile, writeRgbSheet, type Rgb } from '../imaging/sheet.ts';
import { topUnits, type TopUnit } from '../methods/top-units.ts';
import { projectUnits } from '../methods/unit-projection.ts';
import { runPreActivations } from '../model/activations.ts';
import { inputAttribution } from '../model/attribution.ts';
import { layerOf } from '../model/atlas-model.ts';
import type { LayerInfo } from '../model/layers.ts';
import { unitBox } from '../model/receptive-field.ts';
import type { ReluRule } from '../model/relu-rule.ts';
import type { ProjectionsRecord } from '../records/analysis-schemas.ts';
import type { FigureContext } from './figure-context.ts';
import { resolveLayerRefs } from './layer-refs.ts';
import { cropMap, type FloatMap } from './map-crop.ts';
import type { AnalysisSettings } from './settings.ts';
import type { FigureBody } from './figure-types.ts';
import { sig } from '../records/sig.ts';

/** Column order of every layer sheet; the page labels columns from the record. */
const COLUMNS = ['patch', 'deconvnet', 'guided', '|guided|', 'saliency', '|saliency|'];
const CLASS_COLUMNS = ['deconvnet', 'guided', '|guided|', 'saliency', '|saliency|'];
const RULES: ReluRule[] = ['deconvnet', 'guided', 'gradient'];

const asRgb = (data: Uint8Array, m: FloatMap): Rgb => ({ data, width: m.width, height: m.height });

/** The five renderings of one unit's (or class's) three backward maps, cropped to the box. */
function renderings(maps: Float32Array[], item: number, ctx: FigureContext, box: readonly number[]): Rgb[] {
  const [h, w] = ctx.model.inputSize;
  const [deconv, guided, saliency] = maps.map((m) => cropMap(m, item, h, w, 3, box));
  return [
    asRgb(rgbProjection(deconv.data, deconv.height, deconv.width, PROJECTION_PERCENTILE), deconv),
    asRgb(signedImage(guided.data, guided.height, guided.width).rgb, guided),
    asRgb(absImage(guided.data, guided.height, guided.width).rgb, guided),
    asRgb(signedImage(saliency.data, saliency.height, saliency.width).rgb, saliency),
    asRgb(absImage(saliency.data, saliency.height, saliency.width).rgb, saliency),
  ];
}

async function project(ctx: FigureContext, layer: string, units: TopUnit[], rule: ReluRule): Promise<Float32Array> {
  if (units.length === 0) return new Float32Array(0);
  const t = projectUnits(ctx.model, ctx.x, layer, units, rule, true);
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

/** Deconvnet for every unit; guided and saliency (two more backward passes each) for the strongest few. */
async function layerRow(ctx: FigureContext, layer: LayerInfo, units: TopUnit[], attributionUnits: number, tile: [number, number]) {
  const few = units.slice(0, attributionUnits);
  const maps = [await project(ctx, layer.id, units, 'deconvnet'), await project(ctx, layer.id, few, 'guided'), await project(ctx, layer.id, few, 'gradient')];
  const blank = new Uint8Array(tile[0] * tile[1] * 3).fill(255);
  const tiles: Uint8Array[] = [];
  const placed = [];
  for (const [i, u] of units.entries()) {
    const box = unitBox(layer.receptiveField, u.y, u.x, ctx.model.inputSize);
    tiles.push(await cropToTile(ctx.photo, box, tile));
    const rendered = renderings(i < few.length ? maps : [maps[0], maps[0], maps[0]], i, ctx, box);
    for (const [j, r] of rendered.entries()) tiles.push(j === 0 || i < few.length ? await resizeToTile(r, tile) : blank);
    placed.push({ unit: u.channel, pos: [u.y, u.x] as [number, number], value: sig(u.value), box });
  }
  return { tiles, placed, passes: units.length + 2 * few.length };
}

async function classRow(ctx: FigureContext): Promise<Uint8Array[]> {
  const [h, w] = ctx.model.inputSize;
  const target = { kind: 'class' as const, index: ctx.predictions[0].index };
  const maps = await Promise.all(
    RULES.map(async (rule) => {
      const t = inputAttribution(ctx.model, ctx.x, target, rule);
      const data = (await t.data()) as Float32Array;
      t.dispose();
      return data;
    }),
  );
  return renderings(maps, 0, ctx, [0, 0, h - 1, w - 1]).map((r) => r.data);
}

/**
 * Zeiler & Fergus deconvnet projections of each layer's strongest units on this photo (one
 * activation each, everything else zero), beside the photo patch under the unit's receptive field,
 * with guided backprop and saliency for the same units; and the three for the top class.
 */
export async function projectionsFigure(ctx: FigureContext, s: AnalysisSettings['projections']): Promise<FigureBody<ProjectionsRecord>> {
  const { model } = ctx;
  const layers = s.layers === 'all' ? model.layers.filter((l) => l.spatial && (l.kind === 'conv' || l.kind === 'depthwise')) : resolveLayerRefs(model, s.layers);
  const tile: [number, number] = [s.tile, s.tile];
  const dir = ctx.dir('projections');
  // Ranked and targeted before the rectifier: ReLU6 caps many units at 6 (ties, and zero gradient).
  const acts = runPreActivations(model, ctx.x, layers.map((l) => l.id));
  const rows = [];
  let backwardPasses = RULES.length;
  for (const layer of layers) {
    const values = (await acts[layer.id].data()) as Float32Array;
    const units = topUnits(values, layer.shape as [number, number, number], s.units);
    const { tiles, placed, passes } = await layerRow(ctx, layerOf(model, layer.id), units, s.attributionUnits, tile);
    backwardPasses += passes;
    const sheet = await writeRgbSheet(path.join(dir, ctx.image.id, `${layer.id}.webp`), ctx.paths, tiles, tile, COLUMNS.length);
    rows.push({ layer: layer.id, sheet, units: placed });
  }
  tf.dispose(Object.values(acts));
  const [h, w] = model.inputSize;
  const classTiles = await classRow(ctx);
  const classSheet = await writeRgbSheet(path.join(dir, ctx.image.id, `class.webp`), ctx.paths, classTiles, [h, w], CLASS_COLUMNS.length);
  return {
    columns: COLUMNS,
    tile,
    classTarget: ctx.predictions[0],
    classColumns: CLASS_COLUMNS,
    classSheet,
    layers: rows,
    attributionUnits: s.attributionUnits,
    backwardPasses,
  };
}
