import path from 'node:path';
import type { FeatureVisExtras, FeatureVisUnit } from '../atlas/feature-vis.ts';
import type { UnitSelection } from '../atlas/select-units.ts';
import type { AtlasSettings } from '../atlas/settings.ts';
import type { TopPatch, UnitPatchesResult } from '../atlas/unit-patches.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import type { AtlasQueue } from '../queue/coordinator.ts';
import type { AtlasJob, AtlasTask } from '../queue/jobs.ts';
import { ATLAS_KINDS } from '../records/atlas-schemas.ts';
import { freshRecord, publicPaths, recordFiles, writeRecord } from '../records/io.ts';
import type { UnitStatsRecord } from '../records/schemas.ts';
import { createProgress, type Progress } from '../util/progress.ts';
import type { CheckedImage } from './check-images.ts';
import type { BuildContext } from './context.ts';
import { readDatasetMatrix, type DatasetMatrix } from './dataset-matrix.ts';
import type { ModelPool } from './model-pool.ts';
import { sha256File, stableHash } from '../util/hash.ts';
import { provenance, stepKey } from './provenance.ts';
import { sig } from '../records/sig.ts';

/**
 * The unit atlas for a selection of units: top-9 dataset patches with deconvnet projections,
 * feature visualizations, and (featured units) the negative direction and a diverse batch. One
 * record per unit and kind, written as each worker job ends: an interrupted run resumes unit by
 * unit, and a finished unit is never redone unless its inputs or settings change.
 */

const VERSIONS = { patches: 3, vis: 1, extras: 1 };
/** Per task, the code version a queue worker must share with the coordinator. */
export const ATLAS_CODE_VERSIONS: Record<AtlasTask, number> = { unitPatches: VERSIONS.patches, featureVis: VERSIONS.vis, featureVisExtras: VERSIONS.extras };

export type AtlasKind = 'unitPatches' | 'featureVis' | 'featureVisExtras';
const DIRS: Record<AtlasKind, string> = { unitPatches: 'patches', featureVis: 'feature-vis', featureVisExtras: 'feature-vis-extras' };

export function atlasRecordFile(recordsDir: string, kind: AtlasKind, model: string, layer: string, unit: number): string {
  return path.join(recordsDir, 'atlas', DIRS[kind], model, layer, `${unit}.json`);
}

interface Inputs {
  model: AtlasModel;
  dataset: CheckedImage[];
  datasetId: string | null;
  stats: Map<string, UnitStatsRecord>;
  selection: UnitSelection;
  settings: AtlasSettings;
  pool: ModelPool;
  ctx: BuildContext;
  /** When set, jobs go through this queue to workers on any machine instead of this machine's threads. */
  queue?: AtlasQueue;
}

type TaskArgs<T extends AtlasTask> = Omit<Extract<AtlasJob, { task: T }>, 'task' | 'model' | 'modelHash' | 'codeVersion' | 'top'> & (T extends 'unitPatches' ? { top: TopPatch[] } : unknown);

/**
 * Runs one task, on this machine's worker threads or through the queue (the same task code runs
 * either way; see pipeline/queue/). The job id is the cache key of what it computes. Returns the
 * result and the backend that computed it, for the provenance.
 */
async function compute<R, T extends AtlasTask = AtlasTask>(inp: Inputs, task: T, args: TaskArgs<T>, jobId: string): Promise<{ r: R; on: Pick<BuildContext, 'backend'> }> {
  if (!inp.queue) {
    const workers = await inp.pool.get();
    return { r: await workers.run<R>(task, { ...args, publicDir: inp.ctx.publicDir }), on: inp.ctx };
  }
  // The queue carries no local paths: dataset images go by id and sha256, images come back as bytes.
  const { top, ...rest } = args as { top?: TopPatch[] };
  const hashed = top && (await Promise.all(top.map(async ({ file, ...t }) => ({ ...t, sha256: t.sha256 || (await sha256File(file)) }))));
  const job = { ...rest, task, model: inp.model.id, modelHash: inp.model.contentHash ?? inp.model.id, codeVersion: ATLAS_CODE_VERSIONS[task], ...(hashed && { top: hashed }) } as AtlasJob;
  const { result, backend } = await inp.queue.run<R>(job, jobId, inp.ctx.publicDir);
  return { r: result, on: { backend } };
}

interface Work {
  label: string;
  units: number;
  run(): Promise<void>;
}

/** Provenance times are the worker's compute time (for a batch: the whole batch's), not time spent queued. */
const computeStart = (ms: number) => performance.now() - ms;

async function isFresh(kind: AtlasKind, inp: Inputs, layer: string, unit: number, key: string): Promise<boolean> {
  const file = atlasRecordFile(inp.ctx.recordsDir, kind, inp.model.id, layer, unit);
  const rec = await freshRecord(file, ATLAS_KINDS[kind].schema, key, (r) => recordFiles(publicPaths(inp.ctx.publicDir), r));
  return rec !== undefined;
}

async function patchWork(inp: Inputs, layer: string, unit: number): Promise<Work | null> {
  const stats = inp.stats.get(layer);
  const u = stats?.units[unit];
  if (!stats || !u || !inp.datasetId || u.top.length === 0) return null;
  const s = inp.settings.patches;
  const key = stepKey('unit-patches', VERSIONS.patches, { model: inp.model.contentHash ?? inp.model.id, stats: stats.key, layer, unit, s });
  if (await isFresh('unitPatches', inp, layer, unit, key)) return null;
  const files = new Map(inp.dataset.map((d) => [d.id, { file: d.file, sha256: d.sha256 }]));
  const top: TopPatch[] = u.top.map((t) => ({ image: t.image, ...files.get(t.image)!, value: t.value, pre: t.pre, pos: t.pos!, box: t.box! }));
  return {
    label: `${layer}:${unit} patches`,
    units: 0,
    run: async () => {
      const { r, on } = await compute<UnitPatchesResult, 'unitPatches'>(inp, 'unitPatches', { layer, unit, top, tile: s.tile }, `patches-${key}`);
      const prov = provenance(on, { method: 'top-9 patches + deconvnet', codeVersion: VERSIONS.patches, params: { ...s, rule: 'deconvnet', backwardPasses: r.backwardPasses }, model: inp.model.id, layer, unit, startedAt: computeStart(r.ms) });
      const items = top.map((t) => ({ image: t.image, value: t.value, pre: t.pre, pos: t.pos, box: t.box }));
      await writeRecord(atlasRecordFile(inp.ctx.recordsDir, 'unitPatches', inp.model.id, layer, unit), ATLAS_KINDS.unitPatches.schema, {
        model: inp.model.id, layer, unit, dataset: inp.datasetId!, sheet: r.sheet, items, projectionSimilarity: r.projectionSimilarity === null ? null : sig(r.projectionSimilarity, 3), key, provenance: prov,
      });
      await inp.queue?.done(`patches-${key}`);
    },
  };
}

function best(inp: Inputs, profiles: DatasetMatrix | null, layer: string, unit: number): { bestMean: number | null; bestMax: number | null } {
  const u = inp.stats.get(layer)?.units[unit];
  const bestMax = u ? u.max : null;
  if (!profiles?.has(layer)) return { bestMean: null, bestMax };
  return { bestMean: sig(Math.max(...profiles.column(layer, unit))), bestMax };
}

function visKey(inp: Inputs, layer: string, unit: number, kind: 'vis' | 'extras'): string {
  return stepKey(kind === 'vis' ? 'feature-vis' : 'feature-vis-extras', VERSIONS[kind], { model: inp.model.contentHash ?? inp.model.id, layer, unit, s: inp.settings.featureVis });
}

async function visWork(inp: Inputs, layer: string, units: number[], profiles: DatasetMatrix | null): Promise<Work[]> {
  const stale = [];
  for (const unit of units) if (!(await isFresh('featureVis', inp, layer, unit, visKey(inp, layer, unit, 'vis')))) stale.push(unit);
  const s = inp.settings.featureVis;
  const work: Work[] = [];
  for (let i = 0; i < stale.length; i += s.batch) {
    const chunk = stale.slice(i, i + s.batch);
    const jobId = `vis-${stableHash(chunk.map((u) => visKey(inp, layer, u, 'vis')))}`;
    work.push({
      label: `${layer} feature vis ${chunk.join(',')}`,
      units: chunk.length,
      run: async () => {
        const { r, on } = await compute<{ units: FeatureVisUnit[]; ms: number }, 'featureVis'>(inp, 'featureVis', { layer, units: chunk, settings: s }, jobId);
        for (const v of r.units) {
          const b = best(inp, profiles, layer, v.unit);
          const prov = provenance(on, {
            method: 'feature visualization (channel mean, Lucid recipe)', codeVersion: VERSIONS.vis,
            params: { ...s, objective: 'channel mean', parameterization: 'fourier, decorrelated colour', transforms: 'pad, jitter, scale, rotate, jitter', batchUnits: chunk },
            model: inp.model.id, layer, unit: v.unit, seed: s.seed, startedAt: computeStart(r.ms),
          });
          await writeRecord(atlasRecordFile(inp.ctx.recordsDir, 'featureVis', inp.model.id, layer, v.unit), ATLAS_KINDS.featureVis.schema, {
            model: inp.model.id, layer, unit: v.unit, image: v.image, reachedMean: sig(v.reachedMean), reachedMax: sig(v.reachedMax),
            history: v.history.map((h) => sig(h)), ...b, quality: b.bestMean ? sig(v.reachedMean / b.bestMean, 3) : null,
            key: visKey(inp, layer, v.unit, 'vis'), provenance: prov,
          });
        }
        await inp.queue?.done(jobId);
      },
    });
  }
  return work;
}

async function extrasWork(inp: Inputs, layer: string, unit: number): Promise<Work | null> {
  const key = visKey(inp, layer, unit, 'extras');
  if (await isFresh('featureVisExtras', inp, layer, unit, key)) return null;
  const s = inp.settings.featureVis;
  return {
    label: `${layer}:${unit} negative + diversity`,
    units: 0,
    run: async () => {
      const { r, on } = await compute<FeatureVisExtras, 'featureVisExtras'>(inp, 'featureVisExtras', { layer, unit, settings: s }, `extras-${key}`);
      const img = (v: FeatureVisExtras['negative']) => ({ image: v.image, reachedMean: sig(v.reachedMean), reachedMax: sig(v.reachedMax) });
      const prov = provenance(on, { method: 'feature visualization: negative direction and diversity', codeVersion: VERSIONS.extras, params: { ...s, objective: '−channel mean; channel mean − weight · Gram cosine diversity' }, model: inp.model.id, layer, unit, seed: s.seed, startedAt: computeStart(r.ms) });
      await writeRecord(atlasRecordFile(inp.ctx.recordsDir, 'featureVisExtras', inp.model.id, layer, unit), ATLAS_KINDS.featureVisExtras.schema, {
        model: inp.model.id, layer, unit, negative: img(r.negative), diversity: r.diversity.map(img), similarity: sig(r.similarity), key, provenance: prov,
      });
      await inp.queue?.done(`extras-${key}`);
    },
  };
}

async function runAll(work: Work[], progress: Progress): Promise<string[]> {
  const failures: string[] = [];
  await Promise.all(
    work.map(async (w) => {
      try {
        await w.run();
      } catch (error) {
        failures.push(`${w.label}: ${(error as Error).message}`);
      } finally {
        progress.tick();
      }
    }),
  );
  return failures;
}

export async function unitAtlas(inp: Inputs): Promise<void> {
  const { model, selection, ctx } = inp;
  const firstStats = [...inp.stats.values()][0];
  const profiles = firstStats ? await readDatasetMatrix('profiles', model.id, firstStats.key, ctx.config.cacheDir) : null;
  const work: Work[] = [];
  let units = 0;
  for (const [layer, list] of selection.units) {
    units += list.length;
    work.push(...(await visWork(inp, layer, list, profiles)));
    for (const unit of list) {
      const p = await patchWork(inp, layer, unit);
      if (p) work.push(p);
      if (selection.featured.has(`${layer}:${unit}`)) {
        const e = await extrasWork(inp, layer, unit);
        if (e) work.push(e);
      }
    }
  }
  if (work.length === 0) {
    ctx.log.info(`${model.id}: unit atlas cached (${units} units in ${selection.units.size} layers)`);
    return;
  }
  // Longest jobs first (deep layers' feature visualizations), so no worker idles at the end.
  work.sort((a, b) => b.units - a.units);
  const progress = createProgress({ label: `${model.id} unit atlas`, total: work.length, noun: 'jobs' });
  const failures = await runAll(work, progress);
  progress.finish();
  if (failures.length) throw new Error(`unit atlas: ${failures.length} job(s) failed (finished units are saved; rerun to resume):\n  ${failures.slice(0, 10).join('\n  ')}`);
}
