import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  IMAGE_ROUTE,
  limitViolations,
  measureSite,
  routeOf,
  routePatterns,
  SITE_LIMITS,
  UNIT_ROUTE,
} from '../pipeline/steps/site-weight.ts';
import { REPO_ROOT } from '../pipeline/util/paths.ts';

const PAGES = path.join(REPO_ROOT, 'src', 'pages');
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A fake built site: `files` maps paths to sizes in bytes. */
async function site(files: Record<string, number>): Promise<string> {
  const dist = await mkdtemp(path.join(os.tmpdir(), 'atlas-weight-'));
  dirs.push(dist);
  for (const [rel, bytes] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dist, rel)), { recursive: true });
    await writeFile(path.join(dist, rel), Buffer.alloc(bytes, 97));
  }
  return dist;
}

describe('site weight report', () => {
  it('derives the route patterns from src/pages and files each built page under one', async () => {
    const patterns = await routePatterns(PAGES);
    expect(patterns).toContain(UNIT_ROUTE);
    expect(patterns).toContain(IMAGE_ROUTE);
    expect(patterns).toContain('/');
    expect(routeOf('index.html', patterns)).toBe('/');
    expect(routeOf('models/m/layers/conv_1/units/12/index.html', patterns)).toBe(UNIT_ROUTE);
    expect(routeOf('models/m/images/cat/index.html', patterns)).toBe(IMAGE_ROUTE);
    // A static segment beats a parameter: /models/m/map/ is the map page, not a model page of some other shape.
    expect(routeOf('models/m/map/units/index.html', patterns)).toBe('/models/<model>/map/units/');
    expect(routeOf('404.html', patterns)).toBe('/404.html');
  });

  it('sums sizes and files exactly and finds the largest file and folder', async () => {
    const dist = await site({
      'index.html': 1000,
      'models/m/images/a/index.html': 3000,
      'models/m/images/b/index.html': 5000,
      'models/m/images/c/index.html': 4000,
      'pagefind/fragment/x.pf_fragment': 10,
      'pagefind/fragment/y.pf_fragment': 10,
      'pagefind/fragment/z.pf_fragment': 10,
      'generated/big.webp': 70_000,
    });
    const r = await measureSite(dist, PAGES);
    expect(r.files).toBe(8);
    expect(r.totalBytes).toBe(1000 + 3000 + 5000 + 4000 + 30 + 70_000);
    expect(r.largestFile).toEqual({ path: 'generated/big.webp', bytes: 70_000 });
    expect(r.largestFolder).toEqual({ path: 'pagefind/fragment', files: 3 });
    expect(r.pages[IMAGE_ROUTE]).toEqual({ count: 3, min: 3000, median: 4000, max: 5000, maxPath: 'models/m/images/b/index.html' });
    expect(r.byType['.html']).toEqual({ bytes: 13_000, files: 4 });
    expect(limitViolations(r)).toEqual([]);
  });

  it('names each exceeded limit', async () => {
    const limit = SITE_LIMITS.pageHtmlBytes[UNIT_ROUTE];
    const dist = await site({ 'models/m/layers/l/units/0/index.html': limit + 1, 'models/m/layers/l/units/1/index.html': limit });
    const r = await measureSite(dist, PAGES);
    const tight = { ...SITE_LIMITS, folderFiles: 0, fileBytes: limit, totalBytes: 2 * limit };
    const v = limitViolations(r, tight);
    expect(v).toHaveLength(4);
    expect(v.find((s) => s.startsWith(UNIT_ROUTE))).toContain('models/m/layers/l/units/0/index.html');
    expect(limitViolations(r)).toHaveLength(1);
  });

  it('npm run site-report exits non-zero with the reason when a page is over its limit', async () => {
    const dist = await site({ 'models/m/images/a/index.html': SITE_LIMITS.pageHtmlBytes[IMAGE_ROUTE] + 1 });
    const tsx = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const res = spawnSync(process.execPath, [tsx, 'pipeline/cli/site-report.ts', '--dist', dist], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`${IMAGE_ROUTE} pages reach`);
    expect(res.stdout).toContain('HTML per page type');
  });
});
