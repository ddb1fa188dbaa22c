/**
 * How well a reader finds a filter by what it detects: runs the twenty reader queries of
 * tests/search-queries.ts through the built site's Pagefind index (in headless Chromium, in the
 * order the search page shows them: its units panel, then Pagefind's list of every kind of page) and counts the queries whose top 5 hits hold a relevant unit, i.e. a unit page
 * whose tags (records/atlas/tags) include one of the query's tags. Also reports the kind of each
 * query's first hit.
 *   npx tsx pipeline/bench/search-queries.ts [--out DIR]     (a site built with `npm run build [-- --out DIR]`)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { READER_QUERIES } from '../../tests/search-queries.ts';
import { UNITS_FIRST } from '../../src/lib/search-words.ts';
import type { UnitTagsRecord } from '../records/atlas-schemas.ts';
import { DEFAULT_RECORDS_DIR } from '../steps/context.ts';
import { REPO_ROOT } from '../util/paths.ts';

const TOP = 5;
const { values: args } = parseArgs({ options: { out: { type: 'string' }, port: { type: 'string', default: '4399' } } });
const out = args.out ? path.resolve(args.out) : undefined;
const recordsDir = out ? path.join(out, 'content') : DEFAULT_RECORDS_DIR;
const tagsDir = path.join(recordsDir, 'atlas', 'tags');

/** Unit page path → its tags, over every model's tag records. */
async function unitTags(): Promise<Map<string, string[]>> {
  const byUrl = new Map<string, string[]>();
  if (!existsSync(tagsDir)) throw new Error(`no tag records under ${tagsDir}: build the site first (npm run build${out ? ` -- --out ${out}` : ''})`);
  for (const model of await readdir(tagsDir)) {
    for (const file of await readdir(path.join(tagsDir, model))) {
      const rec = JSON.parse(await readFile(path.join(tagsDir, model, file), 'utf8')) as UnitTagsRecord;
      for (const u of rec.units) byUrl.set(`/models/${rec.model}/layers/${rec.layer}/units/${u.unit}/`, u.tags.map((t) => t.tag));
    }
  }
  return byUrl;
}

const kindOf = (url: string) => (/\/units\/\d+\/$/.test(url) ? 'unit' : /\/classes\/\d+\/$/.test(url) ? 'class' : /\/images\//.test(url) ? 'image' : /\/layers\//.test(url) ? 'layer' : 'other');

const tags = await unitTags();
const origin = `http://127.0.0.1:${args.port}`;
const tsx = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const preview = spawn(process.execPath, [tsx, 'pipeline/cli/preview.ts', ...(out ? ['--out', out] : []), '--port', args.port!], { cwd: REPO_ROOT, stdio: 'ignore', detached: true });
try {
  for (let i = 0; ; i++) {
    if (await fetch(`${origin}/`).then((r) => r.ok, () => false)) break;
    if (i > 240) throw new Error(`preview did not answer at ${origin}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage();
  await page.goto(`${origin}/search/`);
  let relevant = 0;
  const rows = [];
  for (const q of READER_QUERIES) {
    // A string, so no bundler rewrites the browser-side import().
    const urls = (await page.evaluate(`(async () => {
      const pf = await import('/pagefind/pagefind.js');
      const units = (await pf.search(${JSON.stringify(q.query)}, { filters: { kind: 'unit' } })).results;
      const all = (await pf.search(${JSON.stringify(q.query)})).results;
      const shown = [...units.slice(0, ${UNITS_FIRST}), ...all];
      const urls = await Promise.all(shown.slice(0, ${UNITS_FIRST} + ${TOP}).map(async (r) => (await r.data()).url));
      return [...new Set(urls)].slice(0, ${TOP});
    })()`)) as string[];
    const hit = urls.find((u) => kindOf(u) === 'unit' && (tags.get(u) ?? []).some((t) => q.tags.includes(t)));
    if (hit) relevant++;
    rows.push({ query: q.query, expectedFirst: q.first, first: urls[0] ? kindOf(urls[0]) : 'none', relevantUnitInTop5: hit ?? null });
    console.log(`${hit ? '✓' : '✗'} ${q.query.padEnd(14)} first: ${(urls[0] ? kindOf(urls[0]) : 'none').padEnd(6)} ${hit ?? urls.slice(0, 2).join(' ')}`);
  }
  await browser.close();
  console.log(`${relevant} of ${READER_QUERIES.length} queries return a relevant unit in the top ${TOP}`);
  console.log(JSON.stringify({ relevant, queries: READER_QUERIES.length, top: TOP, rows }));
} finally {
  if (preview.pid) process.kill(-preview.pid, 'SIGTERM');
}
