/**
 * npm run classify -- <image path | URL | catalog id> [...] [--top 5] [--backend wasm] [--config file]
 * Prints the default model's top predictions for each image: the quickest check that model,
 * preprocessing and backend work on this machine.
 */
import { findAsset } from '../assets/catalog.ts';
import { fetchAsset } from '../assets/fetch-asset.ts';
import { loadImagesSkippingBad } from '../assets/images.ts';
import { fetchOptionsFor, loadConfig } from '../config/index.ts';
import { initBackend } from '../engine/backend.ts';
import { classify } from '../model/activations.ts';
import { imageBatch } from '../model/image-batch.ts';
import { loadConfiguredModel } from '../model/load-configured-model.ts';
import { parseCliArgs, runCli } from './run-cli.ts';

const { values: args, positionals } = parseCliArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '5' }, backend: { type: 'string' }, config: { type: 'string' } },
});
if (!positionals.length) {
  console.error('usage: npm run classify -- <image path | URL | catalog id> [...] [--top 5] [--backend wasm|cpu|tensorflow]');
  process.exit(2);
}
runCli(async () => {
  const config = await loadConfig({ path: args.config });
  const fetchOpts = fetchOptionsFor(config);
  await initBackend(args.backend, (m) => console.error(m));
  const model = await loadConfiguredModel(config.models[0], fetchOpts);
  const paths = await Promise.all(positionals.map((p) => fetchAsset(findAsset(p) ?? { url: p }, fetchOpts)));
  const { images, skipped } = await loadImagesSkippingBad(paths, model.inputSize[0], undefined, { fit: model.preprocess.fit });
  const x = imageBatch(model, images);
  const predictions = await classify(model, x, Number(args.top));
  images.forEach((img, i) => {
    console.log(img.path);
    for (const p of predictions[i]) console.log(`  ${(p.probability * 100).toFixed(1).padStart(5)}%  ${p.label} (${p.index})`);
  });
  if (skipped.length) process.exitCode = 1;
});
