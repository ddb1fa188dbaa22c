import path from 'node:path';
import { fetchAllInfo } from '../assets/fetch-asset.ts';
import { loadImageTensorData } from '../assets/images.ts';
import { notImageNetReason, transferSettings } from '../experiments/settings.ts';
import { transferSummary } from '../experiments/summaries.ts';
import { probeSets, type ProbeSet } from '../experiments/transfer-sets.ts';
import { accuracy, fitLinearProbe } from '../methods/linear-probe.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import { pooledFeatures } from '../model/pooled-features.ts';
import { transferSchema, type TransferRecord } from '../records/experiment-schemas.ts';
import { freshRecord, writeRecord } from '../records/io.ts';
import { mapLimited } from '../util/map-limited.ts';
import { createProgress } from '../util/progress.ts';
import type { BuildContext } from './context.ts';
import { provenance, stepKey } from './provenance.ts';
import { sig } from '../records/sig.ts';

/**
 * Transfer by layer (Zeiler & Fergus Sec. 5): the frozen model's globally pooled features at every
 * layer, for labelled sets it was not trained on (CIFAR-10, a Caltech-101 sample), each read out by
 * a linear probe (methods/linear-probe.ts); test accuracy per layer. One streamed pass extracts all
 * layers of all images; the probes are small and run after it.
 */

const CODE_VERSION = 1;

export async function transferStep(
  model: AtlasModel,
  ctx: BuildContext,
  settings = transferSettings(ctx.config.experiments.transfer),
): Promise<TransferRecord | null> {
  const skip = notImageNetReason(model);
  if (skip) {
    ctx.log.info(`transfer: skipped — ${skip}`);
    return null;
  }
  const sets = probeSets(settings);
  const fit = model.preprocess.fit;
  const layers = model.layers;
  const params = { ...settings, inputSize: model.inputSize[0], fit, pooling: 'global average' };
  const key = stepKey('transfer', CODE_VERSION, {
    model: model.contentHash ?? model.id,
    sets: sets.map((s) => [s.id, s.train.map((e) => e.sha256), s.test.map((e) => e.sha256)]),
    params,
  });
  const file = path.join(ctx.recordsDir, 'experiments', 'transfer', `${model.id}.json`);
  const cached = await freshRecord(file, transferSchema, key);
  if (cached) {
    ctx.log.info(`${model.id}: transfer by layer cached`);
    return cached;
  }
  const startedAt = performance.now();
  const all = sets.flatMap((s) => [...s.train, ...s.test]);
  const files = (await fetchAllInfo(all.map((e) => ({ url: e.url, sha256: e.sha256, bytes: e.bytes, label: e.id })), { ...ctx.fetchOpts, label: 'transfer images' })).map((a) => a.path);
  const progress = createProgress({ label: `${model.id} transfer features`, total: all.length, noun: 'images' });
  const features = await pooledFeatures(
    model,
    all.length,
    (start, end) => mapLimited(files.slice(start, end), 4, (f) => loadImageTensorData(f, model.inputSize[0], { fit })),
    layers.map((l) => l.id),
    { batchSize: settings.batch, onBatch: (n) => progress.tick(n) },
  );
  progress.finish();
  const extractSeconds = (performance.now() - startedAt) / 1000;

  const fitStarted = performance.now();
  const fits = createProgress({ label: `${model.id} transfer probes`, total: sets.length * layers.length, noun: 'probes' });
  let offset = 0;
  const datasets: TransferRecord['datasets'] = [];
  for (const set of sets) {
    const [train, test] = [set.train.length, set.test.length];
    const labelsOf = (entries: ProbeSet['train']) => Int32Array.from(entries, (e) => set.classes.indexOf(e.className ?? e.label));
    const [yTrain, yTest] = [labelsOf(set.train), labelsOf(set.test)];
    const results = [];
    for (const layer of layers) {
      const c = layer.channels;
      const x = features.get(layer.id)!;
      const xTrain = x.subarray(offset * c, (offset + train) * c);
      const xTest = x.subarray((offset + train) * c, (offset + train + test) * c);
      const probe = fitLinearProbe(xTrain, yTrain, train, c, set.classes.length, settings.probe);
      try {
        results.push({ layer: layer.id, index: layer.index, dims: c, accuracy: sig(accuracy(probe.predict(xTest, test), yTest)), trainAccuracy: sig(accuracy(probe.predict(xTrain, train), yTrain)) });
      } finally {
        probe.dispose();
      }
      fits.tick();
    }
    offset += train + test;
    datasets.push({ id: set.id, name: set.name, classes: set.classes, chance: sig(1 / set.classes.length), train, test, split: set.split, source: set.source, license: set.license, layers: results });
  }
  fits.finish();
  const record = await writeRecord(file, transferSchema, {
    model: model.id,
    datasets,
    probe: { ...settings.probe, features: 'global average pool of the layer output, standardised with the training set' },
    extractSeconds: sig(extractSeconds, 3),
    fitSeconds: sig((performance.now() - fitStarted) / 1000, 3),
    summary: transferSummary(datasets),
    key,
    provenance: provenance(ctx, { method: 'transfer-by-layer', codeVersion: CODE_VERSION, params, model: model.id, startedAt }),
  });
  ctx.log.info(`${model.id}: transfer by layer (${all.length} images, ${sets.length * layers.length} probes) in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  return record;
}
