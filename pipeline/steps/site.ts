import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { formatDuration } from '../util/format.ts';
import { withFileLock } from '../util/file-lock.ts';
import { sha256Buffer, stableHash } from '../util/hash.ts';
import type { Log } from '../util/log.ts';
import { REPO_ROOT } from '../util/paths.ts';
import { createProgress } from '../util/progress.ts';
import { DEFAULT_PUBLIC_DIR, DEFAULT_RECORDS_DIR } from './context.ts';
import { applyCspToSite, CONTENT_SECURITY_POLICY } from './site-csp.ts';

/**
 * The static site: `astro build` over the records, then Pagefind over the HTML. Astro runs in its
 * own process (no tfjs there), pointed at the records, public and output directories by env vars
 * that astro.config.mjs and src/content.config.ts read. A warm build with identical records, site
 * sources and generated files keeps the existing dist/ (key stored in dist/.atlas-site.json).
 */

export interface SiteDirs {
  recordsDir: string;
  /** Astro's publicDir (contains generated/). */
  publicRoot: string;
  distDir: string;
  /** Astro's cacheDir (its content-layer data store lives there). */
  astroCacheDir: string;
}

/** Where a build writes and the site reads: the defaults, or everything under `--out DIR`. */
export interface BuildDirs extends SiteDirs {
  /** Generated images (publicRoot/generated). */
  publicDir: string;
}

export function buildDirs(opts: { out?: string; records?: string; public?: string; dist?: string }): BuildDirs {
  const out = opts.out ? path.resolve(opts.out) : null;
  const publicDir = path.resolve(opts.public ?? (out ? path.join(out, 'public', 'generated') : DEFAULT_PUBLIC_DIR));
  return {
    recordsDir: path.resolve(opts.records ?? (out ? path.join(out, 'content') : DEFAULT_RECORDS_DIR)),
    publicDir,
    publicRoot: path.dirname(publicDir),
    distDir: path.resolve(opts.dist ?? (out ? path.join(out, 'dist') : path.join(REPO_ROOT, 'dist'))),
    astroCacheDir: out ? path.join(out, '.astro-cache') : path.join(REPO_ROOT, 'node_modules', '.astro'),
  };
}

const CODE_VERSION = 2;

export class SiteBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SiteBuildError';
  }
}
const MARKER = '.atlas-site.json';

/** Environment that points astro.config.mjs and src/content.config.ts at a set of directories. */
export function siteEnv(dirs: SiteDirs, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    ATLAS_RECORDS_DIR: dirs.recordsDir,
    ATLAS_PUBLIC_DIR: dirs.publicRoot,
    ATLAS_DIST_DIR: dirs.distDir,
    ATLAS_ASTRO_CACHE: dirs.astroCacheDir,
    ASTRO_TELEMETRY_DISABLED: '1',
    ATLAS_CSP: CONTENT_SECURITY_POLICY,
  };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? (e as { path?: string }).path ?? dir, e.name))
    .sort();
}

/** Hash of everything the site is built from: records and site sources by content, generated files by name and size. */
async function siteKey(dirs: SiteDirs, env: NodeJS.ProcessEnv): Promise<string> {
  const byContent = [
    ...(await listFiles(dirs.recordsDir)),
    ...(await listFiles(path.join(REPO_ROOT, 'src'))),
    path.join(REPO_ROOT, 'astro.config.mjs'),
    // The pass that makes pages CSP-clean rewrites every page.
    path.join(REPO_ROOT, 'pipeline', 'steps', 'site-csp.ts'),
    path.join(REPO_ROOT, 'package-lock.json'),
    ...(await listFiles(path.join(REPO_ROOT, 'pipeline', 'records'))),
    ...(await listFiles(env.ATLAS_NOTES_DIR ? path.resolve(env.ATLAS_NOTES_DIR) : path.join(REPO_ROOT, 'content', 'notes'))),
  ];
  const contents = await Promise.all(byContent.map(async (f) => [f, sha256Buffer(await readFile(f).catch(() => Buffer.alloc(0)))]));
  const publicFiles = await listFiles(dirs.publicRoot);
  const sizes = await Promise.all(publicFiles.map(async (f) => [path.relative(dirs.publicRoot, f), (await stat(f)).size]));
  return stableHash({ CODE_VERSION, contents, sizes, base: env.ATLAS_BASE ?? '/', site: env.ATLAS_SITE ?? '' });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, onLine: (line: string) => void, cwd = REPO_ROOT): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const feed = (chunk: Buffer) => {
      tail += chunk.toString();
      const lines = tail.split('\n');
      tail = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', feed);
    child.on('error', reject);
    child.on('close', (code) => {
      if (tail) onLine(tail);
      code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} ${args.join(' ')} exited with code ${code}`));
    });
  });
}

export async function buildSite(dirs: SiteDirs, log: Log, opts: { force?: boolean; expectedPages?: number } = {}): Promise<{ skipped: boolean }> {
  const env = siteEnv(dirs);
  const key = await siteKey(dirs, env);
  const marker = path.join(dirs.distDir, MARKER);
  const previous = await readFile(marker, 'utf8').then((t) => JSON.parse(t) as { key?: string }, () => ({}) as { key?: string });
  if (!opts.force && previous.key === key && existsSync(path.join(dirs.distDir, 'index.html')) && existsSync(path.join(dirs.distDir, 'pagefind', 'pagefind.js'))) {
    log.info(`site: unchanged, keeping ${path.relative(process.cwd(), dirs.distDir) || dirs.distDir}`);
    return { skipped: true };
  }

  // Astro keeps build intermediates in the repository's .astro/ whatever the output directory, so
  // two builds at once (tests, a second terminal) would overwrite each other's. The lock lives
  // outside .astro/: astro deletes that folder at the end of a build.
  return withFileLock(path.join(REPO_ROOT, 'node_modules', '.atlas-site-build.lock'), () => astroAndPagefind(dirs, env, key, log, opts), () =>
    log.info('site: waiting for another site build in this checkout to finish'),
  );
}

/**
 * With an output directory outside the repository, astro builds its server chunks in the
 * repository's .astro/ and then copies all of .astro into the output: content-layer modules,
 * collection schemas, type declarations, the data store. None of that is part of the site.
 */
async function removeAstroLeftovers(dir: string): Promise<void> {
  const top = await readdir(dir, { withFileTypes: true });
  const junk = top.filter((e) => e.isFile() && (/\.(mjs|d\.ts|lock)$/.test(e.name) || e.name === 'data-store.json' || e.name === 'settings.json'));
  await Promise.all(junk.map((e) => rm(path.join(dir, e.name), { force: true })));
  const schemas = path.join(dir, 'collections');
  const inSchemas = await readdir(schemas).catch(() => null);
  if (inSchemas && inSchemas.every((f) => f.endsWith('.schema.json'))) await rm(schemas, { recursive: true, force: true });
}

/** Where a build is assembled before it replaces dist/ (a sibling, so the swap is a rename). */
function stagingDir(distDir: string): string {
  return `${distDir}.building`;
}

/**
 * astro and pagefind write into a staging folder that replaces dist/ only once complete, so a
 * killed build (Ctrl-C, out of memory) never leaves a half-built site behind as if it were done.
 */
async function astroAndPagefind(dirs: SiteDirs, env: NodeJS.ProcessEnv, key: string, log: Log, opts: { expectedPages?: number }): Promise<{ skipped: boolean }> {
  const started = performance.now();
  const staging = stagingDir(dirs.distDir);
  await rm(staging, { recursive: true, force: true });
  env = { ...env, ATLAS_DIST_DIR: staging };
  const astroBin = path.join(REPO_ROOT, 'node_modules', 'astro', 'astro.js');
  const pages = createProgress({ label: 'astro build', total: opts.expectedPages, noun: 'pages' });
  const astroLines: string[] = [];
  await run(process.execPath, [astroBin, 'build'], env, (line) => {
    if (/\.html \(\+\d/.test(line)) pages.tick();
    else if (line.trim()) {
      astroLines.push(line);
      if (/\[WARN\]/.test(line)) log.warn(`astro: ${line.trim()}`);
    }
  }).catch(() => {
    pages.finish('failed');
    // Astro names the failing record ("Location: .../unit-stats/<model>/<layer>.json") in its last lines.
    const detail = astroLines.filter((l) => !/^\s+at /.test(l)).slice(-25).map((l) => l.slice(0, 400)).join('\n');
    throw new SiteBuildError(`astro build failed:\n${detail}`);
  });
  pages.finish();
  const astroMs = performance.now() - started;
  await removeAstroLeftovers(staging);

  const csp = await applyCspToSite(staging, env.ATLAS_BASE ?? '/').catch((err: Error) => {
    throw new SiteBuildError(err.message);
  });
  log.info(`csp: ${csp.pages} pages, ${csp.rules} distinct style attributes moved to ${csp.stylesheets} shared stylesheets`);

  const pagefindStarted = performance.now();
  const pagefindBin = path.join(REPO_ROOT, 'node_modules', 'pagefind', 'lib', 'runner', 'bin.cjs');
  const pagefindLines: string[] = [];
  await run(process.execPath, [pagefindBin, '--site', staging], env, (l) =>
    pagefindLines.push(l),
  ).catch(() => {
    throw new SiteBuildError(`pagefind failed:\n${pagefindLines.slice(-20).join('\n')}`);
  });
  const indexed = pagefindLines.find((l) => /Indexed \d+ pages?/.test(l))?.trim();
  log.info(`pagefind: ${indexed ?? 'done'} in ${formatDuration(performance.now() - pagefindStarted)}`);
  await writeFileAtomic(path.join(staging, MARKER), JSON.stringify({ key, builtAt: new Date().toISOString(), astroMs: Math.round(astroMs) }));
  await swapIn(staging, dirs.distDir);
  return { skipped: false };
}

/** Replaces `target` with `staging`: two renames, the old site removed only after the new one is in place. */
async function swapIn(staging: string, target: string): Promise<void> {
  const old = `${target}.old`;
  await rm(old, { recursive: true, force: true });
  if (existsSync(target)) await rename(target, old);
  await rename(staging, target);
  await rm(old, { recursive: true, force: true });
}
