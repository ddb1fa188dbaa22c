/**
 * npm run worker -- --queue redis://HOST:PORT [--config FILE] [--threads N] [--backend NAME] [--lock-ms MS]
 *
 * Takes unit-atlas jobs from the queue that `npm run atlas -- --queue …` fills and computes them
 * with this checkout's code and model files; run it on as many machines as you like. The URL may
 * also come from env ATLAS_QUEUE (better for a password: it stays out of the process list).
 * Ctrl-C / SIGTERM finishes the jobs in hand, then exits.
 */
import { parseArgs } from 'node:util';
import { defaultWorkerCount } from '../engine/worker-pool.ts';
import { queueUrl, redactUrl } from '../queue/connection.ts';
import { AtlasWorker } from '../queue/worker.ts';
import { buildDirs } from '../steps/site.ts';
import { PIPELINE_OPTIONS, pipelineContext } from './pipeline-context.ts';
import { runCli } from './run-cli.ts';

const { values: args } = parseArgs({
  options: {
    config: PIPELINE_OPTIONS.config,
    backend: PIPELINE_OPTIONS.backend,
    queue: { type: 'string' },
    threads: { type: 'string' },
    'lock-ms': { type: 'string', default: '30000' },
  },
});

async function main(): Promise<void> {
  const url = queueUrl(args.queue);
  if (!url) throw new Error('no queue: pass --queue redis://HOST:PORT or set ATLAS_QUEUE');
  const threads = args.threads ? Number(args.threads) : Math.max(1, defaultWorkerCount());
  const lockMs = Number(args['lock-ms']);
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads must be a positive whole number (got ${args.threads})`);
  if (!Number.isInteger(lockMs) || lockMs < 1000) throw new Error(`--lock-ms must be at least 1000 (got ${args['lock-ms']})`);
  const ctx = await pipelineContext(args, buildDirs({}));
  const worker = new AtlasWorker({ url, ctx, threads, lockMs });
  await worker.start();
  ctx.log.info(`worker ready: ${threads} thread${threads === 1 ? '' : 's'}, queue ${redactUrl(url)}`);
  const stop = (signal: NodeJS.Signals) => {
    ctx.log.info(`worker: finishing the jobs in hand, then stopping (${signal} again stops now; the queue gives those jobs to another worker)`);
    process.once(signal, () => process.exit(1));
    worker.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

runCli(main);
