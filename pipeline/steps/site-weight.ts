import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * How heavy a built site is, and whether it fits the hosts it should publish to: total size, file
 * count, the largest file and folder, and the HTML size of each page type (route pattern). Limits
 * are in one place (SITE_LIMITS); `npm run site-report` prints the report and fails on any excess.
 */

/** Decimal units, as hosts state their limits. */
const KB = 1000;
const MB = 1000 * 1000;
const MIB = 1024 * 1024;

export const UNIT_ROUTE = '/models/<model>/layers/<layer>/units/<unit>/';
export const IMAGE_ROUTE = '/models/<model>/images/<image>/';

export interface SiteLimits {
  /** GitHub Pages asks for sites under 1 GB; half of that leaves room for more models. */
  totalBytes: number;
  /** Cloudflare Pages refuses files over 25 MiB. */
  fileBytes: number;
  /** Files directly in one folder (some hosts and tools slow down or refuse beyond this). */
  folderFiles: number;
  /** Largest HTML file of a route pattern. */
  pageHtmlBytes: Record<string, number>;
  /** Cloudflare's free plan takes at most 20,000 files: reported, not enforced (the stretch goal). */
  stretchFiles: number;
}

export const SITE_LIMITS: SiteLimits = {
  totalBytes: 500 * MB,
  fileBytes: 25 * MIB,
  folderFiles: 20_000,
  pageHtmlBytes: { [IMAGE_ROUTE]: 150 * KB, [UNIT_ROUTE]: 40 * KB },
  stretchFiles: 20_000,
};

export interface SizeStats {
  count: number;
  min: number;
  median: number;
  max: number;
  /** The largest one, relative to the site root. */
  maxPath: string;
}

export interface SiteReport {
  totalBytes: number;
  files: number;
  largestFile: { path: string; bytes: number };
  largestFolder: { path: string; files: number };
  /** HTML size per route pattern. */
  pages: Record<string, SizeStats>;
  /** Bytes and files per folder (the first `depth` path segments) and per file type. */
  byFolder: Record<string, { bytes: number; files: number }>;
  byType: Record<string, { bytes: number; files: number }>;
}

interface FileEntry {
  rel: string;
  bytes: number;
}

async function listFiles(root: string): Promise<FileEntry[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile());
  const out: FileEntry[] = [];
  // Sequential batches keep the number of open handles bounded on 60,000-file sites.
  for (let i = 0; i < files.length; i += 256) {
    const batch = files.slice(i, i + 256);
    const sizes = await Promise.all(batch.map((e) => stat(path.join(e.parentPath, e.name)).then((s) => s.size)));
    batch.forEach((e, j) => out.push({ rel: path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'), bytes: sizes[j] }));
  }
  return out;
}

/**
 * Route patterns from the Astro pages folder: `models/[model]/images/[image].astro` →
 * `/models/<model>/images/<image>/`; `404.astro` → `/404.html` (astro writes it as a file).
 */
export async function routePatterns(pagesDir: string): Promise<string[]> {
  const entries = await readdir(pagesDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.(astro|md|mdx|ts|js)$/.test(e.name) && !e.name.startsWith('_'))
    .map((e) => {
      const rel = path.relative(pagesDir, path.join(e.parentPath, e.name)).split(path.sep).join('/');
      const noExt = rel.replace(/\.(astro|md|mdx|ts|js)$/, '');
      if (/^\d{3}$/.test(noExt)) return `/${noExt}.html`;
      const segs = noExt.split('/').filter((s) => s !== 'index');
      const route = segs.map((s) => s.replace(/^\[(?:\.\.\.)?(.+)\]$/, '<$1>')).join('/');
      return route ? `/${route}/` : '/';
    })
    .filter((r) => !/\.(json|xml|txt)\/$/.test(r));
}

/** The route of a built page (`models/m/images/x/index.html`) among `patterns`; static segments win over parameters. */
export function routeOf(htmlRel: string, patterns: string[]): string {
  const url = htmlRel.endsWith('/index.html') || htmlRel === 'index.html' ? `/${htmlRel.replace(/index\.html$/, '')}` : `/${htmlRel}`;
  const segs = url.split('/').filter(Boolean);
  let best: { route: string; statics: number } | undefined;
  for (const route of patterns) {
    const rs = route.split('/').filter(Boolean);
    if (rs.length !== segs.length || route.endsWith('/') !== url.endsWith('/')) continue;
    let statics = 0;
    const ok = rs.every((r, i) => (r.startsWith('<') ? true : r === segs[i] && ++statics > 0));
    if (ok && (!best || statics > best.statics)) best = { route, statics };
  }
  return best?.route ?? url;
}

function sizeStats(items: FileEntry[]): SizeStats {
  const sorted = [...items].sort((a, b) => a.bytes - b.bytes);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid].bytes : Math.round((sorted[mid - 1].bytes + sorted[mid].bytes) / 2);
  const top = sorted[sorted.length - 1];
  return { count: sorted.length, min: sorted[0].bytes, median, max: top.bytes, maxPath: top.rel };
}

function fileType(rel: string): string {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (rel.startsWith('pagefind/')) return `pagefind ${dot > 0 ? base.slice(dot) : '(no extension)'}`;
  return dot > 0 ? base.slice(dot) : '(no extension)';
}

export async function measureSite(distDir: string, pagesDir: string, depth = 3): Promise<SiteReport> {
  const files = await listFiles(distDir);
  if (!files.length) throw new Error(`${distDir} holds no files: build the site first`);
  const patterns = await routePatterns(pagesDir);
  const folders = new Map<string, number>();
  const byFolder: SiteReport['byFolder'] = {};
  const byType: SiteReport['byType'] = {};
  const pages = new Map<string, FileEntry[]>();
  let largestFile = files[0];
  let totalBytes = 0;
  for (const f of files) {
    totalBytes += f.bytes;
    if (f.bytes > largestFile.bytes) largestFile = f;
    const dir = f.rel.includes('/') ? f.rel.slice(0, f.rel.lastIndexOf('/')) : '.';
    folders.set(dir, (folders.get(dir) ?? 0) + 1);
    const group = f.rel.includes('/') ? dir.split('/').slice(0, depth).join('/') + '/' : '(root files)';
    const g = (byFolder[group] ??= { bytes: 0, files: 0 });
    g.bytes += f.bytes;
    g.files++;
    const t = (byType[fileType(f.rel)] ??= { bytes: 0, files: 0 });
    t.bytes += f.bytes;
    t.files++;
    if (f.rel.endsWith('.html') && !f.rel.startsWith('pagefind/')) {
      const route = routeOf(f.rel, patterns);
      pages.set(route, [...(pages.get(route) ?? []), f]);
    }
  }
  const [folderPath, folderFiles] = [...folders].reduce((a, b) => (b[1] > a[1] ? b : a));
  return {
    totalBytes,
    files: files.length,
    largestFile: { path: largestFile.rel, bytes: largestFile.bytes },
    largestFolder: { path: folderPath, files: folderFiles },
    pages: Object.fromEntries([...pages].sort(([a], [b]) => a.localeCompare(b)).map(([route, items]) => [route, sizeStats(items)])),
    byFolder,
    byType,
  };
}

/** Every limit the site exceeds, as one sentence each (empty when it fits). */
export function limitViolations(report: SiteReport, limits: SiteLimits = SITE_LIMITS): string[] {
  const out: string[] = [];
  if (report.totalBytes > limits.totalBytes) out.push(`total ${mb(report.totalBytes)} is over the ${mb(limits.totalBytes)} limit`);
  if (report.largestFile.bytes > limits.fileBytes) {
    out.push(`${report.largestFile.path} is ${mib(report.largestFile.bytes)}, over the ${mib(limits.fileBytes)} per-file limit`);
  }
  if (report.largestFolder.files > limits.folderFiles) {
    out.push(`folder ${report.largestFolder.path} holds ${n(report.largestFolder.files)} files, over the ${n(limits.folderFiles)} limit`);
  }
  for (const [route, limit] of Object.entries(limits.pageHtmlBytes)) {
    const s = report.pages[route];
    if (s && s.max > limit) out.push(`${route} pages reach ${kb(s.max)} of HTML (${s.maxPath}), over the ${kb(limit)} limit`);
  }
  return out;
}

const n = (v: number) => v.toLocaleString('en-US');
const kb = (v: number) => `${(v / KB).toFixed(1)} KB`;
const mb = (v: number) => `${(v / MB).toFixed(1)} MB`;
const mib = (v: number) => `${(v / MIB).toFixed(1)} MiB`;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

function shares(groups: SiteReport['byFolder'], top: number): string {
  const sorted = Object.entries(groups).sort((a, b) => b[1].bytes - a[1].bytes);
  const rows = sorted.slice(0, top).map(([k, v]) => [k, mb(v.bytes), n(v.files)]);
  return table([['', 'size', 'files'], ...rows]);
}

export function formatReport(report: SiteReport, limits: SiteLimits = SITE_LIMITS, top = 15): string {
  const pageRows = Object.entries(report.pages).map(([route, s]) => {
    const limit = limits.pageHtmlBytes[route];
    return [route, n(s.count), kb(s.min), kb(s.median), kb(s.max), limit ? `≤ ${kb(limit)}` : ''];
  });
  const stretch = report.files < limits.stretchFiles ? 'under' : 'over';
  return [
    `total: ${mb(report.totalBytes)} in ${n(report.files)} files (limit ${mb(limits.totalBytes)}; ` +
      `${stretch} the ${n(limits.stretchFiles)}-file stretch goal)`,
    `largest file: ${report.largestFile.path} (${mib(report.largestFile.bytes)}; limit ${mib(limits.fileBytes)})`,
    `largest folder: ${report.largestFolder.path} (${n(report.largestFolder.files)} files; limit ${n(limits.folderFiles)})`,
    '',
    'HTML per page type:',
    table([['route', 'pages', 'min', 'median', 'max', 'limit'], ...pageRows]),
    '',
    'by folder:',
    shares(report.byFolder, top),
    '',
    'by file type:',
    shares(report.byType, top),
  ].join('\n');
}
