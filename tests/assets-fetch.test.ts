import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AssetNotFoundError,
  AssetUnreachableError,
  ChecksumMismatchError,
  fetchAll,
  fetchAsset,
  fetchAssetInfo,
} from '../pipeline/assets/fetch-asset.ts';
import { sha256Buffer } from '../pipeline/util/hash.ts';
import { memoryLog } from '../pipeline/util/log.ts';

let root: string;
let cacheDir: string;
let mirrorDir: string;

const URL_BASE = 'https://assets.example.org/files';
const good = Buffer.from('the real file content\n');
const goodSha = sha256Buffer(good);

async function putInMirror(relUrlPath: string, content: Buffer): Promise<string> {
  const file = path.join(mirrorDir, 'assets.example.org', 'files', relUrlPath);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

async function listFilesRecursive(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'atlas-fetch-'));
  cacheDir = path.join(root, 'cache');
  mirrorDir = path.join(root, 'mirror');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('fetchAsset', () => {
  it('copies a good mirror file into the cache, then serves it from the cache alone', async () => {
    const mirrorCopy = await putInMirror('a.bin', good);
    const entry = { url: `${URL_BASE}/a.bin`, sha256: goodSha, bytes: good.length };

    const first = await fetchAssetInfo(entry, { cacheDir, mirrorDir, progress: false });
    expect(first.source).toBe('mirror');
    expect(first.path).toBe(path.join(cacheDir, 'assets.example.org', 'files', 'a.bin'));
    expect(await readFile(first.path)).toEqual(good);

    await rm(mirrorCopy);
    const second = await fetchAssetInfo(entry, { cacheDir, mirrorDir, progress: false });
    expect(second).toMatchObject({ source: 'cache', path: first.path, sha256: goodSha });
  });

  it('refuses a corrupted file with a checksum error and keeps nothing in the cache', async () => {
    await putInMirror('bad.bin', Buffer.from('tampered'));
    const entry = { url: `${URL_BASE}/bad.bin`, sha256: goodSha };

    const error = await fetchAsset(entry, { cacheDir, mirrorDir, progress: false }).catch((e) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect(error.message).toContain(entry.url);
    expect(error.message).toContain(goodSha);
    expect(error.message).toContain(sha256Buffer('tampered'));
    expect(error.message).toMatch(/not kept/);
    const cached = (await listFilesRecursive(cacheDir)).filter((f) => !f.endsWith('.verified.json'));
    expect(cached).toEqual([]);
  });

  it('re-fetches when a cached copy was damaged behind its back', async () => {
    await putInMirror('c.bin', good);
    const entry = { url: `${URL_BASE}/c.bin`, sha256: goodSha };
    const cachedPath = await fetchAsset(entry, { cacheDir, mirrorDir, progress: false });
    await writeFile(cachedPath, 'bit rot, same length!!');
    const again = await fetchAssetInfo(entry, { cacheDir, mirrorDir, progress: false });
    expect(again.source).toBe('mirror');
    expect(await readFile(again.path)).toEqual(good);
  });

  it('explains how to work offline when there is no mirror and no network', async () => {
    const url = 'http://127.0.0.1:9/nothing/here.bin';
    const error = await fetchAsset({ url, sha256: goodSha }, { cacheDir, mirrorDir: null, progress: false, retries: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(AssetUnreachableError);
    expect(error.message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:9\/nothing\/here\.bin: .+; set ATLAS_MIRROR=/);
    expect(await listFilesRecursive(path.join(cacheDir, '127.0.0.1_9'))).toEqual([]);
  });

  it('names both places tried when the mirror lacks the file and the network fails', async () => {
    await mkdir(mirrorDir, { recursive: true });
    const url = 'http://127.0.0.1:9/missing.bin';
    const error = await fetchAsset({ url }, { cacheDir, mirrorDir, progress: false, retries: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(AssetUnreachableError);
    expect(error.message).toContain(path.join(mirrorDir, '127.0.0.1_9', 'missing.bin'));
    expect(error.message).toMatch(/network failed/);
  });

  it('reads local paths and file:// URLs in place, verifying them when a sha256 is given', async () => {
    const local = path.join(root, 'photo.jpg');
    await writeFile(local, good);
    expect(await fetchAsset({ url: local }, { cacheDir, progress: false })).toBe(local);
    expect(await fetchAsset({ url: 'photo.jpg', sha256: goodSha }, { cacheDir, baseDir: root })).toBe(local);
    expect(await fetchAsset({ url: pathToFileURL(local).href }, { cacheDir })).toBe(local);

    const wrong = await fetchAsset({ url: local, sha256: sha256Buffer('other') }, { cacheDir }).catch((e) => e);
    expect(wrong).toBeInstanceOf(ChecksumMismatchError);
    expect(wrong.message).toMatch(/left in place/);
    expect(await readFile(local)).toEqual(good);

    const missing = await fetchAsset({ url: path.join(root, 'nope.jpg') }, { cacheDir }).catch((e) => e);
    expect(missing).toBeInstanceOf(AssetNotFoundError);
  });

  it('accepts a file without a configured sha256, warns once and records its hash', async () => {
    await putInMirror('user.bin', good);
    const log = memoryLog();
    const entry = { url: `${URL_BASE}/user.bin` };
    const first = await fetchAssetInfo(entry, { cacheDir, mirrorDir, log, progress: false });
    expect(first.sha256).toBe(goodSha);
    const second = await fetchAssetInfo(entry, { cacheDir, mirrorDir, log, progress: false });
    expect(second).toMatchObject({ source: 'cache', sha256: goodSha });
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain(goodSha);
    const index = JSON.parse(await readFile(path.join(cacheDir, '.verified.json'), 'utf8'));
    expect(Object.values(index.files)).toContainEqual(expect.objectContaining({ sha256: goodSha }));
  });
});

describe('fetchAll', () => {
  it('returns paths in entry order, fetching duplicates once', async () => {
    const files = ['x.bin', 'y.bin', 'z.bin'];
    const contents = files.map((f) => Buffer.from(`content of ${f}`));
    await Promise.all(files.map((f, i) => putInMirror(f, contents[i])));
    const entries = files.map((f, i) => ({ url: `${URL_BASE}/${f}`, sha256: sha256Buffer(contents[i]), bytes: contents[i].length }));
    const paths = await fetchAll([...entries, entries[0]], { cacheDir, mirrorDir, concurrency: 2, progress: false });
    expect(paths.map((p) => path.basename(p))).toEqual([...files, 'x.bin']);
  });

  it('fails with the first error and leaves no partial files', async () => {
    await putInMirror('ok.bin', good);
    const entries = [
      { url: `${URL_BASE}/ok.bin`, sha256: goodSha },
      { url: 'http://127.0.0.1:9/offline.bin', sha256: goodSha },
    ];
    await expect(fetchAll(entries, { cacheDir, mirrorDir: null, progress: false, retries: 0 })).rejects.toBeInstanceOf(AssetUnreachableError);
    const leftovers = (await listFilesRecursive(cacheDir)).filter((f) => f.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });
});

describe('network downloads (local HTTP server)', () => {
  let server: Server;
  let base: string;

  beforeEach(async () => {
    server = createServer((req, res) => {
      if (req.url === '/good.bin') return res.writeHead(200, { 'content-length': good.length }).end(good);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('streams into the cache, verifies, and reports progress', async () => {
    const events: number[] = [];
    const onProgress = (e: { receivedBytes: number }) => events.push(e.receivedBytes);
    const asset = await fetchAssetInfo({ url: `${base}/good.bin`, sha256: goodSha }, { cacheDir, mirrorDir: null, onProgress });
    expect(asset.source).toBe('network');
    expect(await readFile(asset.path)).toEqual(good);
    expect(events.at(-1)).toBe(good.length);
  });

  it('turns an HTTP error into an actionable message', async () => {
    const error = await fetchAsset({ url: `${base}/absent.bin` }, { cacheDir, mirrorDir: null, progress: false }).catch((e) => e);
    expect(error).toBeInstanceOf(AssetUnreachableError);
    expect(error.message).toMatch(/HTTP 404/);
  });
});
