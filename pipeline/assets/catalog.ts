import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { storedCatalogSchema, type ManifestRow, type ModelInfo, type StoredCollection, type StoredEntry } from './catalog-format.ts';

/** A catalog file with every field filled in (license and credit expanded from the collection). */
export interface AssetEntry extends ManifestRow {
  id: string;
  /** ImageNet datasets only. */
  wnid?: string;
  /** Datasets: the class the image belongs to. */
  className?: string;
  /** ImageNet datasets only: index in the model's (Keras, sorted-wnid) output order. */
  classIndex?: number;
}

export interface CatalogCollection {
  name: string;
  description: string;
  default: boolean;
  license: string;
  credit: string;
  /** Model collections: how to assemble and feed the model. */
  model?: ModelInfo;
  entries: AssetEntry[];
}

export interface Catalog {
  collections: Record<string, CatalogCollection>;
}

export class UnknownCollectionError extends Error {
  constructor(name: string, known: string[]) {
    super(`unknown asset collection "${name}"; the catalog has: ${known.join(', ')}`);
    this.name = 'UnknownCollectionError';
  }
}

export const CATALOG_PATH = fileURLToPath(new URL('./catalog.json', import.meta.url));

let cached: Catalog | undefined;

/** Parsed and validated once per process; pass a path to read another catalog (tests, tools). */
export function loadCatalog(file?: string): Catalog {
  if (!file && cached) return cached;
  const source = file ?? CATALOG_PATH;
  const parsed = storedCatalogSchema.safeParse(JSON.parse(readFileSync(source, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid asset catalog ${source}: ${issue.path.join('.')}: ${issue.message}`);
  }
  const catalog: Catalog = { collections: {} };
  for (const [name, stored] of Object.entries(parsed.data.collections)) {
    catalog.collections[name] = expandCollection(name, stored);
  }
  if (!file) cached = catalog;
  return catalog;
}

function expandCollection(name: string, stored: StoredCollection): CatalogCollection {
  const credit = stored.credit ?? '';
  const entries = stored.entries.map((entry) => expandEntry(entry, name, stored.license, credit));
  return { name, description: stored.description, default: stored.default, license: stored.license, credit, model: stored.model, entries };
}

function expandEntry(entry: StoredEntry, collection: string, license: string, credit: string): AssetEntry {
  return { ...entry, collection, label: entry.label ?? '', license: entry.license ?? license, credit: entry.credit ?? credit };
}

export function collectionNames(catalog: Catalog = loadCatalog()): string[] {
  return Object.keys(catalog.collections);
}

export function collectionInfo(name: string, catalog: Catalog = loadCatalog()): CatalogCollection {
  const found = catalog.collections[name];
  if (!found) throw new UnknownCollectionError(name, collectionNames(catalog));
  return found;
}

export function collection(name: string, catalog: Catalog = loadCatalog()): AssetEntry[] {
  return collectionInfo(name, catalog).entries;
}

/** By catalog id (e.g. `skimage-chelsea`, `n01440764-tench`, `model.json`) or by exact URL. */
export function findAsset(urlOrId: string, catalog: Catalog = loadCatalog()): AssetEntry | undefined {
  return lookupTable(catalog).get(urlOrId);
}

const lookupTables = new WeakMap<Catalog, Map<string, AssetEntry>>();

function lookupTable(catalog: Catalog): Map<string, AssetEntry> {
  let table = lookupTables.get(catalog);
  if (!table) {
    table = new Map();
    for (const { entries } of Object.values(catalog.collections)) {
      for (const entry of entries) table.set(entry.id, entry).set(entry.url, entry);
    }
    lookupTables.set(catalog, table);
  }
  return table;
}
