/**
 * Browser tests of the per-image analyses on a gallery image page (Grad-CAM, occlusion, deconvnet
 * projections, DeepDream, invariance, patch detection), on the tiny gallery built with the real
 * build command (see harness.ts). Expectations come from the records the build wrote.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OcclusionRecord, ProjectionsRecord } from '../../pipeline/records/analysis-schemas.ts';
import { run, skip, useTinySite } from './harness.ts';
import { TINY_PHOTOS } from './tiny-gallery.ts';

const SECTIONS = ['gradcam', 'occlusion', 'projections', 'deepdream', 'invariance', 'patch-detection'];
const DIRS: Record<string, string> = { 'patch-detection': 'patch-detection' };

describe.skipIf(skip)('per-image analyses on the image page', () => {
  const site = useTinySite();
  const photo = TINY_PHOTOS[0].id;
  const pagePath = `/models/tiny/images/${photo}/`;
  const recordFile = (section: string) => path.join(site.out, 'content', 'analyses', DIRS[section] ?? section, 'tiny', `${photo}.json`);
  const record = async <T>(section: string): Promise<T> => JSON.parse(await readFile(recordFile(section), 'utf8'));

  it('shows every section, with a permalink, provenance and loaded images', async () => {
    const page = await site.open(pagePath);
    for (const id of SECTIONS) {
      const section = page.locator(`section.analysis#${id}`);
      await expect(section.count(), id).resolves.toBe(1);
      await expect(page.locator(`nav.on-page a[href="#${id}"]`).count(), `nav link to ${id}`).resolves.toBe(1);
      await expect(section.locator('.missing').count(), `${id} has its record`).resolves.toBe(0);
      await expect(section.locator('details.aprov summary').textContent(), `${id} provenance`).resolves.toMatch(/How this was made/);
    }
    const gradcam = await record<{ classes: unknown[]; layers: unknown[] }>('gradcam');
    await expect(page.locator('#gradcam table.cam-grid tbody img').count()).resolves.toBe(gradcam.classes.length * gradcam.layers.length);
    await expect(page.locator('#gradcam').textContent()).resolves.toMatch(/max of each map/);
    // Every analysis image is lazy, has alt text and loads once scrolled to.
    const imgs = page.locator('section.analysis img');
    expect(await imgs.count()).toBeGreaterThan(10);
    const attrs = await imgs.evaluateAll((list) => list.map((i) => ({ alt: i.getAttribute('alt') ?? '', loading: i.getAttribute('loading'), src: i.getAttribute('src') })));
    for (const a of attrs) {
      expect(a.alt.length, a.src ?? '').toBeGreaterThan(10);
      expect(a.loading, a.src ?? '').toBe('lazy');
    }
    for (const id of SECTIONS) {
      await page.locator(`#${id}`).scrollIntoViewIfNeeded();
      await page.waitForLoadState('networkidle');
    }
    const broken = await page.locator('section.analysis img').evaluateAll((list) =>
      list.filter((i) => (i as HTMLImageElement).offsetParent !== null && !((i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0)).map((i) => i.getAttribute('src')),
    );
    expect(broken).toEqual([]);
    await page.close();
  });

  it('the occlusion slider steps through the sweeps and the readout switch changes the map', async () => {
    const occ = await record<OcclusionRecord>('occlusion');
    const page = await site.open(pagePath);
    const img = page.locator('#occlusion .occ-view img');
    const slider = page.locator('#occlusion input[type="range"]');
    await expect(slider.getAttribute('aria-label')).resolves.toMatch(/sweep/i);
    const facts = () => page.locator('#occlusion .occ-facts:visible').textContent();
    await expect(facts()).resolves.toContain(`${occ.sweeps[0].size} px`);
    const before = await img.getAttribute('style');
    const last = occ.sweeps.length - 1;
    expect(last, 'the tiny build has several sweeps').toBeGreaterThan(0);
    await slider.fill(String(last));
    await expect.poll(() => img.getAttribute('style')).not.toBe(before);
    const s = occ.sweeps[last];
    const [th] = occ.sheet.tile;
    const top = await img.evaluate((el) => parseFloat((el as HTMLElement).style.top));
    const scale = (await img.evaluate((el) => (el as HTMLImageElement).width)) / occ.sheet.width;
    expect(Math.round(-top)).toBe(Math.round(last * th * scale));
    const text = (await facts()) ?? '';
    expect(text).toContain(`${s.size} px`);
    expect(text).toContain(`${s.stride} px`);
    expect(text).toContain(`${s.forwardPasses} forward pass`);
    await expect(page.locator('#occlusion .occ-slider').textContent()).resolves.toContain(`Sweep ${last + 1} of ${occ.sweeps.length}`);
    // Readouts: the class one(s) and the unit one, which links to its unit page.
    const radios = page.locator('#occlusion input[type="radio"]');
    await expect(radios.count()).resolves.toBe(occ.readouts.length);
    const unitIndex = occ.readouts.findIndex((r) => r.kind === 'unit');
    expect(unitIndex).toBeGreaterThan(0);
    const leftBefore = await img.evaluate((el) => parseFloat((el as HTMLElement).style.left));
    await radios.nth(unitIndex).check();
    await expect.poll(() => img.evaluate((el) => parseFloat((el as HTMLElement).style.left))).not.toBe(leftBefore);
    const unit = occ.readouts[unitIndex] as Extract<OcclusionRecord['readouts'][number], { kind: 'unit' }>;
    await expect(page.locator(`#occlusion a[href="/models/tiny/layers/${unit.layer}/units/${unit.unit}/"]`).count()).resolves.toBe(1);
    const legend = page.locator('#occlusion .occ-legend:visible');
    await expect(legend.count()).resolves.toBe(1);
    await expect(legend.textContent()).resolves.toMatch(/activation/);
    await expect(page.locator('#occlusion').textContent()).resolves.toMatch(/dataset mean/);
    await page.close();
  });

  it('the layer selector shows that layer’s projection rows only', async () => {
    const proj = await record<ProjectionsRecord>('projections');
    const page = await site.open(pagePath);
    const select = page.locator('#projections select');
    await expect(select.locator('option').count()).resolves.toBe(proj.layers.length);
    const initial = await select.inputValue();
    await expect.poll(() => page.locator('#projections .proj-layer:visible').getAttribute('data-layer'), { timeout: 5_000 }).toBe(initial);
    const other = proj.layers.find((l) => l.layer !== initial)!;
    await select.selectOption(other.layer);
    const shown = page.locator('#projections .proj-layer:visible');
    // Alpine applies x-show after the change event: wait for it rather than read mid-update.
    await expect.poll(() => shown.getAttribute('data-layer'), { timeout: 5_000 }).toBe(other.layer);
    await expect(shown.count()).resolves.toBe(1);
    await expect(shown.locator('tbody tr').count()).resolves.toBe(other.units.length);
    const headers = await shown.locator('thead th.col').allTextContents();
    expect(headers.map((h) => h.trim())).toEqual(proj.columns);
    // Units past attributionUnits show the deconvnet only, and the table says so instead of blank tiles.
    const first = other.units[0];
    await expect(shown.locator(`tr#proj-${other.layer}-${first.unit} td`).count()).resolves.toBe(proj.columns.length);
    if (other.units.length > proj.attributionUnits) {
      await expect(shown.locator('td.only-deconv').textContent()).resolves.toMatch(/only for the \d+ strongest units/);
    }
    // The top-class row.
    await expect(page.locator('#projections .class-row img').count()).resolves.toBe(proj.classColumns.length);
    await page.close();
  });

  it('a marked map in the feature-map grid reveals its projection; a layer permalink selects it', async () => {
    const proj = await record<ProjectionsRecord>('projections');
    const page = await site.open(pagePath);
    const layer = proj.layers[proj.layers.length - 1];
    const unit = layer.units[0].unit;
    const mark = page.locator(`#layer-${layer.layer} .hits a[data-proj]`);
    await expect(mark.count()).resolves.toBe(new Set(layer.units.map((u) => u.unit)).size);
    await page.locator(`#layer-${layer.layer} .hits a[href="#proj-${layer.layer}-${unit}"]`).click();
    await expect.poll(() => page.locator('#projections select').inputValue()).toBe(layer.layer);
    await expect(page.locator(`#proj-${layer.layer}-${unit}`).isVisible()).resolves.toBe(true);
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#proj-${layer.layer}-${unit}`);
    await page.close();

    const second = proj.layers[0];
    const direct = await site.open(`${pagePath}#projections-${second.layer}`);
    await expect.poll(() => direct.locator('#projections select').inputValue()).toBe(second.layer);
    await direct.close();
  });

  it('invariance charts are build-time SVG for translate, rotate and scale, with axes', async () => {
    const page = await site.open(pagePath);
    for (const kind of ['translate', 'rotate', 'scale']) {
      const charts = page.locator(`#invariance figure.chart[data-kind="${kind}"]`);
      expect(await charts.count(), kind).toBeGreaterThanOrEqual(2);
      const svg = charts.first().locator('svg');
      await expect(svg.getAttribute('role')).resolves.toBe('img');
      expect(await svg.locator('.series path').count()).toBeGreaterThan(0);
      expect(await svg.locator('.axis text').count()).toBeGreaterThan(4);
    }
    await expect(page.locator('#invariance').textContent()).resolves.toMatch(/true class|top-1 class/);
    await expect(page.locator('#invariance .examples img').count()).resolves.toBeGreaterThan(0);
    // Drawn at build time: the section has no Alpine bindings.
    await expect(page.locator('#invariance [x-data], #invariance [x-show]').count()).resolves.toBe(0);
    await page.close();
  });

  it('every unit link in the analyses resolves', async () => {
    const page = await site.open(pagePath);
    const links = await page.locator('section.analysis a[href*="/units/"]').evaluateAll((as) => [...new Set(as.map((a) => (a as HTMLAnchorElement).href))]);
    expect(links.length).toBeGreaterThan(3);
    for (const url of links) {
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
    }
    await page.close();
  });

  it('no page logged a console error', () => {
    expect(site.consoleErrors).toEqual([]);
  });

  it('a method this build did not compute gets one honest line, not a broken figure', async () => {
    const file = recordFile('deepdream');
    const original = await readFile(file, 'utf8');
    const dist = path.join(site.root, 'dist-missing');
    await rm(file);
    try {
      await run(['pipeline/cli/build.ts', '--out', site.out, '--skip-pipeline', '--force-site', '--dist', dist]);
    } finally {
      await writeFile(file, original);
    }
    const html = await readFile(path.join(dist, 'models', 'tiny', 'images', photo, 'index.html'), 'utf8');
    const section = /<section[^>]*id="deepdream"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(section).toMatch(/Not computed in this build/);
    expect(section).not.toMatch(/<img/);
    expect(html).toMatch(/<section[^>]*id="gradcam"[\s\S]*?<img/);
  });
});
