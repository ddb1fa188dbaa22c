import { getCollection } from 'astro:content';
import type {
  DatasetRecord,
  FilterWeightsRecord,
  GalleryContactSheet,
  GalleryImageRecord,
  ImageMapsRecord,
  LayerRecord,
  ModelEvalRecord,
  ModelRecord,
  UnitStatsRecord,
  UnitViewsRecord,
} from '../../pipeline/records/schemas.ts';
import type { EvolutionRecord } from '../../pipeline/records/training-schemas.ts';

/**
 * All records, loaded once per build and indexed for the pages. Pages only render: every number and
 * file name comes from here. Loaded lazily and memoised because ~8,000 unit pages share it.
 */
export interface Atlas {
  models: ModelRecord[];
  model: Map<string, ModelRecord>;
  gallery: GalleryImageRecord[];
  image: Map<string, GalleryImageRecord>;
  contactSheet: Map<string, GalleryContactSheet>;
  datasets: DatasetRecord[];
  datasetImage: Map<string, { dataset: DatasetRecord; image: DatasetRecord['images'][number] }>;
  imageMaps: Map<string, ImageMapsRecord>;
  unitViews: Map<string, UnitViewsRecord>;
  unitStats: Map<string, UnitStatsRecord>;
  modelEval: Map<string, ModelEvalRecord>;
  filters: Map<string, FilterWeightsRecord>;
}

type Entry<T> = { id: string; data: T };

/** The records of one content collection. */
export async function entries<T>(name: string): Promise<T[]> {
  return ((await getCollection(name)) as Entry<T>[]).map((e) => e.data);
}

const key = (...parts: string[]) => parts.join('/');

let loading: Promise<Atlas> | undefined;

export function atlas(): Promise<Atlas> {
  loading ??= load();
  return loading;
}

async function load(): Promise<Atlas> {
  const [models, gallery, sheets, datasets, imageMaps, unitViews, unitStats, modelEval, filters] = await Promise.all([
    entries<ModelRecord>('models'),
    entries<GalleryImageRecord>('gallery'),
    entries<GalleryContactSheet>('contactSheets'),
    entries<DatasetRecord>('datasets'),
    entries<ImageMapsRecord>('imageMaps'),
    entries<UnitViewsRecord>('unitViews'),
    entries<UnitStatsRecord>('unitStats'),
    entries<ModelEvalRecord>('modelEval'),
    entries<FilterWeightsRecord>('filters'),
  ]);
  models.sort((a, b) => a.name.localeCompare(b.name));
  gallery.sort((a, b) => a.order - b.order);
  const datasetImage = new Map<string, { dataset: DatasetRecord; image: DatasetRecord['images'][number] }>();
  for (const dataset of datasets) for (const image of dataset.images) datasetImage.set(key(dataset.id, image.id), { dataset, image });
  return {
    models,
    model: new Map(models.map((m) => [m.id, m])),
    gallery,
    image: new Map(gallery.map((g) => [g.id, g])),
    contactSheet: new Map(sheets.map((s) => [s.fit, s])),
    datasets,
    datasetImage,
    imageMaps: new Map(imageMaps.map((r) => [key(r.model, r.image), r])),
    unitViews: new Map(unitViews.map((r) => [key(r.model, r.layer), r])),
    unitStats: new Map(unitStats.map((r) => [key(r.model, r.layer), r])),
    modelEval: new Map(modelEval.map((r) => [r.model, r])),
    filters: new Map(filters.map((r) => [key(r.model, r.layer), r])),
  };
}

export function mapLayers(model: ModelRecord): LayerRecord[] {
  return model.layers.filter((l) => l.hasMaps);
}

/** Everything a unit page needs, looked up once. */
export function unitContext(a: Atlas, modelId: string, layerId: string, unit: number) {
  const model = a.model.get(modelId)!;
  const layer = model.layers.find((l) => l.id === layerId)!;
  const views = a.unitViews.get(key(modelId, layerId));
  const stats = a.unitStats.get(key(modelId, layerId));
  const filters = a.filters.get(key(modelId, layerId));
  return {
    model,
    layer,
    views,
    view: views?.units[unit],
    stats,
    stat: stats?.units[unit],
    filters,
    filter: filters?.units[unit],
    dataset: stats ? a.datasets.find((d) => d.id === stats.dataset) : undefined,
    contact: a.contactSheet.get(model.preprocess.fit),
  };
}

export function datasetThumb(a: Atlas, dataset: string, image: string) {
  return a.datasetImage.get(key(dataset, image))?.image;
}

export { key as recordKey };

let evolutionStrips: Promise<Map<string, { record: EvolutionRecord; cells: EvolutionRecord['strips'][number]['units'][number]['cells']; row: boolean }>> | undefined;

/**
 * A trained model's unit, epoch by epoch (its strongest test image at each checkpoint), keyed
 * `model/layer/unit`; `row` says whether the evolution page follows it with deconvnet projections.
 * Built once: every unit page of the model looks itself up.
 */
export function evolutionStrip(model: string, layer: string, unit: number) {
  evolutionStrips ??= entries<EvolutionRecord>('evolution').then(
    (records) =>
      new Map(
        records.flatMap((record) =>
          record.strips.flatMap((l) => {
            const rows = new Set(record.layers.find((r) => r.layer === l.layer)?.units.map((u) => u.unit) ?? []);
            return l.units.map((u) => [key(record.model, l.layer, String(u.unit)), { record, cells: u.cells, row: rows.has(u.unit) }] as const);
          }),
        ),
      ),
  );
  return evolutionStrips.then((m) => m.get(key(model, layer, String(unit))));
}
