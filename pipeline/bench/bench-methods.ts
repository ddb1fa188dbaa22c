import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { analyseImage } from '../analyses/analyse-image.ts';
import type { AnalysisMethod, AnalysisSettings } from '../analyses/settings.ts';
import { featureVisUnits } from '../atlas/feature-vis.ts';
import type { AtlasSettings } from '../atlas/settings.ts';
import { atlasLayers } from '../atlas/select-units.ts';
import type { BackendInfo } from '../engine/backend.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import { round, type Figure } from './measure.ts';

type Log = (msg: string) => void;

/**
 * Seconds per gallery image for each per-image method at the configured settings, on one real
 * photo, and as a multiple of one forward pass (what the method costs in network evaluations).
 */
export async function benchAnalyses(model: AtlasModel, backend: BackendInfo, photo: { id: string; file: string }, settings: AnalysisSettings, forwardMs: number, log: Log): Promise<Figure[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'atlas-bench-'));
  const figures: Figure[] = [];
  try {
    const runs: { label: string; method: AnalysisMethod; fine: boolean }[] = [
      ...settings.methods.map((method) => ({ label: method, method, fine: false })),
      { label: 'occlusion-fine', method: 'occlusion', fine: true },
    ];
    for (const r of runs) {
      const job = { image: { id: photo.id, file: photo.file, sha256: '', trueClass: null }, settings, fine: r.fine, publicDir: dir };
      const started = performance.now();
      await analyseImage(model, backend, { ...job, methods: [{ method: r.method, key: '0'.repeat(64), codeVersion: 0, params: {} }] });
      const ms = performance.now() - started;
      log(`${r.label}: ${(ms / 1000).toFixed(1)} s/image (${Math.round(ms / forwardMs)} forward passes' worth)`);
      figures.push({ name: `analyses/${r.label}/s_per_image`, value: round(ms / 1000, 1), unit: 's' }, { name: `analyses/${r.label}/forward_equivalents`, value: Math.round(ms / forwardMs), unit: 'x' });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}

/** Feature-visualization steps per second (a batch of units of one layer) and seconds per unit at the configured settings. */
export async function benchFeatureVis(model: AtlasModel, s: AtlasSettings['featureVis'], unitsPerLayer: number, log: Log, steps = 24): Promise<Figure[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'atlas-bench-'));
  const layers = atlasLayers(model);
  const picks = [layers[Math.floor(layers.length * 0.15)], layers[Math.floor(layers.length / 2)], layers.at(-1)!];
  const figures: Figure[] = [];
  let totalPerUnit = 0;
  try {
    for (const layer of picks) {
      const units = Array.from({ length: Math.min(s.batch, layer.channels) }, (_, i) => i);
      const r = await featureVisUnits(model, { layer: layer.id, units, settings: { ...s, steps }, publicDir: dir });
      const stepMs = r.ms / steps;
      const perUnit = (stepMs * s.steps) / units.length / 1000;
      totalPerUnit += perUnit;
      log(`feature vis ${layer.id}: ${(1000 / stepMs).toFixed(2)} steps/s (batch ${units.length}, ${s.size} px), ${perUnit.toFixed(1)} s/unit at ${s.steps} steps`);
      figures.push({ name: `featurevis/${layer.id}/steps_per_s`, value: round(1000 / stepMs), unit: 'steps/s' }, { name: `featurevis/${layer.id}/s_per_unit`, value: round(perUnit, 1), unit: 's' });
    }
    const avg = totalPerUnit / picks.length;
    const units = layers.reduce((n, l) => n + Math.min(unitsPerLayer, l.channels), 0);
    log(`feature vis: ~${avg.toFixed(1)} s/unit on average → all ${layers.reduce((n, l) => n + l.channels, 0)} units ≈ ${((avg * layers.reduce((n, l) => n + l.channels, 0)) / 3600).toFixed(1)} core-hours; default subset (${units} units) ≈ ${((avg * units) / 60).toFixed(1)} core-minutes`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}
