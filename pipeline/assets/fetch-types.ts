import type { Log } from '../util/log.ts';

/** The shapes fetchAsset and fetchAll accept and return. */

export interface FetchEntry {
  /** http(s) URL, file:// URL, or a local path (absolute, or relative to `baseDir`). */
  url: string;
  /** Without it the file is accepted as is, its hash is recorded, and a warning says so once. */
  sha256?: string;
  bytes?: number;
  label?: string;
}

export interface FetchProgressEvent {
  url: string;
  receivedBytes: number;
  totalBytes?: number;
}

export interface FetchOptions {
  /** Default: env ATLAS_CACHE, else `<repo>/.atlas/cache`. */
  cacheDir?: string;
  /** Default: env ATLAS_MIRROR, else `../shared/mirror` next to the repo when it exists. `null` turns the mirror off. */
  mirrorDir?: string | null;
  /** Receives download progress instead of the built-in progress bar. */
  onProgress?: (event: FetchProgressEvent) => void;
  /** `false` never draws a progress bar (it is otherwise drawn for files over 1 MB, or on a terminal). */
  progress?: boolean;
  /** Where relative local paths are resolved; default the current directory. */
  baseDir?: string;
  log?: Log;
  /** Also hash local files given without a sha256 (remembered by size and mtime), e.g. to key caches. */
  hashLocal?: boolean;
  /** Retries for transient network errors (5xx, resets, stalls); default 2. */
  retries?: number;
}

export type AssetSource = 'cache' | 'mirror' | 'network' | 'local';

export interface FetchedAsset {
  path: string;
  /** Known unless a local file was given without a sha256 (local files are not hashed needlessly). */
  sha256?: string;
  bytes: number;
  source: AssetSource;
}

export interface FetchAllOptions extends FetchOptions {
  /** Files in flight at once; default 8. */
  concurrency?: number;
  /** Shown on the progress line; default "assets". */
  label?: string;
}
