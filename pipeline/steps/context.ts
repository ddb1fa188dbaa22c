import path from 'node:path';
import type { FetchOptions } from '../assets/fetch-asset.ts';
import type { ResolvedConfig } from '../config/index.ts';
import type { BackendInfo } from '../engine/backend.ts';
import { REPO_ROOT } from '../util/paths.ts';
import type { Log } from '../util/log.ts';

/** What every build step gets: the config, where to fetch from, where artefacts go, and how to talk. */
export interface BuildContext {
  config: ResolvedConfig;
  fetchOpts: FetchOptions;
  backend: BackendInfo;
  /** Typed JSON records the site's content collections read. */
  recordsDir: string;
  /** Images and binary artefacts served as-is by the site. */
  publicDir: string;
  log: Log;
}

export const DEFAULT_RECORDS_DIR = path.join(REPO_ROOT, 'content', 'generated');
export const DEFAULT_PUBLIC_DIR = path.join(REPO_ROOT, 'public', 'generated');
