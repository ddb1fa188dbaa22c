import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { mulberry32 } from '../featurevis/random.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { stableHash } from '../util/hash.ts';
import { silentLog, type Log } from '../util/log.ts';
import { createProgress, type ProgressStream } from '../util/progress.ts';
import { batchInputs, shuffledOrder, type Augmentation } from './augment.ts';
import { pixelCount, type PixelSet } from './cifar-data.ts';
import { loadSavedLayersModel, saveLayersModel } from './layers-model-files.ts';
import { buildNet, type NetSpec } from './net-spec.ts';
import { loadOptimizerState, saveOptimizerState } from './optimizer-state.ts';

/** Bump when the training code changes what it produces: old runs then no longer match. */
export const TRAINING_CODE_VERSION = 3;

export interface TrainSettings {
  spec: NetSpec;
  seed: number;
  epochs: number;
  /** Epochs after which a checkpoint model is kept (the columns of the evolution figure). */
  schedule: number[];
  batchSize: number;
  learningRate: number;
  augment: Augmentation | null;
}

export interface EpochMetrics {
  epoch: number;
  /** Mean over the epoch's batches while training (augmented inputs, weights still moving). */
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  seconds: number;
}

export interface TrainingRecord {
  key: string;
  settings: TrainSettings;
  trainImages: number;
  testImages: number;
  history: EpochMetrics[];
  /** Checkpoint epoch → directory (relative to the run directory) holding model.json + weights.bin. */
  checkpoints: { epoch: number; dir: string }[];
  /** Training images per second, forward + backward + update, over the epochs this process ran. */
  imagesPerSecond: number;
  backend: string;
}

export interface TrainOptions {
  /** Parent folder; each run lives in `<root>/<name>-<key>/`. */
  root: string;
  name: string;
  log?: Log;
  progressStream?: ProgressStream;
  /** For tests: stop (as if interrupted) after this many epochs of this call. */
  stopAfterEpochs?: number;
}

export function trainingKey(settings: TrainSettings, train: PixelSet, test: PixelSet): string {
  return stableHash({ settings, train: stableHash(train.sha256), test: stableHash(test.sha256), code: TRAINING_CODE_VERSION }).slice(0, 16);
}

export function runDir(opts: TrainOptions, key: string): string {
  return path.join(opts.root, `${opts.name}-${key}`);
}

interface ResumeState {
  epoch: number;
  history: EpochMetrics[];
  stateDir: string;
}

function compile(model: tf.LayersModel, lr: number): void {
  model.compile({ optimizer: tf.train.adam(lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
}

/** Loss and accuracy on a whole set, without augmentation, in batches. */
export async function evaluate(model: tf.LayersModel, set: PixelSet, batch = 250): Promise<{ loss: number; accuracy: number }> {
  let loss = 0;
  let correct = 0;
  const n = pixelCount(set);
  for (let start = 0; start < n; start += batch) {
    const idx = Array.from({ length: Math.min(batch, n - start) }, (_, i) => start + i);
    const probs = tf.tidy(() => model.predict(tf.tensor4d(batchInputs(set, idx, null, Math.random), [idx.length, set.size, set.size, 3])) as tf.Tensor2D);
    const p = (await probs.data()) as Float32Array;
    const k = probs.shape[1];
    probs.dispose();
    idx.forEach((img, b) => {
      const row = p.subarray(b * k, (b + 1) * k);
      const label = set.labels[img];
      loss -= Math.log(Math.max(row[label], 1e-7));
      let best = 0;
      for (let c = 1; c < k; c++) if (row[c] > row[best]) best = c;
      if (best === label) correct++;
    });
  }
  return { loss: loss / n, accuracy: correct / n };
}

/** One seed per (run seed, epoch, batch): any batch's shuffle and augmentation can be replayed alone. */
function batchSeed(seed: number, epoch: number, batch: number): number {
  return (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b) ^ Math.imul(batch + 1, 0xc2b2ae35)) >>> 0;
}

async function trainEpoch(model: tf.LayersModel, set: PixelSet, s: TrainSettings, epoch: number, onBatch: (n: number, loss: number, acc: number) => void) {
  const n = pixelCount(set);
  const order = shuffledOrder(n, batchSeed(s.seed, epoch, -1));
  let loss = 0;
  let acc = 0;
  for (let start = 0, b = 0; start < n; start += s.batchSize, b++) {
    const idx = order.subarray(start, Math.min(n, start + s.batchSize));
    const xs = batchInputs(set, idx, s.augment, mulberry32(batchSeed(s.seed, epoch, b)));
    const x = tf.tensor4d(xs, [idx.length, set.size, set.size, 3]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(idx, (i) => set.labels[i]), 'int32'), s.spec.classes));
    const [l, a] = (await model.trainOnBatch(x, y)) as number[];
    tf.dispose([x, y]);
    loss += l * idx.length;
    acc += a * idx.length;
    onBatch(idx.length, l, a);
  }
  return { trainLoss: loss / n, trainAccuracy: acc / n };
}

async function readResume(dir: string): Promise<ResumeState | null> {
  const file = path.join(dir, 'state.json');
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as ResumeState) : null;
}

/**
 * Trains (or finishes, or just returns) the run for these settings and data. Everything is keyed:
 * a finished run is read back; an interrupted one resumes from its last completed epoch, whose
 * weights and optimizer state were saved; shuffles and augmentations are seeded per batch, so the
 * resumed run takes the same steps the uninterrupted one would.
 */
export async function trainNet(train: PixelSet, test: PixelSet, s: TrainSettings, opts: TrainOptions): Promise<TrainingRecord> {
  const log = opts.log ?? silentLog;
  const key = trainingKey(s, train, test);
  const dir = runDir(opts, key);
  const recordFile = path.join(dir, 'training.json');
  if (existsSync(recordFile)) return JSON.parse(await readFile(recordFile, 'utf8')) as TrainingRecord;

  const resume = await readResume(dir);
  let model: tf.LayersModel;
  const history = resume?.history ?? [];
  if (resume) {
    model = await loadSavedLayersModel(path.join(dir, resume.stateDir));
    compile(model, s.learningRate);
    await loadOptimizerState(model.optimizer, path.join(dir, resume.stateDir, 'optimizer'));
    log.info(`${opts.name}: resuming after epoch ${resume.epoch} of ${s.epochs}`);
  } else {
    model = buildNet(s.spec, s.seed);
    compile(model, s.learningRate);
  }
  const first = (resume?.epoch ?? 0) + 1;
  const n = pixelCount(train);
  const progress = createProgress({ label: `train ${opts.name}`, total: (s.epochs - first + 1) * n, noun: 'images', stream: opts.progressStream });
  let ranEpochs = 0;
  let ranSeconds = 0;
  for (let epoch = first; epoch <= s.epochs; epoch++) {
    if (opts.stopAfterEpochs !== undefined && ranEpochs >= opts.stopAfterEpochs) break;
    const t0 = performance.now();
    const fit = await trainEpoch(model, train, s, epoch, (count, l, a) => {
      progress.tick(count);
      progress.setDetail(`epoch ${epoch}/${s.epochs}  loss ${l.toFixed(3)}  acc ${(a * 100).toFixed(1)}%`);
    });
    const seconds = (performance.now() - t0) / 1000;
    const t = await evaluate(model, test);
    history.push({ epoch, ...fit, testLoss: t.loss, testAccuracy: t.accuracy, seconds });
    ranEpochs++;
    ranSeconds += seconds;
    if (s.schedule.includes(epoch)) await saveLayersModel(model, path.join(dir, `epoch-${epoch}`), { epoch, metrics: history.at(-1) });
    await saveState(model, dir, { epoch, history, stateDir: `state-${epoch}` }, resume?.stateDir);
    log.info(`${opts.name}: epoch ${epoch}/${s.epochs}  train loss ${fit.trainLoss.toFixed(3)} acc ${pct(fit.trainAccuracy)}  test loss ${t.loss.toFixed(3)} acc ${pct(t.accuracy)}  (${seconds.toFixed(1)} s)`);
  }
  progress.finish();
  const done = history.at(-1)?.epoch === s.epochs;
  const record: TrainingRecord = {
    key,
    settings: s,
    trainImages: n,
    testImages: pixelCount(test),
    history,
    checkpoints: s.schedule.filter((e) => history.some((h) => h.epoch === e)).map((epoch) => ({ epoch, dir: `epoch-${epoch}` })),
    imagesPerSecond: ranSeconds > 0 ? (ranEpochs * n) / ranSeconds : 0,
    backend: tf.getBackend(),
  };
  model.dispose();
  if (done) await writeFileAtomic(recordFile, JSON.stringify(record, null, 2));
  return record;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** The new state directory is complete before state.json points at it; only then is the old one removed. */
async function saveState(model: tf.LayersModel, dir: string, state: ResumeState, previous: string | undefined): Promise<void> {
  const stateDir = path.join(dir, state.stateDir);
  await saveLayersModel(model, stateDir);
  await saveOptimizerState(model.optimizer, path.join(stateDir, 'optimizer'));
  const old = existsSync(path.join(dir, 'state.json')) ? (JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as ResumeState).stateDir : previous;
  await writeFileAtomic(path.join(dir, 'state.json'), JSON.stringify(state));
  if (old && old !== state.stateDir) await rm(path.join(dir, old), { recursive: true, force: true });
}
