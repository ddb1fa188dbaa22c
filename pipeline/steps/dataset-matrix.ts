import { readFile } from 'node:fs/promises';
import { datasetMatrixFile, type DatasetMatrixKind } from './dataset-stats.ts';

/** A per-image statistic of every unit, as the dataset pass left it in the derived cache. */
export interface DatasetMatrix {
  images: string[];
  /** Value of (layer, image, unit). */
  get(layer: string, image: number, unit: number): number;
  /** All images' values of one unit. */
  column(layer: string, unit: number): Float32Array;
  has(layer: string): boolean;
}

/** Reads the matrix written with the unit statistics whose key is `statsKey`; null if it is gone. */
export async function readDatasetMatrix(kind: DatasetMatrixKind, modelId: string, statsKey: string, cacheDir: string): Promise<DatasetMatrix | null> {
  const base = datasetMatrixFile(kind, modelId, statsKey, cacheDir);
  try {
    const header = JSON.parse(await readFile(`${base}.json`, 'utf8')) as { key: string; images: string[]; layers: { id: string; channels: number; offset: number }[] };
    if (header.key !== statsKey) return null;
    const buf = await readFile(`${base}.f32`);
    const data = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    const layers = new Map(header.layers.map((l) => [l.id, l]));
    const n = header.images.length;
    const at = (layer: string) => {
      const l = layers.get(layer);
      if (!l) throw new Error(`dataset matrix has no layer ${layer}`);
      return l;
    };
    return {
      images: header.images,
      has: (layer) => layers.has(layer),
      get: (layer, image, unit) => {
        const l = at(layer);
        return data[l.offset + image * l.channels + unit];
      },
      column: (layer, unit) => {
        const l = at(layer);
        return Float32Array.from({ length: n }, (_, i) => data[l.offset + i * l.channels + unit]);
      },
    };
  } catch {
    return null;
  }
}
