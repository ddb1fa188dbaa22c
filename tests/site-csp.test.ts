import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyCspToPage, applyCspToSite, CspError, PAGE_STYLES, stylesheetScope } from '../pipeline/steps/site-csp.ts';
import { readFile } from 'node:fs/promises';
import { sweepStaleTemps, tempSiblingPath } from '../pipeline/util/atomic-write.ts';
import { jsonForScript } from '../src/lib/json-script.ts';

const page = (body: string) => `<!doctype html><html><head><meta charset="utf-8"></head><body>${body}</body></html>`;

describe('jsonForScript', () => {
  it('no string can close the script element, and the JSON reads back unchanged', () => {
    const value = { label: '</script><script>alert(1)</script><!-- & \u2028\u2029 >' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('applyCspToPage', () => {
  it('sibling pages share one class table and one stylesheet, and every page keeps its own declarations', async () => {
    expect(stylesheetScope('models/m/layers/l/units/3/index.html')).toBe('models/m/layers/l/units');
    expect(stylesheetScope('models/m/index.html')).toBe('models');
    expect(stylesheetScope('credits/index.html')).toBe('');
    expect(stylesheetScope('index.html')).toBe('');
    const dist = await mkdtemp(path.join(os.tmpdir(), 'atlas-csp-site-'));
    const pages: Record<string, string> = {
      'models/m/layers/l/units/0/index.html': '<i style="left:-56px"></i><b style="width:9px"></b>',
      'models/m/layers/l/units/1/index.html': '<i style="left:-112px"></i><b style="width:9px"></b>',
      'credits/index.html': '<p>no styles</p>',
    };
    for (const [rel, body] of Object.entries(pages)) {
      await mkdir(path.dirname(path.join(dist, rel)), { recursive: true });
      await writeFile(path.join(dist, rel), page(body));
    }
    const result = await applyCspToSite(dist);
    expect(result).toEqual({ pages: 3, stylesheets: 1, rules: 3 });
    const sheet = await readFile(path.join(dist, 'models/m/layers/l/units', PAGE_STYLES), 'utf8');
    const rules = new Map(sheet.trim().split('\n').map((r) => [r.slice(1, r.indexOf('{')), r.slice(r.indexOf('{') + 1, -1)]));
    for (const [rel, body] of Object.entries(pages)) {
      const html = await readFile(path.join(dist, rel), 'utf8');
      // Each element's classes resolve, through the shared sheet, to exactly the declarations it had.
      const before = [...body.matchAll(/style="([^"]*)"/g)].map((m) => m[1]);
      const after = [...html.matchAll(/<(?:i|b) class="(s\d+)"/g)].map((m) => rules.get(m[1]));
      expect(after).toEqual(before);
      expect(html.includes(`href="/models/m/layers/l/units/${PAGE_STYLES}"`)).toBe(before.length > 0);
      expect(html).not.toContain('<link rel="stylesheet"'.repeat(before.length ? 2 : 1));
    }
    await rm(dist, { recursive: true, force: true });
  });

  it('moves style attributes into numbered classes, merged with existing ones, shared when equal', () => {
    const { html, css } = applyCspToPage(
      page(`<span class="tile a" style="left:-56px;top:0">x</span><i style="left:-56px;top:0;"></i><svg><g style="--c:#f00"/></svg>`),
      'p.html',
      '/p.css',
    );
    expect(html).not.toMatch(/style=/);
    expect(html).toContain('<span class="tile a s0">');
    expect(html).toContain('<i class="s0">');
    expect(html).toContain('<g class="s1"/>');
    expect(css).toBe('.s0{left:-56px;top:0}\n.s1{--c:#f00}\n');
    expect(html).toMatch(/^<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'self'; [^"]*">/);
    expect(html).toContain('<link rel="stylesheet" href="/p.css"></head>');
  });

  it('decodes entities in style values and leaves text that only looks like a tag alone', () => {
    const { html, css } = applyCspToPage(page(`<b style="font-family:&quot;A&quot;" title="<i style=&quot;x:1&quot;>">&lt;i style="y"&gt;</b>`), 'p', '/p.css');
    expect(css).toBe('.s0{font-family:"A"}\n');
    expect(html).toContain('title="<i style=&quot;x:1&quot;>"');
    expect(html).toContain('&lt;i style="y"&gt;');
  });

  it.each([
    ['<style>b{}</style>', 'inline <style>'],
    ['<script>alert(1)</script>', 'inline <script>'],
    ['<img src=x onerror="alert(1)">', 'onerror='],
    ['<a href="javascript:alert(1)">x</a>', 'javascript:'],
    ['<span x-show="open" style="display:none">x</span>', 'x-cloak'],
    ['<span style="color:red}body{color:blue">x</span>', 'not a plain declaration list'],
  ])('refuses %s, naming the page', (body, why) => {
    expect(() => applyCspToPage(page(body), 'models/x/index.html', '/c.css')).toThrow(CspError);
    expect(() => applyCspToPage(page(body), 'models/x/index.html', '/c.css')).toThrow(new RegExp(`models/x/index.html.*${why.replace(/[()]/g, '\\$&')}`));
  });

  it('keeps JSON data blocks and external scripts', () => {
    const { html } = applyCspToPage(page('<script type="application/json" id="d">{"a":1}</script><script type="module" src="/m.js"></script>'), 'p', '/p.css');
    expect(html).toContain('<script type="application/json" id="d">');
  });
});

describe('sweepStaleTemps', () => {
  it('removes temp files of processes that are gone (dotfiles included), keeps live ones and real files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'atlas-sweep-'));
    try {
      const dead = path.join(dir, 'sub', '.map.webp.999999999.0a1b2c3d.tmp');
      await mkdir(path.dirname(dead), { recursive: true });
      await writeFile(dead, 'x');
      const mine = tempSiblingPath(path.join(dir, 'record.json'));
      await writeFile(mine, 'x');
      await writeFile(path.join(dir, '.keep.json'), 'x');
      expect(await sweepStaleTemps([dir, path.join(dir, 'missing')])).toBe(1);
      expect((await readdir(dir, { recursive: true })).sort()).toEqual(['.keep.json', path.basename(mine), 'sub'].sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('temp files and Ctrl-C', () => {
  it('a process interrupted mid-write removes its temp file and still dies of the signal', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'atlas-sigint-'));
    try {
      const script = `
        import { writeFileSync } from 'node:fs';
        import { tempSiblingPath } from ${JSON.stringify(path.resolve('pipeline/util/atomic-write.ts'))};
        const temp = tempSiblingPath(${JSON.stringify(path.join(dir, 'map.webp'))});
        writeFileSync(temp, 'half');
        console.log(temp);
        setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const temp = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
      expect(await readdir(dir)).toEqual([path.basename(temp)]);
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      child.kill('SIGINT');
      expect(await exited).toBe('SIGINT');
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
