import { fetchOptionsFor, loadConfig } from '../config/index.ts';
import { initBackend } from '../engine/backend.ts';
import type { BuildContext } from '../steps/context.ts';
import { sweepStaleTemps } from '../util/atomic-write.ts';
import { stderrLog } from '../util/log.ts';

/** The command-line options every pipeline command shares (parseArgs format). */
export const PIPELINE_OPTIONS = {
  config: { type: 'string' },
  backend: { type: 'string' },
  out: { type: 'string' },
  records: { type: 'string' },
  public: { type: 'string' },
} as const;

/** Config, compute backend and output directories → what the pipeline's steps get. */
export async function pipelineContext(args: { config?: string; backend?: string }, dirs: Pick<BuildContext, 'recordsDir' | 'publicDir'>): Promise<BuildContext> {
  const config = await loadConfig({ path: args.config });
  const swept = await sweepStaleTemps([dirs.recordsDir, dirs.publicDir, config.cacheDir]);
  if (swept) stderrLog.info(`removed ${swept} temp file${swept === 1 ? '' : 's'} left by an interrupted build`);
  const backend = await initBackend(args.backend, (m) => stderrLog.info(m));
  return { config, fetchOpts: fetchOptionsFor(config), backend, recordsDir: dirs.recordsDir, publicDir: dirs.publicDir, log: stderrLog };
}
