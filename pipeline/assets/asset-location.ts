import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Buffer } from '../util/hash.ts';

export type AssetLocation = { kind: 'local'; path: string } | { kind: 'remote'; url: string; relPath: string };

/**
 * Local paths and file:// URLs are read in place; http(s) URLs map to `<host>/<path>`, the layout
 * shared by the cache and the offline mirror.
 */
export function locateAsset(url: string, baseDir: string = process.cwd()): AssetLocation {
  if (url.startsWith('file:')) return { kind: 'local', path: fileURLToPath(url) };
  if (!/^https?:\/\//i.test(url)) return { kind: 'local', path: path.resolve(baseDir, url) };
  return { kind: 'remote', url, relPath: remoteRelPath(new URL(url)) };
}

function remoteRelPath(url: URL): string {
  // Ports become part of the directory name; ':' is not allowed in names on every file system.
  const host = url.host.replace(/:/g, '_');
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (segments.some((s) => s === '.' || s === '..' || s.includes('/') || s.includes('\\'))) {
    throw new Error(`refusing URL with an unsafe path: ${url.href}`);
  }
  if (segments.length === 0 || url.pathname.endsWith('/')) segments.push('index');
  // Different query strings are different files; a short hash keeps them apart in the cache.
  if (url.search) segments[segments.length - 1] += `@${sha256Buffer(url.search).slice(0, 12)}`;
  return path.join(host, ...segments);
}
