import path from 'node:path';
import type { AnalyseImageJob, MethodJob, MethodResult } from '../analyses/analyse-image.ts';
import type { AnalysisImage } from '../analyses/figure-context.ts';
import { occlusionPairs } from '../analyses/occlusion.ts';
import type { AnalysisMethod, AnalysisSettings } from '../analyses/settings.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import { ANALYSIS_KINDS } from '../records/analysis-schemas.ts';
import { freshRecord, publicPaths, recordFiles, writeRecord } from '../records/io.ts';
import { createProgress } from '../util/progress.ts';
import { classIndexOf, type CheckedImage, type ClassOrder } from './check-images.ts';
import type { BuildContext } from './context.ts';
import type { ModelPool } from './model-pool.ts';
import { stepKey } from './provenance.ts';

/**
 * Per gallery photo: deconvnet/guided/saliency projections, Grad-CAM, occlusion, DeepDream,
 * invariance curves and patch detection. One record per (photo, method), each keyed by what that
 * method depends on, so a changed parameter redoes only its method; stale work goes to the worker
 * pool one photo at a time and each record is written as soon as it arrives (an interrupted
 * build resumes where it stopped).
 */

const CODE_VERSIONS: Record<AnalysisMethod, number> = { projections: 3, gradcam: 1, occlusion: 2, deepdream: 1, invariance: 2, patchDetection: 2 };
const DIRS: Record<AnalysisMethod, string> = {
  projections: 'projections',
  gradcam: 'gradcam',
  occlusion: 'occlusion',
  deepdream: 'deepdream',
  invariance: 'invariance',
  patchDetection: 'patch-detection',
};

export function analysisRecordFile(recordsDir: string, method: AnalysisMethod, model: string, image: string): string {
  return path.join(recordsDir, 'analyses', DIRS[method], model, `${image}.json`);
}

/** The class a photo shows, when its label names one of the model's classes ("tabby cat" → "tabby, tabby cat"). */
export function trueClassOf(image: Pick<CheckedImage, 'label' | 'classIndex' | 'className' | 'wnid'>, model: ClassOrder): number | null {
  const { labels } = model;
  if (image.wnid || (image.classIndex !== undefined && !model.wnids)) {
    const i = classIndexOf(image, model);
    if (i >= 0) return i;
  }
  const wanted = [image.className, ...(image.label ?? '').split(' / ')].filter(Boolean).map((s) => s!.trim().toLowerCase());
  for (const w of wanted) {
    const i = labels.findIndex((l) => l.toLowerCase() === w || l.toLowerCase().split(/,\s*/).includes(w));
    if (i >= 0) return i;
  }
  return null;
}

function methodParams(method: AnalysisMethod, s: AnalysisSettings, model: AtlasModel, fine: boolean): Record<string, unknown> {
  if (method === 'occlusion') return { ...s.occlusion, sweeps: occlusionPairs(model, s.occlusion, fine) };
  return { ...s[method] };
}

async function staleMethods(model: AtlasModel, image: CheckedImage, fine: boolean, s: AnalysisSettings, ctx: BuildContext): Promise<MethodJob[]> {
  const paths = publicPaths(ctx.publicDir);
  const jobs: MethodJob[] = [];
  for (const method of s.methods) {
    const params = methodParams(method, s, model, fine);
    const key = stepKey(`analysis-${method}`, CODE_VERSIONS[method], { model: model.contentHash ?? model.id, image: image.sha256, fit: model.preprocess.fit, params });
    const file = analysisRecordFile(ctx.recordsDir, method, model.id, image.id);
    const fresh = await freshRecord(file, ANALYSIS_KINDS[method].schema, key, (r) => recordFiles(paths, r));
    if (!fresh) jobs.push({ method, key, codeVersion: CODE_VERSIONS[method], params });
  }
  return jobs;
}

async function writeResults(model: AtlasModel, image: string, results: MethodResult[], ctx: BuildContext): Promise<void> {
  for (const r of results) {
    await writeRecord(analysisRecordFile(ctx.recordsDir, r.method, model.id, image), ANALYSIS_KINDS[r.method].schema, r.record as never);
  }
}

/** The photos that get the per-image analyses (and whose classes get class models): the first `images`. */
export function analysedPhotos<T>(gallery: T[], settings: Pick<AnalysisSettings, 'images'>): T[] {
  return settings.images === 'all' ? gallery : gallery.slice(0, settings.images);
}

export async function imageAnalyses(model: AtlasModel, gallery: CheckedImage[], settings: AnalysisSettings, pool: ModelPool, ctx: BuildContext): Promise<void> {
  const todo: AnalyseImageJob[] = [];
  const analysed = analysedPhotos(gallery, settings);
  if (analysed.length < gallery.length) ctx.log.info(`${model.id}: per-image analyses for the first ${analysed.length} of ${gallery.length} photos (analyses.images)`);
  for (const [i, image] of analysed.entries()) {
    const fine = i < settings.occlusion.fineImages;
    const methods = await staleMethods(model, image, fine, settings, ctx);
    const analysisImage: AnalysisImage = { id: image.id, file: image.file, sha256: image.sha256, trueClass: trueClassOf(image, model) };
    if (methods.length) todo.push({ image: analysisImage, settings, fine, methods, publicDir: ctx.publicDir });
  }
  if (todo.length === 0) {
    ctx.log.info(`${model.id}: per-image analyses cached (${gallery.length} images × ${settings.methods.length} methods)`);
    return;
  }
  const workers = await pool.get();
  const progress = createProgress({ label: `${model.id} per-image analyses`, total: todo.length, noun: 'images' });
  const failures: string[] = [];
  await Promise.all(
    todo.map(async (job) => {
      try {
        await writeResults(model, job.image.id, await workers.run<MethodResult[]>('analyseImage', job), ctx);
      } catch (error) {
        failures.push(`${job.image.id}: ${(error as Error).message}`);
      } finally {
        progress.tick();
      }
    }),
  );
  progress.finish();
  // Finished photos are already on disk: a failure loses only its own photo's work.
  if (failures.length) throw new Error(`per-image analyses failed for ${failures.length} image(s):\n  ${failures.join('\n  ')}`);
}
