import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { commitFileAtomic } from '../util/atomic-write.ts';
import { sha256File } from '../util/hash.ts';
import { stderrLog, type Log } from '../util/log.ts';
import { mapLimited } from '../util/map-limited.ts';
import { defaultCacheDir, defaultMirrorDir } from '../util/paths.ts';
import { createProgress } from '../util/progress.ts';
import { AssetNotFoundError, AssetUnreachableError, ChecksumMismatchError } from './asset-errors.ts';
import { locateAsset } from './asset-location.ts';
import { batchTracker } from './batch-progress.ts';
import { copyFileHashed, downloadToFile, NetworkError, type StreamedFile } from './download.ts';
import { VerifiedIndex } from './verified-index.ts';

import type { FetchAllOptions, FetchedAsset, FetchEntry, FetchOptions, FetchProgressEvent } from './fetch-types.ts';

export { AssetNotFoundError, AssetUnreachableError, ChecksumMismatchError } from './asset-errors.ts';
export type { AssetSource, FetchAllOptions, FetchedAsset, FetchEntry, FetchOptions, FetchProgressEvent } from './fetch-types.ts';

interface Context {
  cacheDir: string;
  mirrorDir: string | null;
  baseDir: string;
  index: VerifiedIndex;
  log: Log;
  onProgress?: (event: FetchProgressEvent) => void;
  progress: boolean;
  retries?: number;
  hashLocal: boolean;
}

const LARGE_FILE_BYTES = 1024 * 1024;
const warnedUnverified = new Set<string>();

/** The local path of a verified copy: from the cache, else the mirror, else the network. */
export async function fetchAsset(entry: FetchEntry, opts: FetchOptions = {}): Promise<string> {
  return (await fetchAssetInfo(entry, opts)).path;
}

/** Like fetchAsset, also saying where the file came from and its hash (e.g. to record unpinned files). */
export async function fetchAssetInfo(entry: FetchEntry, opts: FetchOptions = {}): Promise<FetchedAsset> {
  const ctx = await makeContext(opts);
  try {
    return await fetchOne(entry, ctx);
  } finally {
    await ctx.index.flush();
  }
}

/** Paths in the order of `entries`. Stops starting new files after the first failure and rethrows it. */
export async function fetchAll(entries: FetchEntry[], opts: FetchAllOptions = {}): Promise<string[]> {
  return (await fetchAllInfo(entries, opts)).map((asset) => asset.path);
}

export async function fetchAllInfo(entries: FetchEntry[], opts: FetchAllOptions = {}): Promise<FetchedAsset[]> {
  const tracker = batchTracker(entries, opts);
  const ctx = await makeContext({ ...opts, progress: false, onProgress: tracker.onProgress });
  const unique = [...new Map(entries.map((e) => [e.url, e])).values()];
  try {
    const results = await mapLimited(unique, opts.concurrency ?? 8, async (entry) => {
      const asset = await fetchOne(entry, ctx);
      tracker.completed(entry, asset);
      return asset;
    });
    const byUrl = new Map(unique.map((e, i) => [e.url, results[i]]));
    return entries.map((e) => byUrl.get(e.url)!);
  } finally {
    // Also on failure: ends the progress line before the error is printed, and keeps what was verified.
    tracker.finish();
    await ctx.index.flush();
  }
}

async function makeContext(opts: FetchOptions): Promise<Context> {
  const cacheDir = path.resolve(opts.cacheDir ?? defaultCacheDir());
  return {
    cacheDir,
    mirrorDir: opts.mirrorDir === undefined ? defaultMirrorDir() : opts.mirrorDir && path.resolve(opts.mirrorDir),
    baseDir: opts.baseDir ?? process.cwd(),
    index: await VerifiedIndex.open(cacheDir),
    log: opts.log ?? stderrLog,
    onProgress: opts.onProgress,
    progress: opts.progress ?? true,
    retries: opts.retries,
    hashLocal: opts.hashLocal ?? false,
  };
}

async function fetchOne(entry: FetchEntry, ctx: Context): Promise<FetchedAsset> {
  const location = locateAsset(entry.url, ctx.baseDir);
  if (location.kind === 'local') return useLocalFile(location.path, entry, ctx);
  const target = path.join(ctx.cacheDir, location.relPath);
  const cached = await readCache(target, location.relPath, entry, ctx);
  if (cached) return cached;
  const mirrorPath = ctx.mirrorDir ? path.join(ctx.mirrorDir, location.relPath) : null;
  if (mirrorPath && (await isFile(mirrorPath))) {
    return admit(target, location.relPath, entry, ctx, { from: mirrorPath, source: 'mirror', produce: (temp) => copyFileHashed(mirrorPath, temp) });
  }
  try {
    return await admit(target, location.relPath, entry, ctx, { from: entry.url, source: 'network', produce: (temp) => download(entry, temp, ctx) });
  } catch (err) {
    if (err instanceof NetworkError) throw new AssetUnreachableError(entry.url, err.message, mirrorPath);
    throw err;
  }
}

/** A cached file is trusted when the index vouches for it; otherwise it is hashed once more. */
async function readCache(target: string, key: string, entry: FetchEntry, ctx: Context): Promise<FetchedAsset | undefined> {
  if (!(await isFile(target))) return undefined;
  const known = await ctx.index.lookup(key, target);
  const sha256 = known?.sha256 ?? (await sha256File(target));
  if (matches(entry, sha256, known?.bytes ?? (await stat(target)).size)) {
    const record = known ?? (await ctx.index.record(key, target, sha256));
    return { path: target, sha256, bytes: record.bytes, source: 'cache' };
  }
  // A stale or damaged copy (or the expected hash changed): drop it and fetch again.
  ctx.index.forget(key);
  await rm(target, { force: true });
  return undefined;
}

interface Admission {
  from: string;
  source: 'mirror' | 'network';
  produce: (tempPath: string) => Promise<StreamedFile>;
}

/** Only verified content is renamed into the cache; a mismatch deletes the temp file. */
async function admit(target: string, key: string, entry: FetchEntry, ctx: Context, how: Admission): Promise<FetchedAsset> {
  let result: StreamedFile | undefined;
  await commitFileAtomic(target, async (temp) => {
    result = await how.produce(temp);
    assertExpected(entry, how.from, result);
  });
  await ctx.index.record(key, target, result!.sha256);
  if (!entry.sha256) warnUnverified(entry.url, result!.sha256, ctx.log);
  return { path: target, sha256: result!.sha256, bytes: result!.bytes, source: how.source };
}

async function useLocalFile(filePath: string, entry: FetchEntry, ctx: Context): Promise<FetchedAsset> {
  const info = await stat(filePath).catch(() => undefined);
  if (!info?.isFile()) throw new AssetNotFoundError(filePath, entry.url);
  if (!entry.sha256 && !ctx.hashLocal) return { path: filePath, bytes: info.size, source: 'local' };
  const key = `local:${filePath}`;
  const known = await ctx.index.lookup(key, filePath);
  const sha256 = known?.sha256 ?? (await sha256File(filePath));
  assertExpected(entry, filePath, { sha256, bytes: info.size }, true);
  if (!known) await ctx.index.record(key, filePath, sha256);
  return { path: filePath, sha256, bytes: info.size, source: 'local' };
}

function matches(entry: FetchEntry, sha256: string, bytes: number): boolean {
  return (!entry.sha256 || entry.sha256.toLowerCase() === sha256) && (entry.bytes === undefined || entry.bytes === bytes);
}

function assertExpected(entry: FetchEntry, from: string, got: StreamedFile, keptInPlace = false): void {
  if (matches(entry, got.sha256, got.bytes)) return;
  const bySha = entry.sha256 !== undefined && entry.sha256.toLowerCase() !== got.sha256;
  const [expected, actual] = bySha ? [entry.sha256!, got.sha256] : [`${entry.bytes}`, `${got.bytes}`];
  throw new ChecksumMismatchError({ url: entry.url, from, what: bySha ? 'sha256' : 'size', expected, actual, keptInPlace });
}

function warnUnverified(url: string, sha256: string, log: Log): void {
  if (warnedUnverified.has(url)) return;
  warnedUnverified.add(url);
  log.warn(`${url} has no sha256 to check against; accepted it and recorded sha256 ${sha256} (add it to the config to pin this file)`);
}

function download(entry: FetchEntry, temp: string, ctx: Context): Promise<StreamedFile> {
  const bar = ctx.onProgress || !ctx.progress ? undefined : lazyBar(entry);
  return downloadToFile(entry.url, temp, {
    retries: ctx.retries,
    onBytes: (received, total) => {
      ctx.onProgress?.({ url: entry.url, receivedBytes: received, totalBytes: total ?? entry.bytes });
      bar?.(received, total ?? entry.bytes);
    },
  }).finally(() => bar?.(-1));
}

/** A bar only for large files or on a terminal; created on the first bytes, when the size is known. */
function lazyBar(entry: FetchEntry): (received: number, total?: number) => void {
  let progress: ReturnType<typeof createProgress> | undefined;
  let decided = false;
  return (received, total) => {
    if (received < 0) return progress?.finish();
    if (!decided) {
      decided = true;
      const wanted = (total ?? 0) > LARGE_FILE_BYTES || Boolean(process.stderr.isTTY);
      if (wanted) progress = createProgress({ label: `download ${entry.label ?? path.posix.basename(new URL(entry.url).pathname)}`, total, unit: 'bytes' });
    }
    progress?.update(received);
  };
}

async function isFile(filePath: string): Promise<boolean> {
  return (await stat(filePath).catch(() => undefined))?.isFile() ?? false;
}
