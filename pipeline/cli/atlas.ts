/**
 * npm run atlas [-- --layers conv_pw_3,conv_pw_13|all] [--units all|0-15|3,7] [--config FILE] [--out DIR]
 *
 * Computes the unit atlas (feature visualizations, top-9 patches with deconvnet projections, tags)
 * for more units than the default build covers. Resumable: every finished unit is saved at once,
 * and a rerun skips what is done. `npm run build` afterwards puts the new units on the site (the
 * build never recomputes or drops them).
 */
import { parseArgs } from 'node:util';
import { fetchOptionsFor, loadConfig } from '../config/index.ts';
import { initBackend } from '../engine/backend.ts';
import type { BuildContext } from '../steps/context.ts';
import { runPipeline } from '../steps/run-pipeline.ts';
import { buildDirs } from '../steps/site.ts';
import { stderrLog } from '../util/log.ts';
import { runCli } from './run-cli.ts';

const { values: args } = parseArgs({
  options: {
    config: { type: 'string' },
    backend: { type: 'string' },
    out: { type: 'string' },
    records: { type: 'string' },
    public: { type: 'string' },
    layers: { type: 'string', default: 'all' },
    units: { type: 'string', default: 'all' },
  },
});

async function main(): Promise<void> {
  const { recordsDir, publicDir } = buildDirs(args);
  const config = await loadConfig({ path: args.config });
  const backend = await initBackend(args.backend, (m) => stderrLog.info(m));
  const ctx: BuildContext = { config, fetchOpts: fetchOptionsFor(config), backend, recordsDir, publicDir, log: stderrLog };
  const layers = args.layers === 'all' ? 'all' : args.layers!.split(',').map((s) => s.trim()).filter(Boolean);
  await runPipeline(ctx, { atlasOnly: true, atlas: { layers, units: args.units! } });
  stderrLog.info('atlas done; run `npm run build` to put the new units on the site');
}

runCli(main);
