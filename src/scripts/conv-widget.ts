/**
 * The explainer's convolution widget (src/components/explainer/ConvWidget.astro) made live: the
 * settings redraw the grid (the same SVG the page was built with, from src/lib/conv-draw.ts), the
 * formula and the description; hovering or arrow keys move the selected output cell; with a photo
 * panel, the same filter size, stride, padding and dilation run on the chapter's chosen photo.
 * Registered as Alpine.data with only property and method names in the markup, so it also runs
 * under Alpine's CSP build.
 */
import type Alpine from '@alpinejs/csp';
import { correlate, invalidReason, makeFilter, outputSize, type ConvMode, type ConvSettings, type FilterName } from '../lib/conv-math.ts';
import { convSvg, describe, effective, formulaText, type WidgetState } from '../lib/conv-draw.ts';

interface Widget extends WidgetState {
  $el: HTMLElement;
  $refs: Record<string, HTMLElement>;
  $watch: (key: string, fn: () => void) => void;
  formula: string;
  error: string;
  detail: string;
  filter: FilterName;
  /** 'ready' once the photo is drawn: the panel stays hidden without JavaScript, where it would be empty. */
  photoClass: string;
  photoText: string;
  stridesText: string;
  gray?: { data: Float64Array; n: number };
  draw(): void;
  drawPhoto(): void;
  loadPhoto(): void;
}

/** The side of the drawn output grid. */
function outSide(w: WidgetState): number {
  const c = effective(w);
  return w.mode === 'transposed' ? c.n : outputSize(c);
}

/** The src of the chapter picker's chosen photo, if the page has a picker. */
function pickedPhoto(): string | undefined {
  return document.querySelector<HTMLInputElement>('.ex-picker input:checked')?.dataset.src;
}

/** Grey levels 0..1 of an image drawn at n×n. */
function grayOf(img: HTMLImageElement, n: number): Float64Array {
  const canvas = document.createElement('canvas');
  canvas.width = n;
  canvas.height = n;
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(img, 0, 0, n, n);
  const px = ctx.getImageData(0, 0, n, n).data;
  const g = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) g[i] = (0.299 * px[4 * i] + 0.587 * px[4 * i + 1] + 0.114 * px[4 * i + 2]) / 255;
  return g;
}

/** Paints an m×m map into a canvas region: signed maps grey at 0, others min–max. */
function paint(ctx: CanvasRenderingContext2D, values: Float64Array, m: number, x: number, y: number, size: number, signed: boolean): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  const amp = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const img = ctx.createImageData(m, m);
  for (let i = 0; i < m * m; i++) {
    const v = signed ? 128 + (127 * values[i]) / amp : hi > lo ? (255 * (values[i] - lo)) / (hi - lo) : 0;
    img.data.set([v, v, v, 255], 4 * i);
  }
  const tmp = document.createElement('canvas');
  tmp.width = m;
  tmp.height = m;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, x, y, size, size);
}

export function registerConvWidget(alpine: typeof Alpine): void {
  alpine.data('convWidget', () => ({
    mode: 'standard' as ConvMode,
    n: 7,
    f: 3,
    s: 1,
    p: 0,
    d: 1,
    sel: { ch: 0, cell: 0 },
    formula: '',
    error: '',
    detail: '',
    filter: 'sobel-x' as FilterName,
    photoClass: '',
    photoText: '',
    stridesText: '',
    init(this: Widget) {
      const ds = this.$el.dataset;
      this.mode = (ds.mode as ConvMode) ?? 'standard';
      for (const k of ['n', 'f', 's', 'p', 'd'] as const) if (ds[k] !== undefined) this[k] = Number(ds[k]);
      for (const k of ['mode', 'n', 'f', 's', 'p', 'd']) this.$watch(k, () => (this.draw(), this.drawPhoto()));
      this.$watch('filter', () => this.drawPhoto());
      this.draw();
      if (ds.photo === 'yes') {
        this.loadPhoto();
        document.addEventListener('change', (e) => {
          if ((e.target as HTMLElement).closest?.('.ex-picker')) this.loadPhoto();
        });
      }
    },
    noop() {},
    draw(this: Widget) {
      const c = effective(this);
      const reason = invalidReason(c);
      this.error = reason ? `These settings give no output: ${reason}` : '';
      const side = reason ? 1 : outSide(this);
      const chans = this.mode === 'depthwise' ? 3 : this.mode === 'pointwise' ? 2 : 1;
      this.sel = { ch: Math.min(this.sel.ch, chans - 1), cell: Math.min(this.sel.cell, side * side - 1) };
      const state: WidgetState = { mode: this.mode, n: this.n, f: this.f, s: this.s, p: this.p, d: this.d, sel: this.sel };
      this.formula = formulaText(state);
      this.detail = describe(state);
      this.$refs.stage.innerHTML = convSvg(state);
    },
    /** Mouse over or focus on an output cell selects it. */
    hover(this: Widget, event: Event) {
      const cell = (event.target as Element).closest?.('[data-role="out"]') as SVGElement | null;
      if (!cell) return;
      const next = { ch: Number(cell.dataset.ch), cell: Number(cell.dataset.cell) };
      if (next.ch === this.sel.ch && next.cell === this.sel.cell) return;
      this.sel = next;
      this.draw();
    },
    /** Arrow keys move the selection; Page Up/Down change the channel. */
    key(this: Widget, event: KeyboardEvent) {
      if (invalidReason(effective(this))) return;
      const side = outSide(this);
      const r = Math.floor(this.sel.cell / side);
      const q = this.sel.cell % side;
      const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      const chans = this.mode === 'depthwise' ? 3 : this.mode === 'pointwise' ? 2 : 1;
      if (event.key === 'PageDown' || event.key === 'PageUp') {
        event.preventDefault();
        this.sel = { ch: (this.sel.ch + (event.key === 'PageDown' ? 1 : chans - 1)) % chans, cell: this.sel.cell };
        this.draw();
        return;
      }
      const mv = moves[event.key];
      if (!mv) return;
      event.preventDefault();
      const nr = Math.max(0, Math.min(side - 1, r + mv[0]));
      const nq = Math.max(0, Math.min(side - 1, q + mv[1]));
      this.sel = { ch: this.sel.ch, cell: nr * side + nq };
      this.draw();
    },
    loadPhoto(this: Widget) {
      const src = pickedPhoto();
      if (!src) return;
      const img = new Image();
      img.onload = () => {
        this.gray = { data: grayOf(img, 224), n: 224 };
        const ctx = (this.$refs.photoIn as HTMLCanvasElement).getContext('2d')!;
        paint(ctx, this.gray.data, 224, 0, 0, 224, false);
        this.photoClass = 'ready';
        this.drawPhoto();
      };
      img.src = src;
    },
    drawPhoto(this: Widget) {
      if (!this.gray || !this.$refs.photoOut) return;
      const f = this.mode === 'pointwise' ? 1 : this.f;
      const base: ConvSettings = { n: this.gray.n, f, s: this.s, p: this.mode === 'pointwise' ? 0 : this.p, d: this.mode === 'pointwise' ? 1 : this.d };
      const w = makeFilter(this.filter, f);
      const signed = Math.abs(w.reduce((a, b) => a + b, 0)) < 1e-9 || this.filter === 'kaiming';
      const out = this.$refs.photoOut as HTMLCanvasElement;
      const ctx = out.getContext('2d')!;
      ctx.clearRect(0, 0, out.width, out.height);
      const reason = invalidReason(base);
      if (reason) {
        this.photoText = `no output: ${reason}`;
      } else {
        const m = outputSize(base);
        paint(ctx, correlate(this.gray.data, w, base), m, 0, 0, 224, signed);
        this.photoText = `output ${m}×${m} (shown at the same size: each output pixel covers ${(224 / m).toFixed(1)} input pixels)`;
      }
      // The assignment's stride experiment: the same filter at strides 1, 2, 5 and 6, padding as set.
      const strip = (this.$refs.strides as HTMLCanvasElement).getContext('2d')!;
      strip.clearRect(0, 0, 448, 112);
      const sizes: string[] = [];
      [1, 2, 5, 6].forEach((s, i) => {
        const c = { ...base, s };
        if (invalidReason(c)) return;
        const m = outputSize(c);
        paint(strip, correlate(this.gray!.data, w, c), m, i * 112, 0, 112, signed);
        sizes.push(`s=${s}: ${m}×${m}`);
      });
      this.stridesText = `strides 1, 2, 5, 6 (the assignment's): ${sizes.join(' · ')}`;
    },
  }));
}
