import path from 'node:path';
import { loadImageTensorData } from '../assets/images.ts';
import type { UrlModelSpec } from '../assets/model-spec.ts';
import { forEachBatch } from '../model/activations.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import { loadConfiguredModel } from '../model/load-configured-model.ts';
import { fromSiteSrc, freshRecord, publicPaths, writeRecord } from '../records/io.ts';
import { ablationSchema, type AblationRecord } from '../records/training-schemas.ts';
import { ablationSummary, DEAD_CRITERION, deadUnits, foldChannelMax } from '../training/ablation-measures.ts';
import type { TrainingRecord } from '../training/train.ts';
import { mapLimited } from '../util/map-limited.ts';
import type { CheckedImage } from './check-images.ts';
import type { BuildContext } from './context.ts';
import { filterWeights, firstConvLayer } from './filter-weights.ts';
import { galleryActivations } from './gallery-activations.ts';
import { provenance, stepKey } from './provenance.ts';
import { sig } from '../records/sig.ts';

const CODE_VERSION = 1;
const BATCH = 250;
/** Photos shown through both variants: enough to see aliasing, few enough to sit side by side. */
export const ABLATION_PHOTOS = 3;

/** Per first-layer filter, its largest activation over every position of every test image. */
async function firstLayerMaxima(model: AtlasModel, layer: string, dataset: CheckedImage[]): Promise<Float32Array> {
  let maxima: Float32Array | null = null;
  const load = (start: number, end: number) => mapLimited(dataset.slice(start, end), 8, (d) => loadImageTensorData(d.file, model.inputSize[0], { fit: model.preprocess.fit }));
  await forEachBatch(model, dataset.length, BATCH, load, [layer], async (acts) => {
    const t = acts[layer];
    const c = t.shape.at(-1)!;
    maxima ??= new Float32Array(c).fill(-Infinity);
    foldChannelMax(maxima, (await t.data()) as Float32Array, c);
  });
  return maxima ?? new Float32Array(0);
}

export interface AblationInputs {
  model: AtlasModel;
  spec: UrlModelSpec;
  runs: Record<string, TrainingRecord & { dir: string }>;
  gallery: CheckedImage[];
  dataset: CheckedImage[];
  datasetId: string;
  ctx: BuildContext;
}

export async function ablation(inp: AblationInputs): Promise<AblationRecord | null> {
  const { model, ctx } = inp;
  const names = ['small-first', 'large-first'].filter((n) => inp.runs[n]?.checkpoints.length);
  const photos = inp.gallery.slice(0, ABLATION_PHOTOS);
  const mapLayer = model.layers.filter((l) => l.kind === 'conv')[1]?.id;
  if (names.length < 2 || !mapLayer || inp.dataset.length === 0) return null;
  const key = stepKey('ablation', CODE_VERSION, {
    model: model.contentHash ?? model.id,
    runs: names.map((n) => inp.runs[n].key),
    dataset: inp.datasetId,
    images: inp.dataset.map((d) => d.sha256),
    photos: photos.map((p) => p.sha256),
    criterion: DEAD_CRITERION,
    mapLayer,
  });
  const file = path.join(ctx.recordsDir, 'ablation', `${model.id}.json`);
  const pub = publicPaths(ctx.publicDir);
  const files = (r: AblationRecord) =>
    r.variants.flatMap((v) => [v.filters.src, ...v.maps.map((m) => m.sheet.src)].map((s) => fromSiteSrc(pub, s)));
  const cached = await freshRecord(file, ablationSchema, key, files);
  if (cached) return cached;
  const startedAt = performance.now();
  const variants: AblationRecord['variants'] = [];
  for (const name of names) {
    const run = inp.runs[name];
    const last = run.checkpoints.at(-1)!;
    // Each variant under its own id, so its filter sheets and feature-map sheets never overwrite the
    // gallery model's; their records go to a scratch folder the site does not read.
    const vid = `${model.id}-${name}`;
    const modelUrl = path.join(run.dir, last.dir, 'model.json');
    const ck = await loadConfiguredModel({ ...inp.spec, id: vid, modelUrl }, { ...ctx.fetchOpts, progress: false });
    const scratch = { ...ctx, recordsDir: path.join(ctx.config.cacheDir, 'ablation-scratch', vid) };
    const fw = await filterWeights(ck, scratch);
    const first = firstConvLayer(ck);
    if (!fw || !first) return null;
    const maxima = await firstLayerMaxima(ck, first.id, inp.dataset);
    const maps = (await galleryActivations(ck, photos, scratch)).images.map((r) => {
      const l = r.layers.find((x) => x.layer === mapLayer)!;
      return { image: r.image, channels: l.channels, map: [...l.map], sheet: l.sheet };
    });
    const final = run.history.at(-1)!;
    variants.push({
      name,
      first: { kernel: run.settings.spec.first.kernel, stride: run.settings.spec.first.stride },
      trainingKey: run.key,
      epochs: final.epoch,
      testAccuracy: sig(final.testAccuracy),
      testImages: run.testImages,
      filters: fw.large,
      filterLayer: first.id,
      maxima: Array.from(maxima, (m) => sig(m)),
      dead: deadUnits(maxima),
      maps,
    });
  }
  const [a, b] = variants.map((v) => ({
    name: v.name,
    testAccuracy: v.testAccuracy,
    dead: v.dead.length,
    filters: v.maxima.length,
  }));
  return writeRecord(file, ablationSchema, {
    model: model.id,
    dataset: inp.datasetId,
    criterion: DEAD_CRITERION,
    mapLayer,
    photos: photos.map((p) => p.id),
    variants,
    summary: ablationSummary(a, b),
    key,
    provenance: provenance(ctx, {
      method:
        'first-layer ablation (Zeiler & Fergus Fig. 6): filters, dead-filter count, second-layer maps, ' +
        'test accuracy of both variants',
      codeVersion: CODE_VERSION,
      params: {
        criterion: DEAD_CRITERION,
        mapLayer,
        photos: photos.map((p) => p.id),
        trainingKeys: variants.map((v) => v.trainingKey),
      },
      model: model.id,
      startedAt,
    }),
  });
}
