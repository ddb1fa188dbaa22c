/**
 * npm run build (pipeline part): assets → model → artefacts. Each step writes typed records under
 * content/generated/ and images under public/generated/, atomically, keyed for reuse on warm builds.
 */
import { parseArgs } from 'node:util';
import { fetchOptionsFor, loadConfig } from '../config/index.ts';
import { initBackend } from '../engine/backend.ts';
import { loadConfiguredModel } from '../model/load-configured-model.ts';
import { checkImages } from '../steps/check-images.ts';
import { DEFAULT_PUBLIC_DIR, DEFAULT_RECORDS_DIR, type BuildContext } from '../steps/context.ts';
import { writeModelRecord } from '../steps/model-record.ts';
import { formatDuration } from '../util/format.ts';
import { stderrLog } from '../util/log.ts';
import { runCli } from './run-cli.ts';

const { values: args } = parseArgs({
  options: {
    config: { type: 'string' },
    backend: { type: 'string' },
    records: { type: 'string', default: DEFAULT_RECORDS_DIR },
    public: { type: 'string', default: DEFAULT_PUBLIC_DIR },
  },
});

runCli(async () => {
  const started = performance.now();
  const config = await loadConfig({ path: args.config });
  const backend = await initBackend(args.backend, (m) => stderrLog.info(m));
  const ctx: BuildContext = { config, fetchOpts: fetchOptionsFor(config), backend, recordsDir: args.records!, publicDir: args.public!, log: stderrLog };

  const images = await checkImages(ctx);
  stderrLog.info(`images: ${images.gallery.length} gallery, ${images.dataset.length} dataset, ${images.skipped.length} skipped`);
  for (const spec of config.models) {
    const model = await loadConfiguredModel(spec, ctx.fetchOpts);
    const file = await writeModelRecord(model, ctx);
    stderrLog.info(`model ${model.id}: ${model.layers.length} layers → ${file}`);
  }
  stderrLog.info(`pipeline done in ${formatDuration(performance.now() - started)}`);
});
