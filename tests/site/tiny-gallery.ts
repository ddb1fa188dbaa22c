import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { tinyChain } from '../helpers/tiny-models.ts';
import { saveLayersModel } from '../../pipeline/training/layers-model-files.ts';

/**
 * A complete gallery small enough to build in seconds: the tiny test network saved as a TF.js
 * layers model (model.json + weights.bin), three generated showcase photos (one CC-BY, so its
 * credit must show), a two-class dataset folder, and an atlas config pointing at them.
 */
export const TINY_LABELS = ['red', 'green', 'blue', 'grey'];

export const TINY_PHOTOS = [
  { id: 'sunset-stripes', label: 'sunset stripes', license: 'CC-BY-4.0', credit: 'Test Photographer / https://example.org/sunset' },
  { id: 'green-rings', label: 'green rings', license: 'CC0-1.0', credit: 'Atlas tests' },
  { id: 'blue-checks', label: 'blue checks', license: 'CC0-1.0', credit: 'Atlas tests' },
];

type Pattern = (x: number, y: number) => [number, number, number];

const patterns: Record<string, Pattern> = {
  'sunset-stripes': (x, y) => [200 + 55 * Math.sin(y / 5), 80 + 60 * Math.sin(x / 9), 40],
  'green-rings': (x, y) => {
    const r = Math.hypot(x - 40, y - 32);
    return [30, 128 + 120 * Math.cos(r / 3), 60];
  },
  'blue-checks': (x, y) => ((Math.floor(x / 8) + Math.floor(y / 8)) % 2 ? [20, 40, 230] : [230, 230, 240]),
  red: (x, y) => [180 + (x % 50), 20 + y / 2, 30],
  green: (x, y) => [30, 160 + (y % 60), 40 + x / 3],
};

async function writePattern(file: string, pattern: Pattern, width = 80, height = 64): Promise<void> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pattern(x, y);
      data.set([r, g, b].map((v) => Math.max(0, Math.min(255, Math.round(v)))), (y * width + x) * 3);
    }
  await mkdir(path.dirname(file), { recursive: true });
  await sharp(data, { raw: { width, height, channels: 3 } }).png().toFile(file);
}

/** The tiny test network as model.json + weights.bin in `dir`. */
export async function saveTinyModel(dir: string): Promise<void> {
  const model = tinyChain(7);
  await saveLayersModel(model, dir, { generatedBy: 'ConvNet Atlas tests' });
  model.dispose();
}

/** Writes the gallery into `root` and returns the config file's path. */
export async function writeTinyGallery(root: string): Promise<string> {
  await saveTinyModel(path.join(root, 'model'));
  for (const p of TINY_PHOTOS) await writePattern(path.join(root, 'photos', `${p.id}.png`), patterns[p.id]);
  for (const cls of ['red', 'green']) {
    for (let i = 0; i < 3; i++) {
      const base = patterns[cls];
      await writePattern(path.join(root, 'dataset', cls, `${cls}-${i}.png`), (x, y) => base(x + i * 7, y + i * 3), 48, 48);
    }
  }
  const config = {
    mirror: null,
    cacheDir: './cache',
    models: [
      {
        id: 'tiny',
        name: 'Tiny test net',
        modelUrl: './model/model.json',
        labels: TINY_LABELS,
        inputSize: 16,
        license: 'CC0-1.0',
        credit: 'ConvNet Atlas tests',
      },
    ],
    images: {
      showcase: false,
      extra: TINY_PHOTOS.map((p) => ({ url: `./photos/${p.id}.png`, id: p.id, label: p.label, license: p.license, credit: p.credit })),
    },
    dataset: { folder: './dataset' },
    // Small optimizations: the tests check that feature visualizations and class models exist and
    // show, not how good they look.
    atlas: { featureVis: { size: 32, steps: 24 }, classModels: { size: 32, steps: 24 } },
  };
  const file = path.join(root, 'atlas.config.json');
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}
