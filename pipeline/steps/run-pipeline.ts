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
import { resolveTrainedSpec, TRAINED_PREPROCESS } from '../training/trained-model.ts';
import { trainInBackground, type TrainChildArgs } from '../training/background-training.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import type { FetchOptions } from '../assets/fetch-asset.ts';
import { envTrainingSize, trainCifarVariants } from '../training/cifar-runs.ts';
import { isTrainedModel, type ModelSpec, type TrainedModelSpec, type UrlModelSpec } from '../assets/model-spec.ts';
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
import { WorkerPool } from '../engine/worker-pool.ts';
import type { AtlasQueue } from '../queue/coordinator.ts';
import { mapLayers, writeModelRecord } from './model-record.ts';
import { unitAtlas } from './unit-atlas.ts';
import { unitTagsStep } from './unit-tags.ts';

/**
 * Threads for map layouts. Two, not one: at the end of a build only the last models' maps are left,
 * and a single thread left the second core idle for ~4 min in the measured cold build.
 */
const LAYOUT_THREADS = 2;

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
  // A model trained here trains in a child process while the other models' steps run (it uses one
  // core; they leave one idle in their main-thread-only phases), and is loaded like any saved
  // model.json when its turn comes. `npm run atlas` trains in process, before anything else.
  const background = !opts.atlasOnly && config.models.some(isTrainedModel)
    ? trainInBackground({ fetchOpts: pickFetchOptions(ctx.fetchOpts), backend: ctx.backend.name }, log)
    : null;
  const specs: ModelSpec[] = [];
  for (const spec of config.models) specs.push(background ? spec : await resolveTrainedSpec(spec, ctx.fetchOpts, log));
  const loaded = new Map<number, AtlasModel>();
  const loadModel = async (m: number) => {
    if (!loaded.has(m)) {
      if (isTrainedModel(specs[m])) {
        await background;
        specs[m] = await resolveTrainedSpec(specs[m], ctx.fetchOpts, log);
      }
      const model = await loadConfiguredModel(specs[m] as Exclude<ModelSpec, TrainedModelSpec>, ctx.fetchOpts);
      // Printed at every build: a flipped byte in an unpinned local model shows as a changed hash.
      for (const [file, sha] of Object.entries(model.fileSha256 ?? {})) log.info(`model ${model.id}: ${file} sha256 ${sha}`);
      // A mistyped --layers/--units fails before the model's steps run.
      if (opts.atlas) extendSelection(model, { units: new Map(), featured: new Set() }, opts.atlas.layers, opts.atlas.units);
      loaded.set(m, model);
    }
    return loaded.get(m)!;
  };
  // Every model that needs no training loads now, so a bad model file or selection fails before any work.
  for (const m of specs.keys()) if (!isTrainedModel(specs[m])) await loadModel(m);
  const fits = [...new Set(specs.map((s, m) => (isTrainedModel(s) ? (s.preprocess?.fit ?? TRAINED_PREPROCESS.fit) : loaded.get(m)!.preprocess.fit)))] as Fit[];
  if (!opts.atlasOnly) await galleryImages(images.gallery, fits, ctx);
  const dataset = await datasetImages(images.dataset, fits[0], ctx);
  let pages = 4;
  let layoutPool: Promise<WorkerPool> | undefined;
  const mapsDone: Promise<number>[] = [];
  try {
    for (const m of specs.keys()) {
      const model = await loadModel(m);
      const pool = new ModelPool(specs[m] as Exclude<ModelSpec, TrainedModelSpec>, ctx);
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
        // Main thread, while the workers analyse and then start the unit atlas: with few photos to
        // analyse (Darknet's 2) the workers would otherwise wait for the experiments.
        const experiments = opts.atlasOnly ? Promise.resolve(0) : zeilerFergusExperiments(model, ctx);
        experiments.catch(() => {});
        await analyses;
        let selection = defaultSelection(model, settings.atlas, striking);
        if (opts.atlas) selection = extendSelection(model, selection, opts.atlas.layers, opts.atlas.units);
        await unitAtlas({ model, dataset: datasetImagesOfModel, datasetId, stats: statsByLayer, selection, settings: settings.atlas, pool, ctx, queue: opts.atlas?.queue });
        pages += await experiments;
        if (!opts.atlasOnly) await classModels(model, analysedPhotos(images.gallery, settings.analyses), settings.atlas.classModels, pool, ctx);
        await unitTagsStep(model, datasetImagesOfModel, statsByLayer, ctx);
        if (isTrainedModel(config.models[m]) && datasetId && !opts.atlasOnly) {
          const runs = await trainCifarVariants({ fetchOpts: ctx.fetchOpts, ...envTrainingSize() });
          const spec = specs[m] as UrlModelSpec;
          if (await evolution({ model, spec, run: runs['small-first'], dataset: datasetImagesOfModel, datasetId, stats: statsByLayer, ctx })) pages += 1;
          if (await ablation({ model, spec, runs, gallery: images.gallery, dataset: datasetImagesOfModel, datasetId, ctx })) pages += 1;
        }
        // The maps need nothing from the next model: their layouts run on their own thread while the
        // next model's steps go on, filling the core this thread alone would leave idle.
        if (!opts.atlasOnly) {
          layoutPool ??= WorkerPool.start({ tasks: new URL('../embedding/layout-tasks.ts', import.meta.url), init: null, size: LAYOUT_THREADS });
          const pool = await layoutPool;
          const done = embeddingMaps(model, images.gallery, datasetImagesOfModel, datasetId, statsByLayer, ctx, undefined, (args) => pool.run('mapLayouts', args));
          done.catch(() => {});
          mapsDone.push(done);
        }
        const mapped = mapLayers(model);
        pages += 1 + model.layers.length + mapped.reduce((s, l) => s + l.channels, 0) + images.gallery.length + model.labels.length;
      } finally {
        await pool.close();
      }
    }
    for (const maps of await Promise.all(mapsDone)) pages += maps;
  } finally {
    // Maps still running after a failure finish or fail on their own; the worker goes when they settle.
    await Promise.allSettled(mapsDone);
    await (await layoutPool)?.close();
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

/** The serialisable part of the fetch options, for the training child process. */
function pickFetchOptions(f: FetchOptions): TrainChildArgs['fetchOpts'] {
  return { cacheDir: f.cacheDir, mirrorDir: f.mirrorDir, baseDir: f.baseDir, hashLocal: f.hashLocal, retries: f.retries };
}
