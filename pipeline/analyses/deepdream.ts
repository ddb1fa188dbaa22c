import path from 'node:path';
import { resizeToTile, toRgb, writeRgbSheet } from '../imaging/sheet.ts';
import { deepDream } from '../methods/deepdream.ts';
import type { DeepdreamRecord } from '../records/analysis-schemas.ts';
import { sig } from '../records/sig.ts';
import type { FigureContext } from './figure-context.ts';
import type { FigureBody } from './figure-types.ts';
import { resolveLayerRefs } from './layer-refs.ts';
import type { AnalysisSettings } from './settings.ts';

/** DeepDream at an early, a middle and a late layer: the photo first ("before"), then one dream per layer. */
export async function deepdreamFigure(ctx: FigureContext, s: AnalysisSettings['deepdream']): Promise<FigureBody<DeepdreamRecord>> {
  const [h, w] = ctx.model.inputSize;
  const tiles = [ctx.photo.data];
  const dreams = [];
  for (const layer of resolveLayerRefs(ctx.model, s.layers)) {
    const started = performance.now();
    const { octaves, octaveScale, steps, stepSize, jitter, seed } = s;
    const r = await deepDream(ctx.model, ctx.pixels, { layer: layer.id, octaves, octaveScale, steps, stepSize, jitter, seed });
    const data = (await r.pixels.data()) as Float32Array;
    r.pixels.dispose();
    tiles.push(await resizeToTile(toRgb(data, w, h), [h, w]));
    dreams.push({ layer: layer.id, objectiveStart: sig(r.objectiveStart), objectiveEnd: sig(r.objectiveEnd), gradientSteps: r.gradientSteps, ms: Math.round(performance.now() - started) });
  }
  const sheet = await writeRgbSheet(path.join(ctx.dir('deepdream'), `${ctx.image.id}.webp`), ctx.paths, tiles, [h, w], tiles.length, 88);
  return { sheet, dreams };
}
