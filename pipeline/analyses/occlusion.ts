import path from 'node:path';
import { legendStops } from '../imaging/colormap.ts';
import { heatmapOverlay } from '../imaging/attribution-image.ts';
import { writeRgbSheet } from '../imaging/sheet.ts';
import { occlusionPositions, occlusionSweep, proportionalSpecs, type Readout } from '../methods/occlusion.ts';
import * as tf from '@tensorflow/tfjs';
import { runLayers } from '../model/activations.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import type { OcclusionReadout, OcclusionRecord } from '../records/analysis-schemas.ts';
import { sig } from '../records/sig.ts';
import type { FigureContext } from './figure-context.ts';
import type { FigureBody } from './figure-types.ts';
import { resolveLayerRef } from './layer-refs.ts';
import type { AnalysisSettings } from './settings.ts';

/** The grey square: mid-grey (127.5) after the model's preprocessing (0 for MobileNet's x/127.5 − 1). */
export function greyFill(model: AtlasModel): number {
  const { scale, offset } = model.preprocess;
  const mean = (v: number | number[]) => (Array.isArray(v) ? v.reduce((a, b) => a + b, 0) / v.length : v);
  return 127.5 * mean(scale as number | number[]) + mean(offset as number | number[]);
}

/** The sweeps this photo gets: the fine ones (many forward passes) only for the first few photos. */
export function occlusionPairs(model: AtlasModel, s: AnalysisSettings['occlusion'], fine: boolean): [number, number][] {
  const side = model.inputSize[0];
  const pairs = proportionalSpecs(s.pairs, s.referenceSide, side);
  return pairs.filter(([size, stride]) => fine || occlusionPositions(side, size, stride).length ** 2 <= s.fineLimit);
}

/** A readout as the record describes it, before its baseline is known. */
type ReadoutInfo = { kind: 'class'; index: number; label: string; role: 'top-1' | 'true class' } | { kind: 'unit'; layer: string; unit: number };

async function readouts(ctx: FigureContext, s: AnalysisSettings['occlusion']): Promise<{ readout: Readout; info: ReadoutInfo }[]> {
  const top = ctx.predictions[0];
  const list: { readout: Readout; info: ReadoutInfo }[] = [
    { readout: { kind: 'class', index: top.index }, info: { kind: 'class', index: top.index, label: top.label, role: 'top-1' } },
  ];
  const truth = ctx.trueClass;
  if (truth && truth.index !== top.index) {
    list.push({ readout: { kind: 'class', index: truth.index }, info: { kind: 'class', index: truth.index, label: truth.label, role: 'true class' } });
  }
  const layer = resolveLayerRef(ctx.model, s.unitLayer);
  const act = runLayers(ctx.model, ctx.x, [layer.id])[layer.id];
  // The feature map with the largest total activation (Zeiler & Fergus: "the strongest feature map").
  const totals = tf.tidy(() => tf.sum(act, [0, 1, 2]));
  const t = (await totals.data()) as Float32Array;
  totals.dispose();
  const best = { channel: t.indexOf(Math.max(...t)) };
  act.dispose();
  list.push({ readout: { kind: 'unit', layer: layer.id, channel: best.channel, reduce: 'sum' }, info: { kind: 'unit', layer: layer.id, unit: best.channel } });
  return list;
}

/**
 * Places each value at the pixels nearest its square's centre, so the overlay shows the map where the
 * square was (a plain resize would stretch it to the image edges, shifting it by up to half a square).
 */
export function centredMap(values: Float32Array, rows: number, cols: number, size: number, stride: number, h: number, w: number): Float32Array {
  const cell = (p: number, n: number) => Math.min(n - 1, Math.max(0, Math.round((p + 0.5 - size / 2) / stride)));
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    const r = cell(y, rows) * cols;
    for (let x = 0; x < w; x++) out[y * w + x] = values[r + cell(x, cols)];
  }
  return out;
}

/**
 * Occlusion sensitivity (Zeiler & Fergus Fig. 7) for the seed report's (size, stride) pairs scaled
 * to this model's input: the top-1 probability, the true class's when it differs, and the strongest
 * unit of the last conv layer, each as a function of where the grey square is.
 */
export async function occlusionFigure(ctx: FigureContext, s: AnalysisSettings['occlusion'], fine: boolean): Promise<FigureBody<OcclusionRecord>> {
  const [h, w] = ctx.model.inputSize;
  const fill = greyFill(ctx.model);
  const reads = await readouts(ctx, s);
  const tiles: Uint8Array[] = [];
  const sweeps = [];
  let baseline: number[] = [];
  for (const [size, stride] of occlusionPairs(ctx.model, s, fine)) {
    const started = performance.now();
    const r = await occlusionSweep(ctx.model, ctx.x, { size, stride, fill }, reads.map((x) => x.readout), { batchSize: s.batch });
    const ms = performance.now() - started;
    baseline = r.baseline;
    const maps = r.maps.map((m) => {
      const min = Math.min(...m);
      const max = Math.max(...m);
      tiles.push(heatmapOverlay(ctx.photo.data, h, w, centredMap(m, r.rows, r.cols, size, stride, h, w), h, w, { colormap: s.colormap, alpha: 0.7, range: [min, max > min ? max : min + 1e-6] }).rgb);
      return { min: sig(min), max: sig(max), values: Array.from(m, (v) => sig(v, 3)) };
    });
    sweeps.push({ size, stride, fraction: [sig(size / h), sig(stride / h)] as [number, number], rows: r.rows, cols: r.cols, forwardPasses: r.forwardPasses, ms: Math.round(ms), maps });
  }
  const sheet = await writeRgbSheet(path.join(ctx.dir('occlusion'), `${ctx.image.id}.webp`), ctx.paths, tiles, [h, w], reads.length);
  return {
    fill: sig(fill),
    colormap: s.colormap,
    legend: legendStops(s.colormap, 9),
    sheet,
    readouts: reads.map((x, i) => ({ ...x.info, baseline: sig(baseline[i]) }) as OcclusionReadout),
    sweeps,
  };
}
