/**
 * npm run bench [-- --backend wasm|cpu|tensorflow] [--repeats N] [--only engine,analyses,featurevis,tsne,queue,training] [--tsne-sizes 1000,10000,50000]
 * Forward and input-gradient timings of the real default model, their ratio, and the same on the
 * cpu backend for one layer as a reference; seconds per gallery image for every per-image method;
 * feature-visualization steps per second and seconds per unit; t-SNE seconds and peak memory at
 * n = 1,000, 10,000 and 50,000 (synthetic); unit-atlas jobs per second through a local Redis queue
 * with 1 and 2 workers and the full atlas's projected wall time on N machines; training images/s,
 * seconds per epoch and final test accuracy of the CIFAR-10 convnet trained here (both variants).
 * Ends with one JSON line per figure.
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { fetchOptionsFor, loadConfig } from '../config/index.ts';
import { backendInfo, initBackend } from '../engine/backend.ts';
import { logits, runLayers } from '../model/activations.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import { inputAttribution } from '../model/attribution.ts';
import { loadConfiguredModel } from '../model/load-configured-model.ts';
import { medianMs, round, settle, type Figure } from './measure.ts';
import { runCli } from '../cli/run-cli.ts';
import { checkImages } from '../steps/check-images.ts';
import { benchAnalyses, benchFeatureVis } from './bench-methods.ts';
import { benchQueue } from './bench-queue.ts';
import { benchTsne } from './bench-tsne.ts';
import { benchTraining } from './bench-training.ts';

const { values: args } = parseArgs({ options: { backend: { type: 'string' }, repeats: { type: 'string', default: '5' }, config: { type: 'string' }, only: { type: 'string', default: 'engine,analyses,featurevis,tsne,queue,training' }, 'tsne-sizes': { type: 'string', default: '1000,10000,50000' } } });
const repeats = Number(args.repeats);
const figures: Figure[] = [];
const log = (msg: string) => process.stderr.write(msg + '\n');

function randomBatch(model: AtlasModel, n: number): tf.Tensor4D {
  return tf.randomUniform([n, ...model.inputSize, 3], -1, 1, 'float32', 42) as tf.Tensor4D;
}

async function wholeModel(model: AtlasModel, prefix: string, batch: number): Promise<void> {
  const x = randomBatch(model, batch);
  const forward = await medianMs(settle(() => logits(model, x)), repeats);
  const gradient = await medianMs(settle(() => inputAttribution(model, x, { kind: 'class', index: 0 }, 'gradient')), repeats);
  const deconv = await medianMs(settle(() => inputAttribution(model, x, { kind: 'class', index: 0 }, 'deconvnet')), repeats);
  x.dispose();
  log(`${prefix} batch ${batch}: forward ${forward.toFixed(1)} ms (${(forward / batch).toFixed(1)} ms/image), input gradient ${gradient.toFixed(1)} ms, deconvnet ${deconv.toFixed(1)} ms, gradient/forward ${(gradient / forward).toFixed(2)}x`);
  figures.push(
    { name: `${prefix}/b${batch}/forward_ms`, value: round(forward, 1), unit: 'ms' },
    { name: `${prefix}/b${batch}/forward_ms_per_image`, value: round(forward / batch, 1), unit: 'ms' },
    { name: `${prefix}/b${batch}/input_gradient_ms`, value: round(gradient, 1), unit: 'ms' },
    { name: `${prefix}/b${batch}/deconvnet_ms`, value: round(deconv, 1), unit: 'ms' },
    { name: `${prefix}/b${batch}/backward_over_forward`, value: round(gradient / forward), unit: 'x' },
  );
}

/** One early layer on the current backend vs the JS cpu backend: the reference the fast path beats. */
async function oneLayerVsCpu(model: AtlasModel, prefix: string, layer: string): Promise<void> {
  const target = { kind: 'channel' as const, layer, channel: 0 };
  const measure = async () => {
    const x = randomBatch(model, 1);
    const fwd = await medianMs(settle(() => runLayers(model, x, [layer])[layer]), 3, 1);
    const grad = await medianMs(settle(() => inputAttribution(model, x, target)), 3, 1);
    const g = inputAttribution(model, x, target);
    const values = new Float32Array(await g.data());
    tf.dispose([x, g]);
    return { fwd, grad, values };
  };
  const main = tf.getBackend();
  const fast = await measure();
  await tf.setBackend('cpu');
  const cpu = await measure();
  await tf.setBackend(main);
  let err = 0;
  for (let i = 0; i < fast.values.length; i++) err = Math.max(err, Math.abs(fast.values[i] - cpu.values[i]));
  log(`${prefix} ${layer} b1: ${main} forward ${fast.fwd.toFixed(1)} ms, gradient ${fast.grad.toFixed(1)} ms | cpu forward ${cpu.fwd.toFixed(1)} ms, gradient ${cpu.grad.toFixed(1)} ms | max abs error ${err.toExponential(2)}`);
  figures.push(
    { name: `${prefix}/${layer}/cpu_forward_ms`, value: round(cpu.fwd, 1), unit: 'ms' },
    { name: `${prefix}/${layer}/cpu_input_gradient_ms`, value: round(cpu.grad, 1), unit: 'ms' },
    { name: `${prefix}/${layer}/cpu_backward_over_forward`, value: round(cpu.grad / cpu.fwd), unit: 'x' },
    { name: `${prefix}/${layer}/${main}_backward_over_forward`, value: round(fast.grad / fast.fwd), unit: 'x' },
    { name: `${prefix}/${layer}/gradient_speedup_over_cpu`, value: round(cpu.grad / fast.grad, 1), unit: 'x' },
    { name: `${prefix}/${layer}/gradient_max_abs_error_vs_cpu`, value: Number(err.toExponential(2)), unit: 'abs' },
  );
}

runCli(async () => {
  const config = await loadConfig({ path: args.config });
  await initBackend(args.backend, log);
  const model = await loadConfiguredModel(config.models[0], fetchOptionsFor(config));
  const prefix = model.id.replace(/_224$/, '');
  log(`model ${model.id}: ${model.layers.length} layers, backend ${backendInfo().detail}`);
  const only = new Set(args.only!.split(','));
  if (only.has('engine')) {
    for (const batch of [1, 16]) await wholeModel(model, prefix, batch);
    await oneLayerVsCpu(model, prefix, model.layers[2]?.id ?? model.layers[0].id);
  }
  if (only.has('analyses')) {
    const images = await checkImages({ config, fetchOpts: fetchOptionsFor(config), log: { info: log, warn: log } });
    const photo = images.gallery[0];
    if (!photo) throw new Error('bench needs at least one gallery image');
    const x = randomBatch(model, 16);
    const forwardMs = (await medianMs(settle(() => logits(model, x)), 3)) / 16;
    x.dispose();
    log(`per-image analyses on ${photo.id} (one forward pass: ${forwardMs.toFixed(1)} ms at batch 16):`);
    figures.push(...(await benchAnalyses(model, backendInfo(), photo, config.analyses, forwardMs, log)));
  }
  if (only.has('featurevis')) figures.push(...(await benchFeatureVis(model, config.atlas.featureVis, config.atlas.unitsPerLayer, log)));
  if (only.has('training')) figures.push(...(await benchTraining(fetchOptionsFor(config), repeats, log)));
  if (only.has('tsne')) figures.push(...benchTsne(args['tsne-sizes']!.split(',').map(Number), log));
  if (only.has('queue')) {
    const all = [model];
    for (const spec of config.models.slice(1)) all.push(await loadConfiguredModel(spec, fetchOptionsFor(config)));
    figures.push(...(await benchQueue(config, args.config, all, log)));
  }
  for (const f of figures) console.log(JSON.stringify(f));
});
