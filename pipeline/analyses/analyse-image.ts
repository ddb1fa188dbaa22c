import type { BackendInfo } from '../engine/backend.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import type { Provenance } from '../records/schemas.ts';
import { deepdreamFigure } from './deepdream.ts';
import { disposeContext, figureContext, type AnalysisImage, type FigureContext } from './figure-context.ts';
import { gradcamFigure } from './gradcam.ts';
import { invarianceFigure } from './invariance.ts';
import { occlusionFigure } from './occlusion.ts';
import { patchDetectionFigure } from './patch-detection.ts';
import { projectionsFigure } from './projections.ts';
import type { AnalysisMethod, AnalysisSettings } from './settings.ts';

/** One method to (re)compute for a photo: the step decided it is stale and what its key is. */
export interface MethodJob {
  method: AnalysisMethod;
  key: string;
  codeVersion: number;
  params: Record<string, unknown>;
}

export interface AnalyseImageJob {
  image: AnalysisImage;
  settings: AnalysisSettings;
  /** Whether this photo gets the fine occlusion sweeps. */
  fine: boolean;
  methods: MethodJob[];
  publicDir: string;
}

export interface MethodResult {
  method: AnalysisMethod;
  record: Record<string, unknown> & { provenance: Provenance };
}

function runFigure(ctx: FigureContext, job: AnalyseImageJob, method: AnalysisMethod): Promise<object> {
  const s = job.settings;
  switch (method) {
    case 'projections':
      return projectionsFigure(ctx, s.projections);
    case 'gradcam':
      return gradcamFigure(ctx, s.gradcam);
    case 'occlusion':
      return occlusionFigure(ctx, s.occlusion, job.fine);
    case 'deepdream':
      return deepdreamFigure(ctx, s.deepdream);
    case 'invariance':
      return invarianceFigure(ctx, s.invariance);
    case 'patchDetection':
      return patchDetectionFigure(ctx, s.patchDetection);
  }
}

const SEEDED: Partial<Record<AnalysisMethod, (s: AnalysisSettings) => number>> = { deepdream: (s) => s.deepdream.seed };

/**
 * All stale methods for one photo, in one worker: the photo is decoded and classified once and
 * every figure reuses it. Each record is complete (key and provenance) when it comes back.
 */
export async function analyseImage(model: AtlasModel, backend: BackendInfo, job: AnalyseImageJob): Promise<MethodResult[]> {
  const ctx = await figureContext(model, job.image, job.publicDir);
  try {
    const results: MethodResult[] = [];
    for (const m of job.methods) {
      const startedAt = performance.now();
      const body = await runFigure(ctx, job, m.method);
      const provenance: Provenance = {
        method: m.method,
        model: model.id,
        image: job.image.id,
        params: m.params,
        seed: SEEDED[m.method]?.(job.settings) ?? null,
        backend: backend.detail,
        tfjs: backend.tfjsVersion,
        codeVersion: m.codeVersion,
        createdAt: new Date().toISOString(),
        durationMs: Math.round(performance.now() - startedAt),
      };
      results.push({ method: m.method, record: { model: model.id, image: job.image.id, ...body, key: m.key, provenance } });
    }
    return results;
  } finally {
    disposeContext(ctx);
  }
}
