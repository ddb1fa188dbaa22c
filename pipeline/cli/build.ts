/**
 * npm run build [-- --config FILE] [--out DIR] [--backend NAME] [--skip-site] [--skip-pipeline] [--force-site]
 *
 * Pipeline (assets → model → artefacts), then the static site (astro build + pagefind). Each step
 * writes typed records under content/generated/ and images under public/generated/, atomically,
 * keyed for reuse on warm builds. `--out DIR` puts everything (records, public files, dist/, Astro's
 * cache) under DIR instead, so tests and experiments never touch the real site.
 */
import path from 'node:path';
import { runPipeline } from '../steps/run-pipeline.ts';
import { buildDirs, buildSite } from '../steps/site.ts';
import { formatDuration } from '../util/format.ts';
import { stderrLog } from '../util/log.ts';
import { PIPELINE_OPTIONS, pipelineContext } from './pipeline-context.ts';
import { parseCliArgs, runCli } from './run-cli.ts';

const { values: args } = parseCliArgs({
  options: {
    ...PIPELINE_OPTIONS,
    dist: { type: 'string' },
    'skip-site': { type: 'boolean', default: false },
    'skip-pipeline': { type: 'boolean', default: false },
    'force-site': { type: 'boolean', default: false },
  },
});

const siteDirs = buildDirs(args);

const started = performance.now();
let pages = 0;

async function main(): Promise<void> {
  if (!args['skip-pipeline']) {
    pages = await runPipeline(await pipelineContext(args, siteDirs));
  }

  if (!args['skip-site']) {
    const siteStarted = performance.now();
    await buildSite(siteDirs, stderrLog, { force: args['force-site'], expectedPages: pages || undefined });
    stderrLog.info(`site done in ${formatDuration(performance.now() - siteStarted)} → ${path.relative(process.cwd(), siteDirs.distDir) || siteDirs.distDir}`);
  }
  stderrLog.info(`build done in ${formatDuration(performance.now() - started)}`);
}

runCli(main);
