/**
 * Search page: starts Pagefind UI (loaded by the page as pagefind-ui.js), reads ?q= and ?tag=, and
 * lists every unit carrying a tag through Pagefind's filter API.
 */
import { UNITS_FIRST } from '../lib/search-words.ts';

interface PagefindUIInstance {
  triggerSearch(term: string): void;
  triggerFilters(filters: Record<string, string[]>): void;
}
interface PagefindResult {
  data(): Promise<{ url: string; meta: { title?: string; image?: string; image_alt?: string }; filters: Record<string, string[]> }>;
}
interface Pagefind {
  search(term: string | null, opts: { filters: Record<string, string | { any: string[] }> }): Promise<{ results: PagefindResult[] }>;
}
const w = window as unknown as { PagefindUI?: new (opts: Record<string, unknown>) => PagefindUIInstance };
const el = document.getElementById('search');
const params = new URLSearchParams(location.search);
const q = params.get('q');
const tag = params.get('tag')?.trim();
const PAGE = 30;
// The Pagefind API module lives in the built site, outside Vite's graph: import it at run time.
// (No `new Function`: the site's Content-Security-Policy has no 'unsafe-eval'.)
const importAtRuntime = (url: string): Promise<unknown> => import(/* @vite-ignore */ url);

/** The site's tags a query names: the tag itself, or every tag with the query as a word ("stripes" → "vertical stripes", …). */
function matchingTags(value: string): string[] {
  const known: string[] = JSON.parse(document.getElementById('tag-names')?.textContent ?? '[]');
  const word = new RegExp(`(^|\\s)${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`, 'i');
  const exact = known.filter((t) => t.toLowerCase() === value.toLowerCase());
  return exact.length ? exact : known.filter((t) => word.test(t));
}

/** Every unit with the tag, by Pagefind's filter index (a filter-only search), PAGE at a time. */
async function showTag(bundle: string, value: string, matches: string[]): Promise<void> {
  const panel = document.getElementById('tag-results');
  if (!panel) return;
  panel.hidden = false;
  panel.querySelector('[data-tag-name]')!.textContent = value;
  const list = panel.querySelector<HTMLOListElement>('.tag-hits')!;
  const more = panel.querySelector<HTMLButtonElement>('[data-tag-more]')!;
  const count = panel.querySelector('[data-tag-count]')!;
  count.textContent = 'searching…';
  const pagefind = (await importAtRuntime(`${bundle}pagefind.js`)) as Pagefind;
  const { results } = await pagefind.search(null, { filters: { tag: { any: matches.length ? matches : [value] } } });
  const which = matches.length > 1 || (matches.length === 1 && matches[0] !== value) ? ` with the tag ${matches.map((m) => `“${m}”`).join(' or ')}` : '';
  count.textContent = `· ${results.length} unit${results.length === 1 ? '' : 's'}${which}`;
  if (!results.length) {
    const li = document.createElement('li');
    li.textContent = 'No unit has this tag.';
    list.append(li);
    return;
  }
  let shown = 0;
  const page = async () => {
    const batch = await Promise.all(results.slice(shown, shown + PAGE).map((r) => r.data()));
    shown += batch.length;
    for (const d of batch) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = d.url;
      a.className = 'tag-hit';
      a.textContent = d.meta.title ?? d.url;
      li.append(a);
      const model = d.filters.model?.[0];
      if (model) li.append(Object.assign(document.createElement('span'), { className: 'muted small', textContent: ` · ${model}` }));
      list.append(li);
    }
    more.hidden = shown >= results.length;
  };
  more.addEventListener('click', () => void page());
  await page();
}

let unitQuery = 0;

/**
 * Units matching the words, above Pagefind's list of every kind of page: short class pages would
 * otherwise outrank the units for pattern words ("dog", "stripes"). Pagefind ranks; this only
 * restricts to unit pages (the kind filter) and draws each with its picture.
 */
async function showUnits(bundle: string, term: string): Promise<void> {
  const panel = document.getElementById('unit-results');
  if (!panel) return;
  const mine = ++unitQuery;
  const list = panel.querySelector<HTMLOListElement>('.unit-hits')!;
  if (!term.trim()) {
    panel.hidden = true;
    return;
  }
  const pagefind = (await importAtRuntime(`${bundle}pagefind.js`)) as Pagefind;
  const { results } = await pagefind.search(term, { filters: { kind: 'unit' } });
  const hits = await Promise.all(results.slice(0, UNITS_FIRST).map((r) => r.data()));
  if (mine !== unitQuery) return;
  // Between the search box and Pagefind's results (the UI owns that markup, so place it each time).
  const drawer = el?.querySelector('.pagefind-ui__drawer');
  if (drawer && panel.nextElementSibling !== drawer) drawer.before(panel);
  list.replaceChildren();
  panel.hidden = hits.length === 0;
  panel.querySelector('[data-unit-count]')!.textContent = `· ${results.length} matching`;
  for (const d of hits) {
    const li = document.createElement('li');
    const a = Object.assign(document.createElement('a'), { href: d.url, className: 'unit-hit' });
    if (d.meta.image) a.append(Object.assign(document.createElement('img'), { src: d.meta.image, alt: d.meta.image_alt ?? '', loading: 'lazy', width: 96, height: 96 }));
    a.append(Object.assign(document.createElement('span'), { textContent: d.meta.title ?? d.url }));
    li.append(a);
    list.append(li);
  }
}

if (el && w.PagefindUI) {
  const bundle = el.dataset.bundle!;
  const ui = new w.PagefindUI({
    element: '#search',
    bundlePath: bundle,
    showSubResults: false,
    showImages: true,
    pageSize: 10,
    translations: { placeholder: 'Search layers, units and photos' },
    // Called with each term the UI searches for (after its own debounce): the units panel follows it.
    processTerm: (term: string) => {
      void showUnits(bundle, term);
      return term;
    },
  });
  if (tag) {
    const matches = matchingTags(tag);
    ui.triggerFilters({ tag: matches.length ? matches : [tag] });
    const input = document.querySelector<HTMLInputElement>('.tag-form input[name="tag"]');
    if (input) input.value = tag;
    void showTag(bundle, tag, matches);
  }
  if (q) ui.triggerSearch(q);
}
