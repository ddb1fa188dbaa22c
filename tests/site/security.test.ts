/**
 * Hostile text and the Content-Security-Policy, in a browser. The tiny gallery is built with script
 * payloads in photo labels, credits and a file name, a class label, the model's name and credit and
 * a human note, and served (as every browser test's site is) with the policy as a real header. Every
 * built page is opened: no dialog may fire, no policy violation or console error may occur, and the
 * payloads must show as text. The built folder must hold only the site, every page must carry the
 * policy, and nothing in it may need 'unsafe-inline' or 'unsafe-eval'.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../pipeline/steps/site-csp.ts';
import { PAYLOAD, writeHostileGallery } from './hostile-gallery.ts';
import { executablePath, skip, useTinySite } from './harness.ts';

const notesDir = await mkdtemp(path.join(os.tmpdir(), 'atlas-hostile-notes-'));

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe.skipIf(skip)('hostile text under a strict CSP', () => {
  const site = useTinySite((root) => writeHostileGallery(root, notesDir), { ATLAS_NOTES_DIR: notesDir });
  afterAll(() => rm(notesDir, { recursive: true, force: true }));

  it('dist holds only the site, and every page carries the policy with nothing inline', async () => {
    expect(executablePath).toBeTruthy();
    const dist = path.join(site.out, 'dist');
    const all = await files(dist);
    expect(all.filter((f) => /atlas-build\.lock|\.schema\.json$|\.mjs$|\.tmp$/.test(f))).toEqual([]);
    expect(await readFile(path.join(dist, '_headers'), 'utf8')).toContain(`Content-Security-Policy: ${CONTENT_SECURITY_POLICY}`);
    const pages = all.filter((f) => f.endsWith('.html'));
    expect(pages.length).toBeGreaterThan(20);
    for (const p of pages) {
      const html = await readFile(path.join(dist, p), 'utf8');
      expect(html, p).toContain(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`);
      // Tags only (attribute values may quote the payload as text): no style attribute, no <style>, no inline script.
      const tags = html.match(/<[a-zA-Z][^\s>]*(?:\s+[^\s"'>=]+(?:=(?:"[^"]*"|'[^']*'|[^\s>]+))?)*\s*\/?>/g) ?? [];
      expect(tags.filter((t) => /^<style\b|^<[^>]*\sstyle=|^<[^>]*\son[a-z]+=/i.test(t)), p).toEqual([]);
      expect(tags.filter((t) => /^<script\b/i.test(t) && !/\ssrc=|type="application\/json"/.test(t)), p).toEqual([]);
    }
  });

  it('no page runs a payload, breaks the policy or logs an error, and the payloads show as text', async () => {
    const response = await fetch(`${site.origin}/`);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    await site.context.addInitScript(() => {
      const w = window as unknown as { violations: string[] };
      w.violations = [];
      document.addEventListener('securitypolicyviolation', (e) => w.violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
    });
    const dialogs: string[] = [];
    site.context.on('dialog', (d) => {
      dialogs.push(`${d.page()?.url()}: ${d.message()}`);
      void d.dismiss();
    });
    const pages = (await files(path.join(site.out, 'dist')))
      .filter((f) => f.endsWith('index.html'))
      .map((f) => `/${f.replace(/index\.html$/, '')}`.replace(/\\/g, '/'));
    const shown = new Set<string>();
    for (const p of pages) {
      const page = await site.context.newPage();
      const response = await page.goto(site.origin + p, { waitUntil: 'load' });
      expect(response?.status(), p).toBe(200);
      await page.waitForTimeout(50);
      const violations = await page.evaluate(() => (window as unknown as { violations: string[] }).violations);
      expect(violations, p).toEqual([]);
      const text = await page.locator('body').innerText();
      if (text.includes(`alert('script')</script>`)) shown.add(p);
      await page.close();
    }
    expect(dialogs).toEqual([]);
    expect(site.consoleErrors).toEqual([]);
    // The payloads reached the pages, as text: photo labels on the home page, the note, credits.
    expect([...shown]).toEqual(expect.arrayContaining(['/', '/credits/', '/models/tiny/layers/c1/units/0/']));
  }, 400_000);

  it('slide-card data keeps hostile labels as data: the JSON parses back to them', async () => {
    const page = await site.open('/models/tiny/layers/c1/units/0/');
    const card = JSON.parse((await page.locator('#card-data').textContent()) ?? '{}') as { kicker: string; images: { label: string; credit: string }[] };
    const script = PAYLOAD.trim(); // labels and credits are trimmed (and with them the trailing U+2028)
    expect(card.kicker).toContain(PAYLOAD);
    expect(card.images.some((i) => i.label.includes(script) && i.credit.includes(script))).toBe(true);
    expect(await page.locator('script:not([src]):not([type="application/json"])').count()).toBe(0);
    await page.close();
  });
});
