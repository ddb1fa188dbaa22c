/**
 * npm run atlas [-- --layers conv_pw_3,conv_pw_13|all] [--units all|0-15|3,7] [--config FILE] [--out DIR] [--queue redis://HOST:PORT]
 *
 * Computes the unit atlas (feature visualizations, top-9 patches with deconvnet projections, tags)
 * for more units than the default build covers. Resumable: every finished unit is saved at once,
 * and a rerun skips what is done. `npm run build` afterwards puts the new units on the site (the
 * build never recomputes or drops them). With --queue (or env ATLAS_QUEUE) the jobs go to
 * `npm run worker` processes on any number of machines (pipeline/queue/).
 */
import { AtlasQueue } from '../queue/coordinator.ts';
import { queueUrl } from '../queue/connection.ts';
import { runPipeline } from '../steps/run-pipeline.ts';
import { buildDirs } from '../steps/site.ts';
import { stderrLog } from '../util/log.ts';
import { PIPELINE_OPTIONS, pipelineContext } from './pipeline-context.ts';
import { parseCliArgs, runCli } from './run-cli.ts';

const { values: args } = parseCliArgs({
  options: {
    ...PIPELINE_OPTIONS,
    layers: { type: 'string', default: 'all' },
    units: { type: 'string', default: 'all' },
    queue: { type: 'string' },
  },
});

async function main(): Promise<void> {
  const ctx = await pipelineContext(args, buildDirs(args));
  const layers = args.layers === 'all' ? 'all' : args.layers!.split(',').map((s) => s.trim()).filter(Boolean);
  const url = queueUrl(args.queue);
  const queue = url ? await AtlasQueue.open(url, ctx.log) : undefined;
  try {
    await runPipeline(ctx, { atlasOnly: true, atlas: { layers, units: args.units!, queue } });
  } finally {
    await queue?.close();
  }
  stderrLog.info('atlas done; run `npm run build` to put the new units on the site');
}

runCli(main);
