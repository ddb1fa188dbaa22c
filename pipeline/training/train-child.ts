/**
 * The child process of trainInBackground: argv[2] is its TrainChildArgs as JSON. Epoch lines go to
 * stderr (the parent prefixes and prints them); no progress bars, which would fight the parent's.
 */
import { initBackend } from '../engine/backend.ts';
import { stderrLog } from '../util/log.ts';
import type { TrainChildArgs } from './background-training.ts';
import { envTrainingSize, trainCifarVariants } from './cifar-runs.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as TrainChildArgs;
try {
  await initBackend(args.backend);
  await trainCifarVariants({ fetchOpts: { ...args.fetchOpts, progress: false }, ...envTrainingSize(), log: stderrLog, progressStream: { write: () => true } });
} catch (err) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
