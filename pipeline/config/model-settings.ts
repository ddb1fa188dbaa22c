import type { AnalysisSettings } from '../analyses/settings.ts';
import type { ModelSpec } from '../assets/model-spec.ts';
import type { AtlasSettings } from '../atlas/settings.ts';
import { mergeSettings } from './settings-overrides.ts';

/** One model's analysis and atlas settings: the config's, with that model's own overrides on top. */
export function modelSettings(config: { analyses: AnalysisSettings; atlas: AtlasSettings }, spec: ModelSpec): { analyses: AnalysisSettings; atlas: AtlasSettings } {
  return { analyses: mergeSettings(config.analyses, spec.analyses), atlas: mergeSettings(config.atlas, spec.atlas) };
}
