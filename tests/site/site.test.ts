/**
 * Browser tests of the built site. Builds a tiny gallery (tiny model, three generated photos, a
 * small dataset) into a temporary directory with the real build command, serves it with the
 * preview command, and drives headless Chromium (playwright-core + the system's chromium; run
 * `npm run setup` to install it). Nothing here touches the real dist/ or content/generated/.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { routeOf, routePatterns } from '../../pipeline/steps/site-weight.ts';
import { REPO_ROOT } from '../../pipeline/util/paths.ts';
import { pngSize, run, skip, useTinySite } from './harness.ts';
import { TINY_PHOTOS } from './tiny-gallery.ts';

describe.skipIf(skip)('gallery site in a browser', () => {
  const site = useTinySite();
  const mapLayers = () => site.model.layers.filter((l) => l.hasMaps);

  it('home page loads and links to the model', async () => {
    const page = await site.open('/');
    await expect(page.title()).resolves.toContain('ConvNet Atlas');
    await expect(page.locator('h1').first().textContent()).resolves.toMatch(/convolutional network/i);
    expect(await page.locator(`a[href="/models/tiny/"]`).count()).toBeGreaterThan(0);
    await page.close();
  });

  it('model page shows every layer with its shape', async () => {
    const page = await site.open('/models/tiny/');
    for (const l of site.model.layers) {
      const row = page.locator('.arch .row', { has: page.locator(`a[href="/models/tiny/layers/${l.id}/"]`) });
      await expect(row.locator('.shape').textContent()).resolves.toBe(l.shape.join('×'));
    }
    await page.close();
  });

  it('each layer page lists all of its units', async () => {
    for (const l of mapLayers()) {
      const page = await site.open(`/models/tiny/layers/${l.id}/`);
      expect(await page.locator('a[data-unit]').count(), l.id).toBe(l.channels);
      const first = page.locator('a[data-unit]').first();
      await expect(first.getAttribute('href')).resolves.toBe(`/models/tiny/layers/${l.id}/units/0/`);
      await page.close();
    }
  });

  it('the layer grid sorts and filters units', async () => {
    const l = mapLayers().find((x) => x.channels >= 5)!;
    const page = await site.open(`/models/tiny/layers/${l.id}/`);
    await page.selectOption('select[x-model="sort"]', 'max');
    const maxes = await page.locator('a[data-unit]').evaluateAll((as) => as.map((a) => Number((a as HTMLElement).dataset.max)));
    expect(maxes).toEqual([...maxes].sort((a, b) => b - a));
    await page.fill('input[x-model="query"]', '3');
    await expect(page.locator('a[data-unit]:not([hidden])').count()).resolves.toBe(1);
    await page.fill('input[x-model="query"]', '');
    // Keyboard: the grid is one tab stop, arrow keys move between tiles.
    await page.selectOption('select[x-model="sort"]', 'index');
    await page.locator('a[data-unit][tabindex="0"]').focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-index'))).resolves.toBe('1');
    await page.keyboard.press('End');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-index'))).resolves.toBe(String(l.channels - 1));
    await page.close();
  });

  it('a unit page shows its feature map on every photo, beside the photo', async () => {
    const l = mapLayers()[1];
    const page = await site.open(`/models/tiny/layers/${l.id}/units/1/`);
    const pairs = page.locator('figure.pair');
    expect(await pairs.count()).toBe(TINY_PHOTOS.length);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.waitForLoadState('networkidle');
    const loaded = await page.locator('figure.pair img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0));
    expect(loaded.length).toBe(TINY_PHOTOS.length * 2);
    expect(loaded.every(Boolean)).toBe(true);
    // Each pair shows its own photo: the contact-sheet crops sit at as many places as there are photos
    // (a stray default object-position once put the first photo beside every map).
    const crops = await page.locator('figure.pair img.crop').evaluateAll((imgs) => imgs.map((i) => getComputedStyle(i).objectPosition));
    expect(new Set(crops).size).toBe(TINY_PHOTOS.length);
    const alt = await page.locator('figure.pair .map img').first().getAttribute('alt');
    expect(alt).toContain('Tiny test net');
    expect(alt).toContain(`${l.id} unit 1`);
    expect(alt).toMatch(/activation/);
    await page.close();
  });

  it('npm run site-report finds the built site within every limit and counts its files exactly', async () => {
    const out = await run(['pipeline/cli/site-report.ts', '--out', site.out]);
    expect(out).toContain('within every limit');
    const files = (await readdir(path.join(site.out, 'dist'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    expect(out).toContain(` in ${files.length.toLocaleString('en-US')} files`);
    for (const route of ['/models/<model>/layers/<layer>/units/<unit>/', '/models/<model>/images/<image>/', '/models/<model>/classes/<classIndex>/']) {
      expect(out).toContain(route);
    }
  });

  it('a unit page stays light: under 300 KB before images, thumbnails lazy', async () => {
    const page = await site.open(`/models/tiny/layers/${mapLayers()[1].id}/units/0/`);
    const bytes = await page.evaluate(() => {
      const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')] as PerformanceResourceTiming[];
      return entries.filter((e) => !/\.(webp|png|jpe?g|gif|avif)$/i.test(new URL(e.name).pathname)).reduce((s, e) => s + (e.decodedBodySize || e.transferSize), 0);
    });
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(300 * 1024);
    const eager = await page.locator('figure.pair img:not([loading="lazy"])').count();
    expect(eager).toBe(0);
    await page.close();
  });

  it('the copy-link button copies the page URL, keeping a photo anchor', async () => {
    const p = `/models/tiny/layers/${mapLayers()[0].id}/units/2/`;
    const page = await site.open(p);
    await page.click('[data-action="copy-link"]');
    await page.locator('text=Link copied').waitFor({ timeout: 5_000 });
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(site.origin + p);
    // At a photo's anchor the link keeps it (the slide's reader lands on that photo); a fragment naming nothing is dropped.
    const photo = await page.locator('[id^="img-"]').first().getAttribute('id');
    for (const [hash, kept] of [[`#${photo}`, true], ['#no-such-element', false]] as const) {
      await page.goto(site.origin + p + hash);
      // Clear the clipboard first: the previous click's "Link copied" may still show, so wait for the new text.
      await page.evaluate(() => navigator.clipboard.writeText(''));
      await page.click('[data-action="copy-link"]');
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: 10_000 }).toBe(site.origin + p + (kept ? hash : ''));
    }
    await page.close();
  });

  it('the slide card downloads as a 1600x900 PNG', async () => {
    const page = await site.open(`/models/tiny/layers/${mapLayers()[0].id}/units/0/`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="slide-card"]')]);
    expect(download.suggestedFilename()).toMatch(/^tiny-.+-unit-0\.png$/);
    const file = await download.path();
    expect(pngSize(await readFile(file))).toEqual({ width: 1600, height: 900 });
    await page.close();
  });

  it('an image page shows predictions, and a click on any map opens its unit', async () => {
    const path0 = `/models/tiny/images/${TINY_PHOTOS[0].id}/`;
    const page = await site.open(path0);
    expect(await page.locator('.preds li').count()).toBe(4);
    for (const l of mapLayers()) {
      // Only the strongest and the projected maps carry links; the rest are found from the click position.
      const links = await page.locator(`#layer-${l.id} .hits a`).count();
      expect(links, l.id).toBeGreaterThanOrEqual(1);
      expect(links, l.id).toBeLessThan(l.channels + 1);
      const linked = await page.locator(`#layer-${l.id} .hits a[aria-label]`).evaluateAll((as) => as.map((a) => Number(/unit (\d+)/.exec(a.getAttribute('aria-label') ?? '')![1])));
      const unit = [...Array(l.channels).keys()].reverse().find((k) => !linked.includes(k));
      if (unit === undefined) continue;
      const grid = page.locator(`#layer-${l.id} .hits`);
      const { cols } = await grid.evaluate((g) => ({ cols: Number((g as HTMLElement).dataset.cols) }));
      const box = (await grid.boundingBox())!;
      const rows = Math.ceil(l.channels / cols);
      await grid.scrollIntoViewIfNeeded();
      const at = { x: ((unit % cols) + 0.5) * (box.width / cols), y: (Math.floor(unit / cols) + 0.5) * (box.height / rows) };
      await grid.click({ position: at });
      await page.waitForURL(new RegExp(`/layers/${l.id}/units/${unit}/`));
      await page.goto(`${site.origin}${path0}`);
    }
    await page.close();
  });

  it('credits name the CC-BY photo, the dataset and the model', async () => {
    const page = await site.open('/credits/');
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('Test Photographer');
    expect(text).toContain('CC-BY-4.0');
    expect(text).toContain('Tiny test net');
    expect(text).toContain('dataset');
    await page.close();
  });

  it('search finds a unit by its layer name', async () => {
    const layer = mapLayers()[2].id;
    const page = await site.open(`/search/?q=${encodeURIComponent(layer)}`);
    const results = page.locator('.pagefind-ui__result-link');
    await results.first().waitFor({ timeout: 20_000 });
    const hrefs = await results.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.some((h) => h.includes(`/layers/${layer}/units/`))).toBe(true);
    await page.close();
  });

  it('every page is reachable and no internal link, image or fragment is broken', async () => {
    const seen = new Set<string>();
    const queue = ['/'];
    const checked = new Map<string, number>();
    const fragments: { from: string; page: string; id: string }[] = [];
    const ids = new Map<string, Set<string>>();
    const page = await site.context.newPage();
    while (queue.length) {
      const p = queue.shift()!;
      if (seen.has(p)) continue;
      seen.add(p);
      const response = await page.goto(site.origin + p, { waitUntil: 'load' });
      expect(response?.status(), p).toBe(200);
      const found = await page.evaluate(() => ({
        links: [...document.querySelectorAll('a[href]')].map((a) => (a as HTMLAnchorElement).href),
        assets: [
          ...[...document.querySelectorAll('img[src], script[src]')].map((e) => (e as HTMLImageElement).src),
          ...[...document.querySelectorAll('link[href]')].map((e) => (e as HTMLLinkElement).href),
        ],
        ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
      }));
      ids.set(p, new Set(found.ids));
      for (const link of found.links) {
        const url = new URL(link);
        if (url.origin !== site.origin) continue;
        if (url.hash.length > 1) fragments.push({ from: p, page: url.pathname, id: decodeURIComponent(url.hash.slice(1)) });
        if (!seen.has(url.pathname)) queue.push(url.pathname);
      }
      for (const asset of found.assets) {
        const url = new URL(asset);
        if (url.origin !== site.origin || checked.has(url.pathname) || url.protocol === 'data:') continue;
        checked.set(url.pathname, (await fetch(site.origin + url.pathname)).status);
      }
    }
    await page.close();
    const broken = [...checked].filter(([, status]) => status !== 200);
    expect(broken).toEqual([]);
    const missing = fragments.filter((f) => ids.has(f.page) && !ids.get(f.page)!.has(f.id));
    expect(missing.slice(0, 5)).toEqual([]);
    // Every page type exists: model, layers, every unit, every image, credits, search.
    const units = mapLayers().reduce((s, l) => s + l.channels, 0);
    const unitPages = [...seen].filter((p) => /\/units\/\d+\/$/.test(p));
    expect(unitPages.length).toBe(units);
    expect([...seen].filter((p) => /\/images\/[^/]+\/$/.test(p)).length).toBe(TINY_PHOTOS.length);
    expect(seen.has('/credits/')).toBe(true);
    expect(seen.has('/search/')).toBe(true);
  });

  it('on a 390 px phone no page type scrolls sideways', async () => {
    // One page per route of src/pages (site-report's route matching), and every explainer chapter.
    const patterns = await routePatterns(path.join(REPO_ROOT, 'src', 'pages'));
    const files = (await readdir(path.join(site.out, 'dist'), { recursive: true })).filter((f) => f.endsWith('index.html'));
    const routes = new Map<string, string>();
    for (const f of files.sort()) {
      const url = `/${f.replace(/index\.html$/, '')}`;
      const key = url.startsWith('/explainer/') ? url : routeOf(f, patterns);
      if (!routes.has(key)) routes.set(key, url);
    }
    expect(routes.size).toBeGreaterThan(12);
    const phone = await site.context.browser()!.newContext({ viewport: { width: 390, height: 844 } });
    const page = await phone.newPage();
    const wide: string[] = [];
    for (const p of routes.values()) {
      await page.goto(site.origin + p, { waitUntil: 'load' });
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 390) wide.push(`${p}: ${width} px`);
    }
    await phone.close();
    expect(wide).toEqual([]);
  });

  it('no page logged a console error', () => {
    expect(site.consoleErrors).toEqual([]);
  });

  it('a record that fails its schema fails the site build, naming the file', async () => {
    const file = path.join(site.out, 'content', 'unit-stats', 'tiny', `${mapLayers()[0].id}.json`);
    const original = await readFile(file, 'utf8');
    const bad = JSON.parse(original);
    bad.units[0].mean = 'not a number';
    await writeFile(file, JSON.stringify(bad));
    try {
      const build = run(['pipeline/cli/build.ts', '--out', site.out, '--skip-pipeline', '--force-site', '--dist', path.join(site.root, 'dist-bad')]);
      await expect(build).rejects.toThrow(file);
      await expect(build).rejects.toThrow(/units\.0\.mean/);
    } finally {
      await writeFile(file, original);
    }
  });
});
