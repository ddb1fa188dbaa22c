import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { toRgb, writeRgbSheet } from '../imaging/sheet.ts';
import { invarianceCurves, transformPixels, type TransformKind } from '../methods/invariance.ts';
import { shiftsForSide } from '../methods/invariance-ranges.ts';
import type { InvarianceRecord } from '../records/analysis-schemas.ts';
import { sig } from '../records/sig.ts';
import type { FigureContext } from './figure-context.ts';
import type { FigureBody } from './figure-types.ts';
import { resolveLayerRefs } from './layer-refs.ts';
import type { AnalysisSettings } from './settings.ts';

const UNITS: Record<TransformKind, string> = { translate: 'px', rotate: '°', scale: '×' };
/** Shown under the charts so a reader sees what "rotate 90°" did to the photo. */
const EXAMPLES: { kind: TransformKind; amount: number }[] = [
  { kind: 'translate', amount: -40 },
  { kind: 'translate', amount: 40 },
  { kind: 'rotate', amount: 90 },
  { kind: 'rotate', amount: 180 },
  { kind: 'scale', amount: 0.6 },
  { kind: 'scale', amount: 1.6 },
];

/** The examples at this input side (shifts are given for 224 px, like the curves'). */
const examplesForSide = (side: number) => EXAMPLES.map((e) => ({ kind: e.kind, amount: e.kind === 'translate' ? shiftsForSide([e.amount], side)[0] : e.amount }));

async function exampleTiles(ctx: FigureContext, examples: typeof EXAMPLES): Promise<Uint8Array[]> {
  const [h, w] = ctx.model.inputSize;
  const batch = tf.tidy(() => tf.concat(examples.map((e) => transformPixels(tf.expandDims(ctx.pixels, 0) as tf.Tensor4D, e.kind, e.amount))));
  const data = (await batch.data()) as Float32Array;
  batch.dispose();
  return examples.map((_, i) => toRgb(data.subarray(i * h * w * 3, (i + 1) * h * w * 3), w, h).data);
}

/**
 * Zeiler & Fergus Fig. 5: the photo translated, rotated and scaled; the Euclidean distance of an
 * early and a late layer's feature vector to the untransformed one, and the probability of the
 * true class (the top-1 class when the photo's class is unknown).
 */
export async function invarianceFigure(ctx: FigureContext, s: AnalysisSettings['invariance']): Promise<FigureBody<InvarianceRecord>> {
  const side = ctx.model.inputSize[0];
  const layers = resolveLayerRefs(ctx.model, s.layers).map((l) => l.id);
  const target = ctx.trueClass ?? { ...ctx.predictions[0], role: 'top-1' as const };
  const translate = shiftsForSide(s.translate, side);
  const curves = await invarianceCurves(ctx.model, ctx.pixels, { translate, rotate: s.rotate, scale: s.scale, layers, classIndex: target.index });
  const [h, w] = ctx.model.inputSize;
  const shown = examplesForSide(side);
  const examples = await writeRgbSheet(path.join(ctx.dir('invariance'), `${ctx.image.id}.webp`), ctx.paths, await exampleTiles(ctx, shown), [h, w], shown.length);
  return {
    layers,
    target: { index: target.index, label: target.label, probability: sig(target.probability), role: target.role },
    curves: curves.map((c) => ({
      kind: c.kind,
      unit: UNITS[c.kind],
      amounts: c.amounts,
      distance: Object.fromEntries(Object.entries(c.distance).map(([k, v]) => [k, v.map((d) => sig(d))])),
      probability: c.probability.map((p) => sig(p)),
    })),
    examples,
    exampleAmounts: shown,
    forwardPasses: curves.reduce((n, c) => n + c.forwardPasses, 1),
  };
}
