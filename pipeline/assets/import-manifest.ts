/**
 * Regenerates catalog.json from the offline mirror's MANIFEST.tsv:
 *
 *   npx tsx pipeline/assets/import-manifest.ts ../shared/mirror/MANIFEST.tsv [--out pipeline/assets/catalog.json] [--defaults-only]
 *
 * The catalog is committed, so builds never need the manifest; re-run this only when the mirror changes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { formatBytes } from '../util/format.ts';
import { slugify } from '../util/slug.ts';
import { storedCatalogSchema, type ManifestRow, type ModelInfo, type StoredCatalog, type StoredCollection, type StoredEntry } from './catalog-format.ts';
import { DARKNET_PREPROCESS, MOBILENET_PREPROCESS } from './preprocess.ts';


interface CollectionRule {
  description: string;
  default: boolean;
  id: (row: ManifestRow) => string;
  extra?: (row: ManifestRow) => Partial<StoredEntry>;
  model?: ModelInfo;
}

const COLUMNS = ['url', 'sha256', 'bytes', 'collection', 'label', 'license', 'credit'] as const;

/** Short, recognisable prefixes for showcase ids; other repos fall back to their own name. */
const REPO_ALIASES: Record<string, string> = {
  'scikit-image/scikit-image': 'skimage',
  'tracel-ai/burn': 'burn',
  'KDE/palapeli': 'palapeli',
  'ml5js/ml5-data-and-models': 'ml5',
  'pjreddie/darknet': 'darknet',
};
const OWNER_ALIASES: Record<string, string> = { IBM: 'ibm' };

const RULES: Record<string, CollectionRule> = {
  'model:mobilenet_v1_0.75_224': {
    description:
      'MobileNet v1 (width 0.75, 224x224, ImageNet-1k, Keras class order) in TensorFlow.js layers format, float32, unmodified.',
    default: true,
    id: fileName,
    model: {
      format: 'tfjs-layers',
      modelJson: 'model.json',
      labels: 'metadata.json',
      inputSize: 224,
      preprocess: MOBILENET_PREPROCESS,
    },
  },
  'model:darknet_tiny': {
    description:
      'Darknet "tiny" ImageNet classifier (15 convolutions with LeakyReLU, four 2x2 max-pools, ILSVRC-2012 devkit class order) in TensorFlow.js layers format (ml5.js conversion).',
    default: true,
    // Two repos, each with a LICENSE: ids carry the repo (ml5-model.json, darknet-LICENSE).
    id: (row) => `${repoAlias(row.url)}-${fileName(row)}`,
    model: {
      format: 'tfjs-layers',
      modelJson: 'ml5-model.json',
      // Both Darknet lists hold 21,842 ImageNet-22k classes; the model's 1000 are the first lines.
      labels: { file: 'darknet-imagenet.shortnames.list', lines: 1000 },
      wnids: { file: 'darknet-imagenet.labels.list', lines: 1000 },
      inputSize: 224,
      preprocess: DARKNET_PREPROCESS,
    },
  },
  'images:showcase': {
    description: '28 photos with per-file license and credit; the gallery shown on the home page.',
    default: true,
    id: (row) => `${repoAlias(row.url)}-${slugify(stem(row.url))}`,
  },
  'dataset:imagenet-sample-1000': {
    description: 'One image per ImageNet-1k class (1000), labelled with wnid, class name and Keras class index.',
    default: true,
    id: (row) => {
      const { wnid, className } = parseImagenetLabel(row.label);
      return `${wnid}-${slugify(className)}`;
    },
    extra: (row) => parseImagenetLabel(row.label),
  },
  'dataset:caltech101-mini-25': {
    description: '25 Caltech-101 images, 5 classes (airplanes, butterfly, chair, dolphin, grand piano).',
    default: false,
    id: (row) => `caltech101-${slugify(parentDir(row.url))}-${slugify(stem(row.url))}`,
    extra: (row) => ({ className: row.label }),
  },
  'dataset:cifar10-test-1000': {
    description: '1000 CIFAR-10 test images (32x32), 100 per class.',
    default: false,
    id: (row) => `cifar10-${slugify(parentDir(row.url))}-${slugify(stem(row.url))}`,
    extra: (row) => ({ className: row.label }),
  },
  'dataset:cifar10-train-10000': {
    description: '10,000 CIFAR-10 training images (32x32), 1,000 per class; the transfer-by-layer probes train on a subset.',
    default: false,
    id: (row) => `cifar10-train-${slugify(parentDir(row.url))}-${slugify(stem(row.url))}`,
    extra: (row) => ({ className: row.label }),
  },
  'model:tflite-originals': {
    description: 'Original quantized TFLite MobileNet v1/v2 files with imagenet_labels.txt (1001 classes); for a TFLite importer.',
    default: false,
    id: fileName,
  },
};

function urlPath(url: string): string[] {
  return new URL(url).pathname.split('/').filter(Boolean).map(decodeURIComponent);
}
function fileName(row: ManifestRow): string {
  return urlPath(row.url).at(-1)!;
}
function stem(url: string): string {
  return urlPath(url).at(-1)!.replace(/\.[^.]+$/, '');
}
function parentDir(url: string): string {
  return urlPath(url).at(-2) ?? '';
}
/** raw.githubusercontent.com/<owner>/<repo>/<commit>/... */
function repoAlias(url: string): string {
  const [owner, repo] = urlPath(url);
  return REPO_ALIASES[`${owner}/${repo}`] ?? OWNER_ALIASES[owner] ?? slugify(repo);
}

export function parseImagenetLabel(label: string): { wnid: string; className: string; classIndex: number } {
  const match = /^(n\d{8}) (.+) \(class (\d+)\)$/.exec(label);
  if (!match) throw new Error(`imagenet label not in the form "wnid name (class N)": ${JSON.stringify(label)}`);
  return { wnid: match[1], className: match[2], classIndex: Number(match[3]) };
}

export function parseManifest(text: string): ManifestRow[] {
  const [header, ...lines] = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (header.split('\t').join(',') !== COLUMNS.join(',')) {
    throw new Error(`unexpected MANIFEST.tsv header: ${header} (expected ${COLUMNS.join(', ')})`);
  }
  return lines.map((line, i) => {
    const cells = line.split('\t');
    if (cells.length !== COLUMNS.length) throw new Error(`MANIFEST.tsv line ${i + 2}: ${cells.length} columns, expected 7`);
    const [url, sha256, bytes, collection, label, license, credit] = cells;
    return { url, sha256, bytes: Number(bytes), collection, label, license, credit };
  });
}

function mostCommon(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

function buildCollection(rule: CollectionRule, rows: ManifestRow[]): StoredCollection {
  const license = mostCommon(rows.map((r) => r.license));
  const credit = mostCommon(rows.map((r) => r.credit));
  const entries = rows.map((row): StoredEntry => ({
    id: rule.id(row),
    url: row.url,
    sha256: row.sha256,
    bytes: row.bytes,
    ...(row.label && { label: row.label }),
    ...(row.license !== license && { license: row.license }),
    ...(row.credit !== credit && { credit: row.credit }),
    ...rule.extra?.(row),
  }));
  return {
    description: rule.description,
    default: rule.default,
    license,
    ...(credit && { credit }),
    ...(rule.model && { model: rule.model }),
    entries,
  };
}

/** Ids must be unique across the catalog so findAsset(id) is unambiguous; clashes get the collection's slug. */
function makeIdsUnique(catalog: StoredCatalog): void {
  const seen = new Set<string>();
  for (const [name, collection] of Object.entries(catalog.collections)) {
    for (const entry of collection.entries) {
      if (seen.has(entry.id)) entry.id = `${slugify(name)}-${entry.id}`;
      if (seen.has(entry.id)) throw new Error(`duplicate asset id ${entry.id} in ${name}`);
      seen.add(entry.id);
    }
  }
}

export function buildCatalog(rows: ManifestRow[], defaultsOnly: boolean): StoredCatalog {
  const unknown = [...new Set(rows.map((r) => r.collection))].filter((c) => !RULES[c]);
  if (unknown.length) console.error(`skipping collections with no rule in import-manifest.ts: ${unknown.join(', ')}`);
  const collections: Record<string, StoredCollection> = {};
  for (const [name, rule] of Object.entries(RULES)) {
    const members = rows.filter((r) => r.collection === name);
    if (members.length === 0 || (defaultsOnly && !rule.default)) continue;
    collections[name] = buildCollection(rule, members);
  }
  const catalog: StoredCatalog = {
    $comment: 'Generated by pipeline/assets/import-manifest.ts from the mirror MANIFEST.tsv; do not edit by hand.',
    version: 1,
    collections,
  };
  makeIdsUnique(catalog);
  return storedCatalogSchema.parse(catalog);
}

/** One entry per line: readable diffs when the mirror changes, without a 2-MB pretty-printed file. */
export function formatCatalog(catalog: StoredCatalog): string {
  const blocks = Object.entries(catalog.collections).map(([name, { entries, ...meta }]) => {
    const metaLines = Object.entries(meta).map(([k, v]) => `      ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
    const entryLines = entries.map((e) => `        ${JSON.stringify(e)}`).join(',\n');
    return `    ${JSON.stringify(name)}: {\n${metaLines.join('\n')}\n      "entries": [\n${entryLines}\n      ]\n    }`;
  });
  const head = `  "$comment": ${JSON.stringify(catalog.$comment)},\n  "version": ${catalog.version},`;
  return `{\n${head}\n  "collections": {\n${blocks.join(',\n')}\n  }\n}\n`;
}

async function main(argv: string[]): Promise<void> {
  const manifestPath = argv.find((a) => !a.startsWith('--'));
  if (!manifestPath) throw new Error('usage: import-manifest.ts <MANIFEST.tsv> [--out catalog.json] [--defaults-only]');
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? argv[outIndex + 1] : fileURLToPath(new URL('./catalog.json', import.meta.url));
  const catalog = buildCatalog(parseManifest(await readFile(manifestPath, 'utf8')), argv.includes('--defaults-only'));
  const text = formatCatalog(catalog);
  await writeFileAtomic(out, text);
  const counts = Object.entries(catalog.collections).map(([n, c]) => `${n} (${c.entries.length})`);
  console.error(`wrote ${path.relative(process.cwd(), out)} (${formatBytes(Buffer.byteLength(text))}): ${counts.join(', ')}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
