import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The strict Content-Security-Policy the site ships, and the pass over astro's output that makes
 * the pages satisfy it. Pages state sizes and sprite offsets as `style=` attributes (the natural
 * way to write them in a template); CSP `style-src 'self'` forbids those, so the style attributes
 * become classes in a stylesheet shared by sibling pages (all unit pages of a layer, all class pages
 * of a model: they repeat the same sprite offsets and sizes). Doing it once here, after astro,
 * keeps every template (and every page added later) simple and CSP-clean by construction.
 * The pass also refuses output the policy would block at run time, naming the page.
 */

export const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:";

export class CspError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CspError';
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeAttribute(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') return String.fromCodePoint(name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10));
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** One start tag's attributes (quoted or bare), as astro writes them. */
const TAG = /<([a-zA-Z][\w:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g;
const ATTR = /\s+([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

interface Attr {
  name: string;
  value: string | undefined;
  raw: string;
}

function parseAttrs(text: string): Attr[] {
  return [...text.matchAll(ATTR)].map((m) => ({ name: m[1].toLowerCase(), value: m[2] ?? m[3] ?? m[4], raw: m[0] }));
}

export interface CspPageResult {
  html: string;
  /** The page's stylesheet: one rule per distinct style attribute, or '' when it had none. */
  css: string;
}

/**
 * Rewrites one page: style attributes → classes (`sN`, numbered in order of first use in `classes`,
 * which sibling pages share), the policy as a <meta> at the top of <head>, a <link> to the
 * stylesheet. Throws on what the policy would block: inline <style>, inline scripts (other than JSON
 * data), event-handler attributes, javascript: URLs, and x-show elements hidden by a style (a class
 * would keep them hidden). `css` holds the rules of `classes` (all of them when shared).
 */
export function applyCspToPage(html: string, page: string, stylesheetHref: string, classes = new Map<string, string>()): CspPageResult {
  let used = false;
  const problems: string[] = [];
  let out = html.replace(TAG, (whole, name: string, attrText: string, selfClose: string) => {
    const tag = name.toLowerCase();
    const attrs = parseAttrs(attrText);
    if (tag === 'style') problems.push('an inline <style> element');
    if (tag === 'script' && !attrs.some((a) => a.name === 'src')) {
      const type = attrs.find((a) => a.name === 'type')?.value?.toLowerCase();
      if (type !== 'application/json' && type !== 'application/ld+json') problems.push('an inline <script> element');
    }
    for (const a of attrs) {
      if (/^on[a-z]+$/.test(a.name)) problems.push(`an inline event handler ${a.name}= on <${tag}>`);
      if ((a.name === 'href' || a.name === 'src' || a.name === 'action') && /^\s*javascript:/i.test(decodeAttribute(a.value ?? ''))) problems.push(`a javascript: URL on <${tag}>`);
    }
    const style = attrs.find((a) => a.name === 'style');
    if (!style) return whole;
    const declarations = decodeAttribute(style.value ?? '').trim().replace(/;\s*$/, '');
    if (attrs.some((a) => a.name === 'x-show') && /(^|;)\s*display\s*:/i.test(declarations)) {
      problems.push(`<${tag} x-show> hidden by style="${declarations}" (use x-cloak instead)`);
    }
    // A rule body must not be able to close its rule: such a value cannot come from a sane template.
    if (/[{}<>\\]|\/\*/.test(declarations)) problems.push(`a style attribute that is not a plain declaration list: ${JSON.stringify(declarations.slice(0, 80))}`);
    const kept = attrs.filter((a) => a !== style && a.name !== 'class');
    const existing = attrs.find((a) => a.name === 'class')?.value;
    let cls = '';
    if (declarations) {
      cls = classes.get(declarations) ?? `s${classes.size}`;
      classes.set(declarations, cls);
      used = true;
    }
    const classValue = [existing, cls].filter(Boolean).join(' ');
    return `<${name}${classValue ? ` class="${classValue}"` : ''}${kept.map((a) => a.raw).join('')}${selfClose ? '/' : ''}>`;
  });
  if (problems.length) throw new CspError(`${page} would break the Content-Security-Policy: ${[...new Set(problems)].join('; ')}`);

  const meta = `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`;
  const link = used ? `<link rel="stylesheet" href="${stylesheetHref}">` : '';
  if (!/<head[^>]*>/i.test(out)) throw new CspError(`${page} has no <head> for the Content-Security-Policy`);
  out = out.replace(/<head[^>]*>/i, (h) => `${h}${meta}`);
  if (link) out = out.replace(/<\/head>/i, `${link}</head>`);
  // A getter: with a map shared by a folder's thousands of pages, writing the whole sheet per page was quadratic.
  return {
    html: out,
    get css() {
      return stylesheet(classes);
    },
  };
}

function stylesheet(classes: Map<string, string>): string {
  const css = [...classes].map(([decl, cls]) => `.${cls}{${decl}}`).join('\n');
  return css ? `${css}\n` : '';
}

/** The shared stylesheet's file name, in the folder that holds the sibling pages' folders. */
export const PAGE_STYLES = 'page-styles.css';

/**
 * Pages share a stylesheet with their siblings: `models/m/layers/l/units/3/index.html` with every
 * unit page of the layer (`models/m/layers/l/units/page-styles.css`); top-level pages use the root's.
 */
export function stylesheetScope(page: string): string {
  const dir = path.posix.dirname(page);
  return dir === '.' ? '' : path.posix.dirname(dir) === '.' ? '' : path.posix.dirname(dir);
}

async function htmlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.html')).map((e) => path.join(e.parentPath, e.name));
}

/** `_headers` (Netlify, Cloudflare Pages): the same policy as a real header, plus a few safe defaults. */
export function headersFile(): string {
  return ['/*', `  Content-Security-Policy: ${CONTENT_SECURITY_POLICY}`, '  X-Content-Type-Options: nosniff', '  Referrer-Policy: strict-origin-when-cross-origin', ''].join('\n');
}

/**
 * Applies the policy to every page of a built site: sibling pages share one stylesheet (one file per
 * group instead of one per page: hosts limit file counts), and the site root gets `_headers`.
 */
export async function applyCspToSite(distDir: string, base = '/'): Promise<{ pages: number; stylesheets: number; rules: number }> {
  const files = await htmlFiles(distDir);
  const scopes = new Map<string, Map<string, string>>();
  for (const file of files) {
    const page = path.relative(distDir, file).split(path.sep).join('/');
    const scope = stylesheetScope(page);
    const classes = scopes.get(scope) ?? new Map<string, string>();
    scopes.set(scope, classes);
    // Absolute, so that 404.html finds its stylesheet whatever URL it is served at.
    const href = `${base.replace(/\/?$/, '/')}${scope ? `${scope}/` : ''}${PAGE_STYLES}`;
    const { html } = applyCspToPage(await readFile(file, 'utf8'), page, href, classes);
    await writeFile(file, html);
  }
  let stylesheets = 0;
  let rules = 0;
  for (const [scope, classes] of scopes) {
    if (!classes.size) continue;
    await writeFile(path.join(distDir, scope, PAGE_STYLES), stylesheet(classes));
    stylesheets++;
    rules += classes.size;
  }
  await writeFile(path.join(distDir, '_headers'), headersFile());
  return { pages: files.length, stylesheets, rules };
}
