/**
 * Browser tests of the unit atlas on the built tiny gallery: a unit page with feature
 * visualization, quality flag, the two 3×3 grids of top patches and projections, the activation
 * histogram and tags; the honest "not computed" lines of a unit without records (a second site
 * build over a copy of the records with that unit's removed); class pages with their class model
 * and anchored dataset images; a human note from ATLAS_NOTES_DIR rendered and searchable; and the
 * Pagefind tag filter.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClassModelRecord, FeatureVisRecord, UnitPatchesRecord, UnitTagsRecord } from '../../pipeline/records/atlas-schemas.ts';
import type { DatasetRecord } from '../../pipeline/records/schemas.ts';
import { run, skip, useTinySite } from './harness.ts';
import { searchWords } from '../../src/lib/search-words.ts';

// The notes collection reads ATLAS_NOTES_DIR, and the build command passes this process's
// environment on to Astro: a note for tiny c1 unit 0, with a word found nowhere else and two
// measured facts the build fills in.
const NOTE_LAYER = 'c1';
const NOTE_WORD = 'quokkaflange';
const notesDir = await mkdtemp(path.join(os.tmpdir(), 'atlas-notes-'));
await mkdir(path.join(notesDir, 'tiny', NOTE_LAYER), { recursive: true });
await writeFile(
  path.join(notesDir, 'tiny', NOTE_LAYER, '0.md'),
  `---\ntitle: A test note\nauthor: Atlas tests\n---\n\nThis unit looks like a **${NOTE_WORD}** to the tests. It responds most to {{strongest-photo}}; ` +
    `its receptive field is {{receptive-field}}.\n`,
);
process.env.ATLAS_NOTES_DIR = notesDir;

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

async function jsonFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f)).sort();
}

/** Scrolls through the page so lazy images load, then reports images that failed. */
async function brokenImages(page: Page, selector: string): Promise<string[]> {
  await page.evaluate(async () => {
    for (let y = 0; y < document.body.scrollHeight; y += 500) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 30));
    }
  });
  await page.waitForLoadState('networkidle');
  return page.locator(selector).evaluateAll((imgs) =>
    imgs.filter((i) => !((i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0)).map((i) => (i as HTMLImageElement).src),
  );
}

describe.skipIf(skip)('unit atlas in a browser', () => {
  const site = useTinySite();
  const atlasDir = () => path.join(site.out, 'content', 'atlas');

  afterAll(async () => {
    await rm(notesDir, { recursive: true, force: true });
  });

  /** A unit with a feature visualization, top patches and at least one tag. */
  async function recordedUnit() {
    for (const file of await jsonFiles(path.join(atlasDir(), 'patches', 'tiny'))) {
      const patches = await readJson<UnitPatchesRecord>(file);
      const visFile = path.join(atlasDir(), 'feature-vis', 'tiny', patches.layer, `${patches.unit}.json`);
      const vis = await readJson<FeatureVisRecord>(visFile).catch(() => undefined);
      const tags = await readJson<UnitTagsRecord>(path.join(atlasDir(), 'tags', 'tiny', `${patches.layer}.json`)).catch(() => undefined);
      const unitTags = tags?.units.find((u) => u.unit === patches.unit)?.tags ?? [];
      if (vis && unitTags.length) return { patches, vis, tags: unitTags };
    }
    throw new Error('no tiny unit has a feature visualization, top patches and tags');
  }

  it('a unit with atlas records shows its feature visualization, quality flag, two 3×3 grids, histogram and tags', async () => {
    const { patches, vis, tags } = await recordedUnit();
    const page = await site.open(`/models/tiny/layers/${patches.layer}/units/${patches.unit}/`);
    expect(await page.locator('#not-computed, .not-computed').count()).toBe(0);

    // Feature visualization and its quality flag, with the thresholds stated.
    expect(await page.locator('#feature-vis .fv-main img').count()).toBe(1);
    const quality = page.locator('#feature-vis .quality');
    await expect(quality.getAttribute('data-quality')).resolves.toMatch(/^(good|weak|failed|unrated)$/);
    const qualityText = (await quality.textContent()) ?? '';
    expect(qualityText).toMatch(/good|weak|likely failed|unrated/i);
    expect(qualityText).toContain('0.8');
    expect(qualityText).toContain('0.3');
    if (vis.quality !== null) expect(qualityText).toContain(String(Number(vis.quality.toPrecision(2))));

    // The slide card shows what the unit detects: its feature visualization and its top patches.
    const card = JSON.parse((await page.locator('#card-data').textContent()) ?? '{}');
    expect(card.detects.vis.src).toContain(vis.image.src);
    expect(card.detects.patches).toMatchObject({ src: expect.stringContaining(patches.sheet.src), count: Math.min(9, patches.items.length) });
    expect(card.images.length).toBeLessThanOrEqual(4);

    // Patches and projections: two grids of three columns, one tile per top image (up to 9).
    const k = patches.items.length;
    expect(k).toBeGreaterThan(0);
    expect(k).toBeLessThanOrEqual(9);
    for (const kind of ['patches', 'projections']) {
      const grid = page.locator(`#patches .grid3[data-kind="${kind}"]`);
      expect(await grid.locator('li').count(), kind).toBe(k);
      const cols = await grid.evaluate((el) => getComputedStyle(el).gridTemplateColumns.split(' ').length);
      expect(cols, kind).toBe(3);
    }
    const [left, right] = await page.locator('#patches .grid3').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()));
    expect(right.left).toBeGreaterThan(left.right); // side by side
    expect(Math.abs(right.top - left.top)).toBeLessThan(2);
    expect(await brokenImages(page, '#feature-vis img, #patches img')).toEqual([]);

    // Each patch links to its dataset image on the class page, and the anchor exists there.
    const links = await page.locator('#patches .grid3[data-kind="patches"] a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(links.length).toBe(k);
    const [target, anchor] = links[0].split('#');
    expect(target).toMatch(/^\/models\/tiny\/classes\/\d+\/$/);
    const classPage = await site.open(target);
    expect(await classPage.locator(`[id="${anchor}"]`).count()).toBe(1);
    await classPage.close();

    // Histogram: an SVG with axes, the counts as bars and the dataset max marked.
    const svg = page.locator('#histogram svg');
    expect(await svg.count()).toBe(1);
    expect(await svg.locator('rect').count()).toBeGreaterThan(0);
    expect(await svg.locator('.axis text').count()).toBeGreaterThanOrEqual(4);
    await expect(svg.locator('.legend').textContent()).resolves.toContain('dataset max');
    expect(await svg.locator('.marker.max line').count()).toBeGreaterThanOrEqual(1);

    // Tags: one chip per tag, linking to the search filtered to it, marked for Pagefind.
    const chips = page.locator('#tags .chip');
    expect(await chips.count()).toBe(tags.length);
    const hrefs = await chips.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs).toEqual(tags.map((t) => `/search/?tag=${encodeURIComponent(t.tag)}`));
    const filters = await page.locator('#tags [data-pagefind-filter="tag"]').allTextContents();
    expect(filters.map((f) => f.trim())).toEqual(tags.map((t) => t.tag));
    expect(await page.locator(`#tags [data-pagefind-filter="tag kind:${tags[0].kind}"]`).count()).toBe(1);
    await expect(page.locator('#tags details.evidence').textContent()).resolves.toContain(tags[0].evidence);
    await page.close();
  });

  it('a unit without records says what is missing and the command that computes it, with no broken images', async () => {
    const { patches } = await recordedUnit();
    const { layer, unit } = patches;
    // A second site build over a copy of the records without this unit's atlas records and its layer's tags.
    const out = path.join(site.root, 'out-missing');
    await cp(path.join(site.out, 'content'), path.join(out, 'content'), { recursive: true });
    for (const kind of ['patches', 'feature-vis', 'feature-vis-extras']) await rm(path.join(out, 'content', 'atlas', kind, 'tiny', layer, `${unit}.json`), { force: true });
    await rm(path.join(out, 'content', 'atlas', 'tags', 'tiny', `${layer}.json`), { force: true });
    await run(['pipeline/cli/build.ts', '--out', out, '--public', path.join(site.out, 'public', 'generated'), '--skip-pipeline', '--force-site']);
    const html = await readFile(path.join(out, 'dist', 'models', 'tiny', 'layers', layer, 'units', String(unit), 'index.html'), 'utf8');
    const command = `npm run atlas -- --layers ${layer} --units ${unit}`;
    const lines = html.match(/<p[^>]*class="placeholder not-computed[^"]*"[^>]*>[\s\S]*?<\/p>/g) ?? [];
    // Feature visualization, patches and tags (and the extras, if the unit is a featured one).
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      expect(line).toContain('not computed yet for this unit');
      expect(line).toContain(command);
    }
    for (const id of ['feature-vis', 'patches', 'tags']) {
      const section = html.match(new RegExp(`<section[^>]*id="${id}"[^>]*>[\\s\\S]*?</section>`))?.[0] ?? '';
      expect(section, id).toContain('not computed yet for this unit');
      expect(section, id).not.toContain('<img');
    }
    expect(html).not.toContain('id="not-computed"');
  }, 300_000); // a second astro build

  it('class pages show the class model with its provenance, dataset images with anchors, and an index of all classes', async () => {
    const files = await jsonFiles(path.join(atlasDir(), 'class-models', 'tiny'));
    expect(files.length).toBeGreaterThan(0);
    const cm = await readJson<ClassModelRecord>(files[0]);
    const page = await site.open(`/models/tiny/classes/${cm.classIndex}/`);
    await expect(page.locator('h1').textContent()).resolves.toContain(cm.label);
    const figures = page.locator('#class-model figure');
    expect(await figures.count()).toBe(cm.images.length);
    const caption = (await figures.first().locator('figcaption').textContent()) ?? '';
    expect(caption).toMatch(/score/);
    expect(caption).toMatch(/probability/);
    expect(caption).toContain(`${cm.images[0].steps} steps`);
    expect(await brokenImages(page, '#class-model img')).toEqual([]);
    expect(await page.locator('details.provenance').count()).toBe(1);
    await page.close();

    // Dataset images sit on their class's page under an anchor.
    const datasets = await jsonFiles(path.join(site.out, 'content', 'datasets'));
    const dataset = await readJson<DatasetRecord>(datasets[0]);
    const labelled = dataset.images.find((i) => i.className && site.model.labels.includes(i.className))!;
    const c = site.model.labels.indexOf(labelled.className!);
    const dsPage = await site.open(`/models/tiny/classes/${c}/`);
    expect(await dsPage.locator(`[id="ds-${labelled.id}"] img`).count()).toBe(1);
    expect(await brokenImages(dsPage, '#dataset img')).toEqual([]);
    await dsPage.close();

    // Classes without a class model say so; the index lists every class.
    const withModel = new Set(await Promise.all(files.map(async (f) => (await readJson<ClassModelRecord>(f)).classIndex)));
    const without = site.model.labels.findIndex((_, i) => !withModel.has(i));
    if (without >= 0) {
      const p = await site.open(`/models/tiny/classes/${without}/`);
      await expect(p.locator('#class-model').textContent()).resolves.toContain('No class model computed');
      expect(await p.locator('#class-model img').count()).toBe(0);
      await p.close();
    }
    const index = await site.open('/models/tiny/classes/');
    expect(await index.locator('ol.classes li').count()).toBe(site.model.labels.length);
    expect(await index.locator('#class-models img').count()).toBe(withModel.size);
    await index.close();
  });

  it('a note from the notes directory shows on its unit page and search finds it', async () => {
    const page = await site.open(`/models/tiny/layers/${NOTE_LAYER}/units/0/`);
    const note = page.locator('#notes .unit-note');
    expect(await note.count()).toBe(1);
    await expect(note.locator('h3').textContent()).resolves.toBe('A test note');
    await expect(note.locator('strong:not(.note-fact)').textContent()).resolves.toBe(NOTE_WORD);
    // The facts are this build's values: the same photo and receptive field the page states above.
    const facts = await note.locator('.note-fact').allTextContents();
    const lede = page.locator('.lede');
    expect(facts).toHaveLength(2);
    await expect(lede.locator('a[href^="#"]').first().textContent()).resolves.toBe(facts[0]);
    await expect(page.locator('.facts').textContent()).resolves.toContain(facts[1]);
    await expect(note.textContent()).resolves.toContain('Atlas tests');
    await page.close();
    const other = await site.open(`/models/tiny/layers/${NOTE_LAYER}/units/1/`);
    await expect(other.locator('#notes').textContent()).resolves.toContain('No notes on this unit yet');
    await other.close();

    const search = await site.open(`/search/?q=${NOTE_WORD}`);
    const results = search.locator('.pagefind-ui__result-link');
    await results.first().waitFor({ timeout: 20_000 });
    const hrefs = await results.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs).toContain(`/models/tiny/layers/${NOTE_LAYER}/units/0/`);
    await search.close();
  });

  it('the search page filters units by tag, and a tag word finds tagged units', async () => {
    const tagged = new Map<string, Set<string>>();
    for (const file of await jsonFiles(path.join(atlasDir(), 'tags', 'tiny'))) {
      const rec = await readJson<UnitTagsRecord>(file);
      for (const u of rec.units) {
        for (const t of u.tags) tagged.set(t.tag, (tagged.get(t.tag) ?? new Set()).add(`/models/tiny/layers/${rec.layer}/units/${u.unit}/`));
      }
    }
    expect(tagged.size).toBeGreaterThan(0);
    const [tag, units] = [...tagged].sort((a, b) => b[1].size - a[1].size)[0];

    // The tag browser links to ?tag=, which lists exactly the units with that tag.
    const browse = await site.open('/search/');
    expect(await browse.locator(`#tags a.chip[href="/search/?tag=${encodeURIComponent(tag)}"]`).count()).toBe(1);
    await browse.close();
    const page = await site.open(`/search/?tag=${encodeURIComponent(tag)}`);
    const hits = page.locator('#tag-results a.tag-hit');
    await hits.first().waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => !document.querySelector('[data-tag-count]')?.textContent?.includes('searching'));
    while (await page.locator('[data-tag-more]:visible').count()) await page.click('[data-tag-more]');
    const listed = await hits.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(new Set(listed)).toEqual(units);

    // Pagefind's index: the tag is a filter value, and searching the word finds a tagged unit.
    // A string, so the test runner's module transform leaves the browser-side import() alone.
    const found = (await page.evaluate(`(async () => {
      const pf = await import('/pagefind/pagefind.js');
      const filters = await pf.filters();
      const { results } = await pf.search(${JSON.stringify(tag)});
      return { filters, urls: await Promise.all(results.map(async (r) => (await r.data()).url)) };
    })()`)) as { filters: Record<string, Record<string, number>>; urls: string[] };
    expect(Object.keys(found.filters.tag ?? {})).toContain(tag);
    expect(Object.keys(found.filters['tag kind'] ?? {}).length).toBeGreaterThan(0);
    expect(found.urls.some((u) => units.has(u))).toBe(true);

    // A plain word for the tag (src/lib/search-words.ts) finds a tagged unit too, and unit hits
    // carry a thumbnail and a title naming layer, unit and model.
    const word = searchWords([tag])[0];
    expect(word, `no search words for the tag "${tag}"`).toBeTruthy();
    const bySynonym = (await page.evaluate(`(async () => {
      const pf = await import('/pagefind/pagefind.js');
      const { results } = await pf.search(${JSON.stringify(word)});
      return Promise.all(results.map(async (r) => { const d = await r.data(); return { url: d.url, meta: d.meta }; }));
    })()`)) as { url: string; meta: Record<string, string> }[];
    const hit = bySynonym.find((r) => units.has(r.url));
    expect(hit, `searching "${word}" finds no unit tagged "${tag}"`).toBeTruthy();
    expect(hit!.meta.image).toMatch(/\.(webp|png|jpe?g)$/);
    expect(hit!.meta.title).toMatch(/ · unit \d+ · /);
    await page.close();
  });

  it('the layer page filters its unit grid by tag', async () => {
    const tagged = new Map<string, Set<string>>();
    for (const file of await jsonFiles(path.join(atlasDir(), 'tags', 'tiny'))) {
      const rec = await readJson<UnitTagsRecord>(file);
      for (const u of rec.units) for (const t of u.tags) tagged.set(`${rec.layer}|${t.tag}`, (tagged.get(`${rec.layer}|${t.tag}`) ?? new Set()).add(String(u.unit)));
    }
    const [key, units] = [...tagged].sort((a, b) => b[1].size - a[1].size)[0];
    const [layer, tag] = key.split('|');
    const page = await site.open(`/models/tiny/layers/${layer}/`);
    await page.selectOption('select[x-model="tag"]', tag);
    const shown = await page.locator('a[data-unit]:visible').evaluateAll((as) => as.map((a) => (a as HTMLElement).dataset.index ?? ''));
    expect(new Set(shown)).toEqual(units);
    await page.close();
  });

  it('no atlas page logged a console error', () => {
    expect(site.consoleErrors).toEqual([]);
  });
});
