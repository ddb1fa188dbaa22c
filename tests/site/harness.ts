/**
 * Shared setup of the browser tests: builds the tiny gallery (tiny model, three generated photos, a
 * small dataset) into a temporary directory with the real build command, serves it with the
 * preview command, and opens headless Chromium (playwright-core + the system's chromium; `npm run
 * setup` installs it). Each test file that calls useTinySite() gets its own build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { ModelRecord } from '../../pipeline/records/schemas.ts';
import { REPO_ROOT } from '../../pipeline/util/paths.ts';
import { writeTinyGallery } from './tiny-gallery.ts';
import { freePort } from '../../pipeline/util/free-port.ts';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TSX = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

function chromiumPath(): string | undefined {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p): p is string => !!p && existsSync(p));
}

/** Last lines of a child's output, each cut short (a wasm crash can print megabytes of source). */
function tail(text: string, lines = 40): string {
  return text
    .split('\n')
    .slice(-lines)
    .map((l) => l.slice(0, 400))
    .join('\n');
}

export function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} failed (${code}):\n${tail(out)}`))));
  });
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`preview exited with code ${child.exitCode}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`preview did not answer at ${url}`);
}

/** Reads width and height from a PNG's IHDR chunk. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

export const executablePath = chromiumPath();
export const skip = process.env.ATLAS_SKIP_BROWSER_TESTS === '1';

export interface TinySite {
  root: string;
  out: string;
  origin: string;
  model: ModelRecord;
  context: BrowserContext;
  consoleErrors: string[];
  open(p: string): Promise<Page>;
}

/**
 * Registers beforeAll/afterAll that build and serve the tiny gallery (or what `write` puts in the
 * root: it returns the config's path); fields are set once it is up.
 */
export function useTinySite(write: (root: string) => Promise<string> = writeTinyGallery, env: NodeJS.ProcessEnv = {}): TinySite {
  const site = { consoleErrors: [] as string[] } as TinySite;
  let preview: ChildProcess | undefined;
  let browser: Browser;
  beforeAll(async () => {
    if (!executablePath) throw new Error('Chromium not found: run `npm run setup` (installs it with apt-get) or set CHROMIUM_PATH');
    site.root = await mkdtemp(path.join(os.tmpdir(), 'atlas-site-'));
    site.out = path.join(site.root, 'out');
    const config = await write(site.root);
    await run(['pipeline/cli/build.ts', '--config', config, '--out', site.out], { ATLAS_CACHE: path.join(site.root, 'cache'), ...env });
    site.model = JSON.parse(await readFile(path.join(site.out, 'content', 'models', 'tiny.json'), 'utf8'));
    const port = await freePort();
    site.origin = `http://127.0.0.1:${port}`;
    preview = spawn(process.execPath, [TSX, 'pipeline/cli/preview.ts', '--out', site.out, '--port', String(port)], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
      detached: true,
    });
    await waitForHttp(`${site.origin}/`, preview, 60_000);
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
    site.context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await site.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.origin });
    site.context.on('console', (m) => {
      if (m.type() === 'error') site.consoleErrors.push(`${m.page()?.url()}: ${m.text()}`);
    });
    site.context.on('weberror', (e) => site.consoleErrors.push(`page error: ${e.error().message}`));
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    if (preview?.pid) {
      try {
        process.kill(-preview.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    if (site.root && !process.env.ATLAS_KEEP_TEST_SITE) await rm(site.root, { recursive: true, force: true });
  });

  site.open = async (p: string): Promise<Page> => {
    const page = await site.context.newPage();
    const response = await page.goto(site.origin + p, { waitUntil: 'networkidle' });
    expect(response?.status(), p).toBe(200);
    return page;
  };
  return site;
}
