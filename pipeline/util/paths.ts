import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file's location so it does not depend on the caller's cwd. */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));

/** `.atlas/` is git-ignored; everything the pipeline downloads or derives lives under it. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ATLAS_CACHE ? path.resolve(env.ATLAS_CACHE) : path.join(REPO_ROOT, '.atlas', 'cache');
}

/**
 * The offline mirror: ATLAS_MIRROR wins; otherwise the sibling `../shared/mirror` that CI and the
 * dev machines provide, but only when it exists, so a fresh clone elsewhere falls back to the network.
 */
export function defaultMirrorDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.ATLAS_MIRROR) return path.resolve(env.ATLAS_MIRROR);
  const sibling = path.resolve(REPO_ROOT, '..', 'shared', 'mirror');
  return existsSync(sibling) ? sibling : null;
}
