import path from 'node:path';
import { legendStops } from '../imaging/colormap.ts';
import { heatmapOverlay } from '../imaging/attribution-image.ts';
import { writeRgbSheet } from '../imaging/sheet.ts';
import { gradCam } from '../methods/gradcam.ts';
import type { GradcamRecord } from '../records/analysis-schemas.ts';
import { sig } from '../records/sig.ts';
import type { FigureContext } from './figure-context.ts';
import type { FigureBody } from './figure-types.ts';
import { resolveLayerRefs } from './layer-refs.ts';
import type { AnalysisSettings } from './settings.ts';

const range = (m: Float32Array) => m.reduce((a, v) => [Math.min(a[0], v), Math.max(a[1], v)], [Infinity, -Infinity]);

/**
 * Grad-CAM for the top classes at a late and a middle layer, each map overlaid on the photo on its
 * own [0, max] scale (the record keeps every map's max so classes can still be compared).
 */
export async function gradcamFigure(ctx: FigureContext, s: AnalysisSettings['gradcam']): Promise<FigureBody<GradcamRecord>> {
  const classes = ctx.predictions.slice(0, s.classes);
  const [h, w] = ctx.model.inputSize;
  const tiles: Uint8Array[] = [];
  const layers = [];
  for (const layer of resolveLayerRefs(ctx.model, s.layers)) {
    const cam = await gradCam(ctx.model, ctx.x, classes.map((c) => c.index), layer.id);
    const [mh, mw] = cam.shape;
    const cams = cam.maps.map((m) => {
      const [min, max] = range(m);
      const overlay = heatmapOverlay(ctx.photo.data, h, w, m, mh, mw, { colormap: s.colormap, alpha: s.alpha, range: [0, max > 0 ? max : 1] });
      tiles.push(overlay.rgb);
      return { min: sig(min), max: sig(max), values: Array.from(m, (v) => sig(v, 3)) };
    });
    layers.push({ layer: layer.id, map: cam.shape, cams });
  }
  const sheet = await writeRgbSheet(path.join(ctx.dir('gradcam'), `${ctx.image.id}.webp`), ctx.paths, tiles, [h, w], classes.length);
  return { colormap: s.colormap, legend: legendStops(s.colormap, 9), alpha: s.alpha, sheet, classes, layers };
}
