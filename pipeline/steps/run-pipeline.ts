import path from 'node:path';
import { atlasLayers, defaultSelection, extendSelection } from '../atlas/select-units.ts';
import { strikingUnits } from '../atlas/striking-units.ts';
import { ATLAS_KINDS } from '../records/atlas-schemas.ts';
import { writeRecord } from '../records/io.ts';
import { sig } from '../records/sig.ts';
import { loadConfiguredModel } from '../model/load-configured-model.ts';
import { modelSettings } from '../config/model-settings.ts';
import { formatDuration } from '../util/format.ts';
import { checkImages, type CheckedImage } from './check-images.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { resolveTrainedSpec } from '../training/trained-model.ts';
import { envTrainingSize, trainCifarVariants } from '../training/cifar-runs.ts';
import { isTrainedModel, type UrlModelSpec } from '../assets/model-spec.ts';
import { ablation } from './ablation.ts';
import { evolution } from './evolution.ts';
import { classModels } from './class-models.ts';
import type { BuildContext } from './context.ts';
import { datasetImages, datasetInfo } from './dataset-images.ts';
import { datasetStats } from './dataset-stats.ts';
import { zeilerFergusExperiments } from './experiments.ts';
import { embeddingMaps } from './embedding-maps.ts';
import { filterWeights } from './filter-weights.ts';
import { galleryActivations } from './gallery-activations.ts';
import { galleryImages, type Fit } from './gallery-images.ts';
import { analysedPhotos, imageAnalyses } from './image-analyses.ts';
import { ModelPool } from './model-pool.ts';
import type { AtlasQueue } from '../queue/coordinator.ts';
import { mapLayers, writeModelRecord } from './model-record.ts';
import { unitAtlas } from './unit-atlas.ts';
import { unitTagsStep } from './unit-tags.ts';

export interface PipelineOptions {
  /** Extra units for the atlas (`npm run atlas -- --layers ... --units ...`). */
  atlas?: { layers: string[] | 'all'; units: string; queue?: AtlasQueue };
  /** Only the model, dataset statistics and the unit atlas (what `npm run atlas` needs). */
  atlasOnly?: boolean;
}

/**
 * assets → model → artefacts, in order. Each step keeps its own cache keys, so this is also the
 * warm rebuild: every step finds its records fresh and does nothing. Returns the number of pages
 * the site should have (a sanity check for the Astro build).
 */
export async function runPipeline(ctx: BuildContext, opts: PipelineOptions = {}): Promise<number> {
  const started = performance.now();
  const { config, log } = ctx;
  const images = await checkImages(ctx);
  log.info(`images: ${images.gallery.length} gallery, ${images.dataset.length} dataset, ${images.skipped.length} skipped`);
  // A model trained here is trained (or found cached) first and then loaded like any saved model.json.
  const specs = [];
  for (const spec of config.models) specs.push(await resolveTrainedSpec(spec, ctx.fetchOpts, log));
  const models = [];
  for (const spec of specs) models.push(await loadConfiguredModel(spec, ctx.fetchOpts));
  // Printed at every build: a flipped byte in an unpinned local model shows as a changed hash.
  for (const m of models) for (const [file, sha] of Object.entries(m.fileSha256 ?? {})) log.info(`model ${m.id}: ${file} sha256 ${sha}`);
  // A mistyped --layers/--units fails now, not after the gallery steps have run.
  if (opts.atlas) for (const model of models) extendSelection(model, { units: new Map(), featured: new Set() }, opts.atlas.layers, opts.atlas.units);
  const fits = [...new Set(models.map((m) => m.preprocess.fit))] as Fit[];
  if (!opts.atlasOnly) await galleryImages(images.gallery, fits, ctx);
  const dataset = await datasetImages(images.dataset, fits[0], ctx);
  let pages = 4;
  for (const [m, model] of models.entries()) {
    const pool = new ModelPool(specs[m], ctx);
    const settings = modelSettings(config, specs[m]);
    const own = specs[m].dataset ? await ownDataset(specs[m].dataset!, model.preprocess.fit as Fit, ctx) : null;
    const datasetImagesOfModel = own?.images ?? images.dataset;
    try {
      const file = await writeModelRecord(model, ctx);
      log.info(`model ${model.id}: ${model.layers.length} layers → ${path.relative(process.cwd(), file)}`);
      // The per-image analyses need only the photos and the model: they start on the worker pool now
      // and run while this thread does the single-threaded steps below (feature-map sheets, the
      // dataset pass), so no core sits idle. A failure surfaces when it is awaited.
      const analyses = !opts.atlasOnly && images.gallery.length ? imageAnalyses(model, images.gallery, settings.analyses, pool, ctx) : Promise.resolve();
      analyses.catch(() => {});
      if (!opts.atlasOnly) await filterWeights(model, ctx);
      const views = images.gallery.length ? (await galleryActivations(model, images.gallery, ctx)).layers : [];
      const striking = strikingUnits(atlasLayers(model).map((l) => l.id), new Map(views.map((v) => [v.layer, v])), settings.atlas.strikingUnits);
      await writeRecord(path.join(ctx.recordsDir, 'atlas', 'featured', `${model.id}.json`), ATLAS_KINDS.featuredUnits.schema, {
        model: model.id,
        units: striking.map((u) => ({ ...u, selectivity: sig(u.selectivity, 3), reason: 'home page: a unit that singles out one gallery photo' })),
      });
      const datasetId = own ? own.id : dataset ? datasetInfo(ctx)!.id : null;
      const stats = datasetId ? await datasetStats(model, datasetImagesOfModel, datasetId, ctx) : null;
      const statsByLayer = new Map((stats?.layers ?? []).map((l) => [l.layer, l]));
      if (!opts.atlasOnly) pages += await zeilerFergusExperiments(model, ctx); // main thread, while the workers analyse
      await analyses;
      let selection = defaultSelection(model, settings.atlas, striking);
      if (opts.atlas) selection = extendSelection(model, selection, opts.atlas.layers, opts.atlas.units);
      await unitAtlas({ model, dataset: datasetImagesOfModel, datasetId, stats: statsByLayer, selection, settings: settings.atlas, pool, ctx, queue: opts.atlas?.queue });
      if (!opts.atlasOnly) await classModels(model, analysedPhotos(images.gallery, settings.analyses), settings.atlas.classModels, pool, ctx);
      await unitTagsStep(model, datasetImagesOfModel, statsByLayer, ctx);
      if (isTrainedModel(config.models[m]) && datasetId && !opts.atlasOnly) {
        const runs = await trainCifarVariants({ fetchOpts: ctx.fetchOpts, ...envTrainingSize() });
        const spec = specs[m] as UrlModelSpec;
        if (await evolution({ model, spec, run: runs['small-first'], dataset: datasetImagesOfModel, datasetId, stats: statsByLayer, ctx })) pages += 1;
        if (await ablation({ model, spec, runs, gallery: images.gallery, dataset: datasetImagesOfModel, datasetId, ctx })) pages += 1;
      }
      if (!opts.atlasOnly) pages += await embeddingMaps(model, images.gallery, datasetImagesOfModel, datasetId, statsByLayer, ctx);
      const mapped = mapLayers(model);
      pages += 1 + model.layers.length + mapped.reduce((s, l) => s + l.channels, 0) + images.gallery.length + model.labels.length;
    } finally {
      await pool.close();
    }
  }
  log.info(`pipeline done in ${formatDuration(performance.now() - started)}`);
  return pages;
}

/** A model's own dataset (ModelSpec.dataset): checked and thumbnailed like the config's, under its own id. */
async function ownDataset(dataset: NonNullable<ResolvedConfig['dataset']>, fit: Fit, ctx: BuildContext): Promise<{ id: string; images: CheckedImage[] } | null> {
  const sub = { ...ctx, config: { ...ctx.config, dataset, images: { showcase: null, extra: [] } } };
  const checked = await checkImages(sub);
  const record = await datasetImages(checked.dataset, fit, sub);
  return record ? { id: record.id, images: checked.dataset } : null;
}
