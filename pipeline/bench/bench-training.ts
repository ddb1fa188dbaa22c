import * as tf from '@tensorflow/tfjs';
import type { FetchOptions } from '../assets/fetch-asset.ts';
import { DEFAULT_EPOCHS, DEFAULT_PER_CLASS, cifarSettings, trainCifarVariants } from '../training/cifar-runs.ts';
import { buildNet } from '../training/net-spec.ts';
import { medianMs, round, type Figure } from './measure.ts';

/**
 * Training throughput of both CIFAR variants (one Adam step on a batch of 64, forward + backward +
 * update, median of `repeats`), the seconds an epoch of the default run costs at that rate, and the
 * default run's own figures (it is trained here when not cached: that is the build's training cost).
 */
export async function benchTraining(fetchOpts: FetchOptions, repeats: number, log: (m: string) => void): Promise<Figure[]> {
  const figures: Figure[] = [];
  const batch = 64;
  const perEpoch = DEFAULT_PER_CLASS * 10;
  for (const variant of ['small-first', 'large-first'] as const) {
    const s = cifarSettings(variant);
    const model = buildNet(s.spec, s.seed);
    model.compile({ optimizer: tf.train.adam(s.learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = tf.randomUniform([batch, 32, 32, 3], -1, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10);
    const ms = await medianMs(async () => void (await model.trainOnBatch(x, y)), repeats, 2);
    tf.dispose([x, y]);
    model.dispose();
    const ips = (batch * 1000) / ms;
    log(`training ${variant}: ${ips.toFixed(0)} images/s (batch ${batch}, ${ms.toFixed(0)} ms/step) → ${(perEpoch / ips).toFixed(1)} s per epoch of ${perEpoch} images`);
    figures.push(
      { name: `training/${variant}/images_per_s`, value: round(ips, 1), unit: 'images/s' },
      { name: `training/${variant}/s_per_epoch`, value: round(perEpoch / ips, 1), unit: 's' },
    );
  }
  const t0 = performance.now();
  const runs = await trainCifarVariants({ fetchOpts, log: { info: log, warn: log } });
  log(`default training (${DEFAULT_PER_CLASS * 10} images x ${DEFAULT_EPOCHS} epochs, both variants): ${((performance.now() - t0) / 1000).toFixed(0)} s in this call (0 when cached)`);
  for (const [variant, r] of Object.entries(runs)) {
    const last = r.history.at(-1)!;
    const seconds = r.history.reduce((a, h) => a + h.seconds, 0);
    log(`training ${variant}: final test accuracy ${(last.testAccuracy * 100).toFixed(1)}% after ${last.epoch} epochs; ${seconds.toFixed(0)} s of training when it ran`);
    figures.push(
      { name: `training/${variant}/final_test_accuracy`, value: round(last.testAccuracy, 4), unit: 'fraction' },
      { name: `training/${variant}/train_seconds`, value: round(seconds, 1), unit: 's' },
    );
  }
  return figures;
}
