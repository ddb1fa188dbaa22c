import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { collection, loadCatalog, type AssetEntry, type Catalog } from '../assets/catalog.ts';
import type { FetchEntry } from '../assets/fetch-asset.ts';
import { stderrLog, type Log } from '../util/log.ts';
import { uniqueSlugger } from '../util/slug.ts';
import { ConfigError } from './config-error.ts';
import type { ImageItem, ResolvedConfig, ResolvedDataset } from './load-config.ts';

/** One picture to show or score; exactly one of url (remote) or path (local file) is set. */
export interface ImageSource {
  id: string;
  url?: string;
  path?: string;
  sha256?: string;
  bytes?: number;
  label?: string;
  license?: string;
  credit?: string;
  /** Dataset images: the true class, by name and (catalog ImageNet sets) by model output index. */
  className?: string;
  classIndex?: number;
  wnid?: string;
  source: 'catalog' | 'user';
}

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif'];

interface SourceContext {
  configFile: string | null;
  catalog: Catalog;
  log: Log;
  slug: (text: string) => string;
}

export interface ImageSourceOptions {
  catalog?: Catalog;
  log?: Log;
}

/** Gallery and dataset together, with ids unique across both (they share the site's URL space). */
export async function resolveImageSources(
  config: Pick<ResolvedConfig, 'configFile' | 'images' | 'dataset'>,
  opts: ImageSourceOptions = {},
): Promise<{ gallery: ImageSource[]; dataset: ImageSource[] }> {
  const catalog = opts.catalog ?? loadCatalog();
  const ctx: SourceContext = { configFile: config.configFile, catalog, log: opts.log ?? stderrLog, slug: uniqueSlugger() };
  const gallery: ImageSource[] = [];
  if (config.images.showcase) gallery.push(...fromCatalog(config.images.showcase.catalog, ctx));
  const dataset = config.dataset ? await datasetSources(config.dataset, ctx) : [];
  for (const item of config.images.extra) gallery.push(...(await fromItem(item, ctx)));
  return { gallery, dataset };
}

/** What fetchAsset needs to produce a local file for a source. */
export function fetchEntryFor(source: ImageSource): FetchEntry {
  return { url: source.url ?? source.path!, sha256: source.sha256, bytes: source.bytes, label: source.id };
}

function fromCatalog(name: string, ctx: SourceContext, limit?: number): ImageSource[] {
  const entries = collection(name, ctx.catalog).slice(0, limit);
  return entries.map((entry) => catalogSource(entry, ctx.slug(entry.id)));
}

function catalogSource(entry: AssetEntry, id: string): ImageSource {
  const { url, sha256, bytes, label, license, credit, className, classIndex, wnid } = entry;
  return { id, url, sha256, bytes, label: label || undefined, license, credit: credit || undefined, className, classIndex, wnid, source: 'catalog' };
}

async function datasetSources(dataset: ResolvedDataset, ctx: SourceContext): Promise<ImageSource[]> {
  if ('catalog' in dataset) return fromCatalog(dataset.catalog, ctx, dataset.limit);
  const files = await imageFilesOrFail(dataset.folder, 'dataset.folder', ctx);
  return files.slice(0, dataset.limit).map((file) => {
    const relative = path.relative(dataset.folder, file);
    // ImageFolder layout: the first directory level names the class.
    const className = relative.includes(path.sep) ? relative.split(path.sep)[0] : undefined;
    return { id: ctx.slug(stripExtension(relative)), path: file, className, label: className, source: 'user' as const };
  });
}

async function fromItem(item: ImageItem, ctx: SourceContext): Promise<ImageSource[]> {
  const { url, field, id, ...meta } = item;
  if (/^https?:\/\//i.test(url)) {
    const name = decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? 'image');
    return [{ ...meta, id: ctx.slug(id ?? stripExtension(name)), url, source: 'user' }];
  }
  const info = await stat(url).catch(() => undefined);
  if (!info) throw new ConfigError(ctx.configFile, field, `no such file or folder: ${url}`);
  if (info.isFile()) return [{ ...meta, id: ctx.slug(id ?? stripExtension(path.basename(url))), path: url, source: 'user' }];
  const files = await imageFilesOrFail(url, field, ctx);
  return files.map((file) => ({ ...meta, id: ctx.slug(stripExtension(path.relative(url, file))), path: file, source: 'user' as const }));
}

async function imageFilesOrFail(folder: string, field: string, ctx: SourceContext): Promise<string[]> {
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) throw new ConfigError(ctx.configFile, field, `not a folder: ${folder}`);
  const files = await listImageFiles(folder);
  if (files.length === 0) ctx.log.warn(`${field}: no images (${IMAGE_EXTENSIONS.join(' ')}) in ${folder}`);
  return files;
}

/** Recursive, hidden entries skipped, natural name order (img2 before img10) so ids and order are stable. */
export async function listImageFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && IMAGE_EXTENSIONS.includes(path.extname(e.name).toLowerCase()))
    // parentPath is Node >= 20.12; older 20.x only has the since-deprecated `path`.
    .map((e) => path.join(e.parentPath ?? (e as { path?: string }).path ?? folder, e.name))
    .filter((file) => !path.relative(folder, file).split(path.sep).some((part) => part.startsWith('.')));
  const collator = new Intl.Collator('en', { numeric: true });
  return files.sort((a, b) => collator.compare(path.relative(folder, a), path.relative(folder, b)));
}

function stripExtension(name: string): string {
  return name.slice(0, name.length - path.extname(name).length);
}
