/**
 * The site's only script: Alpine.js components for the few interactive bits, plus keyboard
 * navigation of tile grids. Everything a page says is in its HTML; scripts only add convenience.
 * Alpine's CSP build: the site's Content-Security-Policy has no 'unsafe-eval', so attribute
 * expressions stay simple (property reads, comparisons, calls) and anything more lives here.
 */
import Alpine from '@alpinejs/csp';
import { drawSlideCard, type CardData } from './slide-card.ts';
import { registerConvWidget } from './conv-widget.ts';

/**
 * Copies the page's own URL without its query, keeping a fragment that names something on the page
 * (a unit page's #photo anchor), so the link opens where the reader is looking.
 */
Alpine.data('copyLink', () => ({
  status: '',
  async copy(this: { status: string }) {
    const id = decodeURIComponent(location.hash.slice(1));
    const url = location.origin + location.pathname + (id && document.getElementById(id) ? location.hash : '');
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      const field = document.createElement('textarea');
      field.value = url;
      document.body.append(field);
      field.select();
      document.execCommand('copy');
      field.remove();
    }
    this.status = 'Link copied';
    setTimeout(() => (this.status = ''), 2500);
  },
}));

/** Draws the unit's slide card on a canvas and downloads it as a PNG. */
Alpine.data('slideCard', () => ({
  busy: false,
  status: '',
  async download(this: { busy: boolean; status: string }) {
    const el = document.getElementById('card-data');
    if (!el?.textContent) return;
    this.busy = true;
    this.status = 'Drawing…';
    try {
      const data = JSON.parse(el.textContent) as CardData;
      const blob = await drawSlideCard(data, location.origin + location.pathname);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = data.filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.status = 'Slide card downloaded';
    } catch (err) {
      this.status = `Could not draw the card: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.busy = false;
    }
  },
}));

/** Image page: the "jump to layer" select moves to that layer's maps. */
Alpine.data('layerJump', () => ({
  jump(event: Event) {
    const value = (event.target as HTMLSelectElement).value;
    if (value) location.hash = value;
  },
}));

interface Projections {
  layer: string;
  $root: HTMLElement;
  $nextTick: (fn: () => void) => void;
  reveal(id: string): void;
  revealHash(): void;
}

/**
 * Image page, projections: which layer shows. Links to a row (#proj-<layer>-<unit>) or a layer
 * (#projections-<layer>) select that layer first, then scroll to it.
 */
Alpine.data('projections', () => ({
  layer: '',
  init(this: Projections) {
    this.layer = this.$root.dataset.initial ?? '';
    this.revealHash();
  },
  revealHash(this: Projections) {
    this.reveal(decodeURIComponent(location.hash.slice(1)));
  },
  reveal(this: Projections, id: string) {
    const el = id ? document.getElementById(id) : null;
    const group = el?.closest<HTMLElement>('[data-layer]');
    if (!el || !group || !this.$root.contains(group)) return;
    this.layer = group.dataset.layer ?? this.layer;
    this.$nextTick(() => el.scrollIntoView({ block: el === group ? 'start' : 'center' }));
  },
  follow(this: Projections, event: Event) {
    const a = (event.target as Element | null)?.closest?.<HTMLAnchorElement>('a[data-proj]');
    if (a) this.reveal(decodeURIComponent(a.hash.slice(1)));
  },
}));

/**
 * Image page, feature-map grid: a click on a map without its own link opens that unit's page, found
 * from the position in the sheet (a link per map would weigh ~0.8 MB of HTML per page).
 */
Alpine.data('mapGrid', () => ({
  open(this: { $root: HTMLElement }, event: MouseEvent) {
    if ((event.target as Element | null)?.closest?.('a')) return;
    const grid = this.$root;
    const { cols, count, unitHref } = grid.dataset;
    const n = Number(cols);
    const box = grid.getBoundingClientRect();
    const col = Math.floor(((event.clientX - box.left) / box.width) * n);
    const rows = Math.ceil(Number(count) / n);
    const row = Math.floor(((event.clientY - box.top) / box.height) * rows);
    const unit = row * n + col;
    if (col >= 0 && col < n && row >= 0 && unit < Number(count) && unitHref) location.href = unitHref.replace('{unit}', String(unit));
  },
}));

type SortKey = 'index' | 'max' | 'mean' | 'active' | 'gallery';

/** Layer page: sorts and filters the unit tiles in place (the tiles themselves are plain links). */
Alpine.data('unitGrid', () => ({
  sort: 'index' as SortKey,
  query: '',
  /** Show only units with this tag ('' = any). */
  tag: '',
  hideQuiet: false,
  shown: 0,
  init(this: { $el: HTMLElement; shown: number; $watch: (key: string, fn: () => void) => void; apply: () => void }) {
    this.shown = this.$el.querySelectorAll('[data-unit]').length;
    // x-model updates after other change handlers run, so react to the model instead of the event.
    for (const key of ['sort', 'query', 'hideQuiet', 'tag']) this.$watch(key, () => this.apply());
  },
  apply(this: { $el: HTMLElement; sort: SortKey; query: string; hideQuiet: boolean; tag: string; shown: number }) {
    const list = this.$el.querySelector<HTMLElement>('[data-grid]');
    if (!list) return;
    const items = [...list.children] as HTMLElement[];
    const value = (li: HTMLElement) => Number(li.firstElementChild?.getAttribute(`data-${this.sort}`) ?? 0);
    // Values are taken before the rectifier (no ties at ReLU6's cap); any left go to the lower unit.
    const index = (li: HTMLElement) => Number(li.firstElementChild?.getAttribute('data-index') ?? 0);
    items.sort((a, b) => (this.sort === 'index' ? 0 : value(b) - value(a)) || index(a) - index(b));
    const q = this.query.trim();
    let shown = 0;
    for (const li of items) {
      const a = li.firstElementChild as HTMLElement;
      const quiet = Number(a.dataset.max ?? 1) <= 0;
      const tagged = !this.tag || (a.dataset.tags ?? '').split('|').includes(this.tag);
      const visible = (!q || (a.dataset.index ?? '').startsWith(q)) && !(this.hideQuiet && quiet) && tagged;
      a.hidden = !visible;
      if (visible) shown++;
      list.append(li);
    }
    this.shown = shown;
    resetRoving(list);
  },
}));

// ---- keyboard navigation of grids: one tab stop per grid, arrow keys move between tiles ----

function gridItems(grid: HTMLElement): HTMLElement[] {
  return [...grid.querySelectorAll<HTMLElement>('a')].filter((a) => !a.hidden);
}

function resetRoving(grid: HTMLElement): void {
  const items = gridItems(grid);
  const current = items.find((a) => a.classList.contains('current')) ?? items[0];
  for (const a of grid.querySelectorAll<HTMLElement>('a')) a.tabIndex = a === current ? 0 : -1;
}

function columns(items: HTMLElement[]): number {
  if (items.length < 2) return 1;
  const top = items[0].getBoundingClientRect().top;
  const n = items.findIndex((a) => Math.abs(a.getBoundingClientRect().top - top) > 2);
  return n < 0 ? items.length : n;
}

function onGridKey(event: KeyboardEvent): void {
  const grid = (event.currentTarget as HTMLElement) ?? null;
  const target = event.target as HTMLElement;
  if (!grid || target.tagName !== 'A') return;
  const items = gridItems(grid);
  const i = items.indexOf(target);
  if (i < 0) return;
  const cols = columns(items);
  const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols, Home: -i, End: items.length - 1 - i };
  if (!(event.key in moves)) return;
  const next = items[Math.max(0, Math.min(items.length - 1, i + moves[event.key]))];
  event.preventDefault();
  target.tabIndex = -1;
  next.tabIndex = 0;
  next.focus();
}

for (const grid of document.querySelectorAll<HTMLElement>('[data-grid]')) {
  resetRoving(grid);
  grid.addEventListener('keydown', onGridKey);
}

// Search page: Pagefind UI reads ?q= (the header's search box submits there).
document.dispatchEvent(new CustomEvent('atlas:ready'));

registerConvWidget(Alpine);

Alpine.start();
