import path from 'node:path';
import { drawBoxes } from '../imaging/attribution-image.ts';
import { writeWebp } from '../imaging/maps.ts';
import { topUnits } from '../methods/top-units.ts';
import { runPreActivations } from '../model/activations.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import type { LayerInfo } from '../model/layers.ts';
import { unitBox } from '../model/receptive-field.ts';
import type { PatchDetectionRecord } from '../records/analysis-schemas.ts';
import { toSiteSrc } from '../records/io.ts';
import { sig } from '../records/sig.ts';
import type { FigureContext } from './figure-context.ts';
import type { FigureBody } from './figure-types.ts';
import type { AnalysisSettings } from './settings.ts';

const COLORS: [number, number, number][] = [
  [255, 214, 0],
  [0, 200, 255],
  [255, 64, 160],
];
const hex = (c: number[]) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/**
 * The last conv layers whose receptive field still covers only part of the photo: in deeper
 * layers every unit sees (nearly) the whole image and a box would say nothing.
 */
export function detectionLayers(model: AtlasModel, s: AnalysisSettings['patchDetection']): LayerInfo[] {
  const side = model.inputSize[0];
  const fits = model.layers.filter((l) => l.spatial && l.kind === 'conv' && l.receptiveField.size[0] <= s.maxFieldFraction * side);
  return fits.slice(-s.layers);
}

/**
 * Patch detection (the seed assignment): receptive-field boxes of the most active units, drawn on
 * the photo. Units are ranked by their value before the rectifier (ReLU6 ties many at 6).
 */
export async function patchDetectionFigure(ctx: FigureContext, s: AnalysisSettings['patchDetection']): Promise<FigureBody<PatchDetectionRecord>> {
  const [h, w] = ctx.model.inputSize;
  const layers = detectionLayers(ctx.model, s);
  const acts = runPreActivations(ctx.model, ctx.x, layers.map((l) => l.id));
  const found = [];
  const boxes: Parameters<typeof drawBoxes>[3] = [];
  for (const [i, layer] of layers.entries()) {
    const values = (await acts[layer.id].data()) as Float32Array;
    const color = COLORS[i % COLORS.length];
    const units = topUnits(values, layer.shape as [number, number, number], s.units).map((u) => {
      const box = unitBox(layer.receptiveField, u.y, u.x, ctx.model.inputSize);
      boxes.push({ y0: box[0], x0: box[1], y1: box[2], x1: box[3], color, width: 2 });
      return { unit: u.channel, pos: [u.y, u.x] as [number, number], value: sig(u.value), box };
    });
    found.push({ layer: layer.id, color: hex(color), units });
  }
  Object.values(acts).forEach((t) => t.dispose());
  const rgb = drawBoxes(ctx.photo.data, h, w, boxes);
  const file = path.join(ctx.dir('patch-detection'), `${ctx.image.id}.webp`);
  const written = await writeWebp(file, rgb, w, h, { quality: 88 });
  return { drawing: { src: toSiteSrc(ctx.paths, file), ...written }, layers: found };
}
