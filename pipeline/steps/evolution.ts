import path from 'node:path';
import { loadImageTensorData } from '../assets/images.ts';
import type { UrlModelSpec } from '../assets/model-spec.ts';
import { unitPatches } from '../atlas/unit-patches.ts';
import { forEachBatch } from '../model/activations.ts';
import { layerOf, type AtlasModel } from '../model/atlas-model.ts';
import { loadConfiguredModel } from '../model/load-configured-model.ts';
import { unitBox } from '../model/receptive-field.ts';
import { freshRecord, publicPaths, recordFiles, writeRecord } from '../records/io.ts';
import { evolutionSchema, type EvolutionRecord } from '../records/training-schemas.ts';
import type { UnitStatsRecord } from '../records/schemas.ts';
import { chooseUnits } from '../training/evolution-units.ts';
import type { TrainingRecord } from '../training/train.ts';
import { mapLimited } from '../util/map-limited.ts';
import type { CheckedImage } from './check-images.ts';
import type { BuildContext } from './context.ts';
import { filterWeights } from './filter-weights.ts';
import { provenance, stepKey } from './provenance.ts';
import { sig } from '../records/sig.ts';

const CODE_VERSION = 3;
const TILE = 64;
const BATCH = 250;

export interface Strongest {
  image: number;
  value: number;
  pos: [number, number];
}

/**
 * Folds one batch of NHWC activations (images start at index `offset`) into each unit's strongest
 * activation so far. Strictly greater wins, so a tie keeps the earlier image: test-set order, then
 * position in raster order, a stated and stable rule.
 */
export function updateStrongest(best: Map<string, Strongest>, layer: string, v: Float32Array, shape: [number, number, number, number], units: number[], offset: number): void {
  const [n, h, w, c] = shape;
  for (const unit of units) {
    const id = `${layer}:${unit}`;
    let b = best.get(id) ?? { image: -1, value: -Infinity, pos: [0, 0] as [number, number] };
    for (let i = 0; i < n; i++)
      for (let y = 0; y < h; y++)
        for (let xx = 0; xx < w; xx++) {
          const a = v[((i * h + y) * w + xx) * c + unit];
          if (a > b.value) b = { image: offset + i, value: a, pos: [y, xx] };
        }
    best.set(id, b);
  }
}

/** One pass of the test set through a checkpoint: every wanted unit's single strongest activation. */
async function strongestActivations(model: AtlasModel, dataset: CheckedImage[], wanted: Map<string, number[]>): Promise<Map<string, Strongest>> {
  const best = new Map<string, Strongest>();
  const load = (start: number, end: number) => mapLimited(dataset.slice(start, end), 8, (d) => loadImageTensorData(d.file, model.inputSize[0], { fit: model.preprocess.fit }));
  await forEachBatch(model, dataset.length, BATCH, load, [...wanted.keys()], async (acts, start) => {
    for (const [layer, units] of wanted) updateStrongest(best, layer, (await acts[layer].data()) as Float32Array, acts[layer].shape as [number, number, number, number], units, start);
  });
  return best;
}

export interface EvolutionInputs {
  model: AtlasModel;
  spec: UrlModelSpec;
  run: TrainingRecord & { dir: string };
  dataset: CheckedImage[];
  datasetId: string;
  stats: Map<string, UnitStatsRecord>;
  ctx: BuildContext;
}

/** The evolution record (Fig. 4) of a model trained here; reuses the unit atlas's patch + deconvnet sheet code. */
export async function evolution(inp: EvolutionInputs): Promise<EvolutionRecord | null> {
  const { model, run, ctx } = inp;
  const convLayers = model.layers.filter((l) => l.kind === 'conv' && inp.stats.has(l.id)).map((l) => l.id);
  if (convLayers.length === 0 || run.checkpoints.length === 0) return null;
  const chosen = new Map(convLayers.map((layer) => [layer, chooseUnits(inp.stats.get(layer)!)]));
  const key = stepKey('evolution', CODE_VERSION, {
    model: model.contentHash ?? model.id,
    run: run.key,
    dataset: inp.datasetId,
    images: inp.dataset.map((d) => d.sha256),
    chosen: [...chosen],
    tile: TILE,
  });
  const file = path.join(ctx.recordsDir, 'evolution', `${model.id}.json`);
  const pub = publicPaths(ctx.publicDir);
  const cached = await freshRecord(file, evolutionSchema, key, (r) => recordFiles(pub, r));
  if (cached) return cached;
  const startedAt = performance.now();
  // Every unit's strongest test image at every checkpoint (the unit pages' evolution strips: data
  // only, drawn from the dataset thumbnails); the chosen rows also get a patch + deconvnet sheet.
  const wanted = new Map(convLayers.map((layer) => [layer, Array.from({ length: layerOf(model, layer).channels }, (_, u) => u)]));
  const strips = new Map<string, EvolutionRecord['strips'][number]['units'][number]['cells']>();
  const cells = new Map<string, EvolutionRecord['layers'][number]['units'][number]['cells']>();
  const filters: EvolutionRecord['filters'] = [];
  // Checkpoint filter sheets come from the filter-weights step itself; its records go to a scratch
  // folder so the site does not take them for the final model's.
  const scratch = { ...ctx, recordsDir: path.join(ctx.config.cacheDir, 'evolution-scratch', model.id) };
  for (const cp of run.checkpoints) {
    const ck = await loadConfiguredModel({ ...inp.spec, modelUrl: path.join(run.dir, cp.dir, 'model.json') }, { ...ctx.fetchOpts, progress: false });
    const best = await strongestActivations(ck, inp.dataset, wanted);
    for (const [layer, units] of wanted) {
      const rf = layerOf(ck, layer).receptiveField;
      for (const unit of units) {
        const id = `${layer}:${unit}`;
        const b = best.get(id)!;
        const cell = { epoch: cp.epoch, image: inp.dataset[b.image].id, value: sig(b.value), box: unitBox(rf, b.pos[0], b.pos[1], ck.inputSize) };
        strips.set(id, [...(strips.get(id) ?? []), cell]);
      }
    }
    for (const [layer, units] of chosen) {
      for (const { unit } of units) {
        // A chosen row is a unit of the strips: its cell for this checkpoint is already measured.
        const id = `${layer}:${unit}`;
        const b = best.get(id)!;
        const cell = strips.get(id)!.at(-1)!;
        const d = inp.dataset[b.image];
        const top = [{ image: d.id, file: d.file, sha256: d.sha256, value: b.value, pre: b.value, pos: b.pos, box: cell.box }];
        const r = await unitPatches(ck, { layer, unit, top, tile: TILE, publicDir: ctx.publicDir, name: `evolution-${unit}-epoch-${cp.epoch}-${key.slice(0, 8)}` });
        cells.set(id, [...(cells.get(id) ?? []), { ...cell, pos: b.pos, sheet: r.sheet }]);
      }
    }
    const fw = await filterWeights(ck, scratch);
    if (fw) filters.push({ epoch: cp.epoch, sheet: fw.large, kernel: fw.kernel });
  }
  return writeRecord(file, evolutionSchema, {
    model: model.id,
    dataset: inp.datasetId,
    epochs: run.checkpoints.map((c) => c.epoch),
    history: run.history.map((h) => ({ ...h, trainLoss: sig(h.trainLoss), trainAccuracy: sig(h.trainAccuracy), testLoss: sig(h.testLoss), testAccuracy: sig(h.testAccuracy), seconds: sig(h.seconds, 3) })),
    trainImages: run.trainImages,
    testImages: run.testImages,
    settings: run.settings as unknown as Record<string, unknown>,
    imagesPerSecond: sig(run.imagesPerSecond, 3),
    layers: [...chosen].map(([layer, units]) => ({ layer, units: units.map((u) => ({ ...u, cells: cells.get(`${layer}:${u.unit}`)! })) })),
    filters,
    strips: [...wanted].map(([layer, units]) => ({ layer, units: units.map((unit) => ({ unit, cells: strips.get(`${layer}:${unit}`)! })) })),
    key,
    provenance: provenance(ctx, { method: 'evolution (Zeiler & Fergus Fig. 4): strongest test activation + deconvnet per checkpoint', codeVersion: CODE_VERSION, params: { tile: TILE, checkpoints: run.checkpoints.map((c) => c.epoch), trainingKey: run.key }, model: model.id, seed: run.settings.seed, startedAt }),
  });
}
