import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FetchOptions } from '../assets/fetch-asset.ts';
import type { BackendName } from '../engine/backend.ts';
import type { Log } from '../util/log.ts';

const CHILD = fileURLToPath(new URL('./train-child.ts', import.meta.url));

/** What the child needs to train exactly the runs the build would: same data, cache and backend. */
export interface TrainChildArgs {
  fetchOpts: Pick<FetchOptions, 'cacheDir' | 'mirrorDir' | 'baseDir' | 'hashLocal' | 'retries'>;
  backend: BackendName;
}

/**
 * Trains the CIFAR runs in a child process while the build goes on with the ImageNet models.
 * tfjs here computes on one thread, so training alone leaves the second core idle for minutes; in
 * the background it fills the phases where only the main thread works. Resolves true when the runs
 * finished (they are then cached: the build's own trainCifarVariants call only reads them), false
 * when the child failed; the build then trains in process, where a real error surfaces with its cause.
 * The build must await this before touching the runs: two trainers would share one resume state.
 */
export function trainInBackground(args: TrainChildArgs, log: Log): Promise<boolean> {
  const started = performance.now();
  const child = spawn(process.execPath, [...process.execArgv, CHILD, JSON.stringify(args)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // A build that fails or is interrupted takes its trainer with it (an interrupted run resumes later).
  const stop = () => child.kill('SIGTERM');
  process.once('exit', stop);
  const tail: string[] = [];
  let partial = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      log.info(`[training] ${line}`);
      tail.push(line);
      if (tail.length > 20) tail.shift();
    }
  });
  return new Promise((resolve) => {
    child.on('error', (err) => {
      log.warn(`background training could not start (${err.message}); the build trains in process`);
      resolve(false);
    });
    child.on('close', (code, signal) => {
      process.off('exit', stop);
      if (code === 0) {
        log.info(`[training] done in the background in ${((performance.now() - started) / 1000).toFixed(0)} s`);
        resolve(true);
      } else {
        log.warn(`background training ended with ${signal ?? `exit code ${code}`}; the build trains in process. Its last lines:\n  ${tail.join('\n  ')}`);
        resolve(false);
      }
    });
  });
}
