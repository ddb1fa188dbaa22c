/**
 * npm run train [-- --per-class N] [--epochs N] [--variant small-first|large-first] [--backend wasm|cpu|tensorflow]
 * Trains the small CIFAR-10 convnet (and its large-first-layer ablation) on
 * dataset:cifar10-train-10000, evaluating on dataset:cifar10-test-1000. Runs are cached by a hash of
 * data, architecture, seed, schedule and code version under <cache>/training/runs/; an interrupted
 * run resumes from its last finished epoch. Prints one JSON line per variant at the end.
 */
import { fetchOptionsFor, loadConfig } from '../config/index.ts';
import { initBackend } from '../engine/backend.ts';
import { stderrLog } from '../util/log.ts';
import { DEFAULT_EPOCHS, DEFAULT_PER_CLASS, envTrainingSize, trainCifarVariants } from '../training/cifar-runs.ts';
import { parseCliArgs, runCli } from './run-cli.ts';

runCli(async () => {
  const { values: args } = parseCliArgs({
    options: {
      'per-class': { type: 'string' },
      epochs: { type: 'string' },
      variant: { type: 'string', multiple: true },
      backend: { type: 'string', default: 'wasm' },
      config: { type: 'string' },
    },
  });
  await initBackend(args.backend, stderrLog.info);
  const config = await loadConfig({ path: args.config });
  const runs = await trainCifarVariants({
    fetchOpts: fetchOptionsFor(config),
    perClass: Number(args['per-class'] ?? envTrainingSize().perClass ?? DEFAULT_PER_CLASS),
    epochs: Number(args.epochs ?? envTrainingSize().epochs ?? DEFAULT_EPOCHS),
    variants: args.variant as ('small-first' | 'large-first')[] | undefined,
    log: stderrLog,
  });
  for (const [variant, r] of Object.entries(runs)) {
    const last = r.history.at(-1)!;
    const seconds = r.history.reduce((a, h) => a + h.seconds, 0);
    process.stdout.write(JSON.stringify({ variant, dir: r.dir, epochs: r.history.length, trainImages: r.trainImages, testAccuracy: last.testAccuracy, trainSeconds: Math.round(seconds), imagesPerSecond: Math.round((r.trainImages * r.history.length) / seconds) }) + '\n');
  }
});
