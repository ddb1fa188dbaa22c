import { connections, invalidReason, outputSize, type ConvMode, type ConvSettings } from './conv-math.ts';

/**
 * The convolution widget's picture as SVG markup, from its settings alone: the page renders it at
 * build time (readable without JavaScript) and the widget's script redraws it on every change, so
 * both always agree. Colours come from classes (explainer.css), never inline styles.
 */

export interface WidgetState extends ConvSettings {
  mode: ConvMode;
  /** Selected cell of the drawn output: channel and row-major index. */
  sel: { ch: number; cell: number };
}

const CELL = 18;
const GAP = 34;
const MATRIX_MAX_COLS = 81;
/** Narrowest column, so a label fits over a small grid. */
const MIN_COL = 76;

/** Channels drawn: one for standard and transposed, three in and out for depthwise, three in and two out for pointwise. */
export function channelsOf(mode: ConvMode): { cin: number; cout: number } {
  if (mode === 'depthwise') return { cin: 3, cout: 3 };
  if (mode === 'pointwise') return { cin: 3, cout: 2 };
  return { cin: 1, cout: 1 };
}

/** Pointwise is a 1×1 convolution whatever the filter control says. */
export function effective(state: WidgetState): ConvSettings {
  return state.mode === 'pointwise' ? { n: state.n, f: 1, s: state.s, p: 0, d: 1 } : { n: state.n, f: state.f, s: state.s, p: state.p, d: state.d };
}

export interface Links {
  /** Cells of the drawn input grid(s) that the selected output reads (or, transposed, receives from): "ch:index". */
  inputs: Set<string>;
  /** Filter taps used: "ch:tap" (pointwise: "out:in"). */
  taps: Set<string>;
  /** Matrix entries lit: "row:col". */
  entries: Set<string>;
}

/** What the selected output cell is linked to, per mode. */
export function linksOf(state: WidgetState): Links {
  const c = effective(state);
  const conns = connections(c);
  const { ch, cell } = state.sel;
  const inputs = new Set<string>();
  const taps = new Set<string>();
  const entries = new Set<string>();
  if (state.mode === 'transposed') {
    // The drawn output is the n×n grid Cᵀ writes to; it receives from every y cell whose window covers it.
    for (const k of conns)
      if (k.in === cell) {
        inputs.add(`0:${k.out}`);
        taps.add(`0:${k.tap}`);
        entries.add(`${k.in}:${k.out}`);
      }
  } else if (state.mode === 'pointwise') {
    const { cin } = channelsOf('pointwise');
    for (const k of conns)
      if (k.out === cell) for (let i = 0; i < cin; i++) (inputs.add(`${i}:${k.in}`), taps.add(`${ch}:${i}`));
  } else {
    const inCh = state.mode === 'depthwise' ? ch : 0;
    for (const k of conns)
      if (k.out === cell) {
        inputs.add(`${inCh}:${k.in}`);
        taps.add(`${inCh}:${k.tap}`);
        entries.add(`${k.out}:${k.in}`);
      }
  }
  return { inputs, taps, entries };
}

function grid(x: number, y: number, side: number, opts: { role: string; ch: number; pad?: number; lit?: Set<string>; sel?: number; label: string; cell?: number }): string {
  const size = opts.cell ?? CELL;
  const pad = opts.pad ?? 0;
  const parts: string[] = [`<text class="cw-label" x="${x}" y="${y - 6}">${opts.label}</text>`];
  if (pad > 0) {
    const full = (side + 2 * pad) * size;
    parts.push(`<rect class="cw-pad" x="${x}" y="${y}" width="${full}" height="${full}"></rect>`);
  }
  const ox = x + pad * size;
  const oy = y + pad * size;
  for (let r = 0; r < side; r++)
    for (let c = 0; c < side; c++) {
      const i = r * side + c;
      const cls = ['cw-cell', `cw-${opts.role}`];
      if (opts.lit?.has(`${opts.ch}:${i}`)) cls.push('on');
      if (opts.sel === i) cls.push('sel');
      parts.push(`<rect class="${cls.join(' ')}" data-role="${opts.role}" data-ch="${opts.ch}" data-cell="${i}" x="${ox + c * size}" y="${oy + r * size}" width="${size}" height="${size}"></rect>`);
    }
  return parts.join('');
}

/** Width and height a grid of `side` cells with `pad` ring takes. */
const extent = (side: number, pad = 0, cell = CELL) => (side + 2 * pad) * cell;

/** The whole picture for a state; a short message instead when the setting is invalid. */
export function convSvg(state: WidgetState): string {
  const c = effective(state);
  const reason = invalidReason(c);
  if (reason) return `<svg class="cw-svg" viewBox="0 0 420 40" width="420" height="40" role="img" aria-label="No picture: ${reason}"><text class="cw-label" x="0" y="24">No picture for these settings (see the message above).</text></svg>`;
  const m = outputSize(c);
  const links = linksOf(state);
  const { cin, cout } = channelsOf(state.mode);
  const top = 20;
  const parts: string[] = [];
  let x = 0;
  let height = 0;
  const transposed = state.mode === 'transposed';
  // Left: what goes in. Middle: the filter(s). Right: what comes out.
  const inSide = transposed ? m : c.n;
  const inPad = transposed ? 0 : c.p;
  const outSide = transposed ? c.n : m;
  for (let i = 0; i < cin; i++) {
    const y = top + i * (extent(inSide, inPad) + 22);
    parts.push(grid(x, y, inSide, { role: 'in', ch: i, pad: inPad, lit: links.inputs, label: transposed ? `y ${m}×${m}` : cin > 1 ? `input ch. ${i + 1}` : `input ${c.n}×${c.n}${c.p ? ` + pad ${c.p}` : ''}`, cell: CELL }));
    height = Math.max(height, y + extent(inSide, inPad));
  }
  x += Math.max(extent(inSide, inPad), MIN_COL) + GAP;
  // Filters.
  if (state.mode === 'pointwise') {
    parts.push(`<text class="cw-label" x="${x}" y="${top - 6}">1×1 weights</text>`);
    for (let o = 0; o < cout; o++)
      for (let i = 0; i < cin; i++) {
        const on = links.taps.has(`${o}:${i}`) && state.sel.ch === o;
        parts.push(`<rect class="cw-cell cw-tap${on ? ' on' : ''}" x="${x + i * CELL}" y="${top + o * CELL}" width="${CELL}" height="${CELL}"></rect>`);
      }
    x += Math.max(cin * CELL, MIN_COL) + GAP;
  } else {
    const fl = cin > 1 ? cin : 1;
    for (let i = 0; i < fl; i++) {
      const y = top + i * (extent(inSide, inPad) + 22);
      parts.push(`<text class="cw-label" x="${x}" y="${y - 6}">${transposed ? `same ${c.f}×${c.f}` : cin > 1 ? `filter ${i + 1}` : `filter ${c.f}×${c.f}`}</text>`);
      for (let r = 0; r < c.f; r++)
        for (let q = 0; q < c.f; q++) {
          const t = r * c.f + q;
          const on = links.taps.has(`${i}:${t}`);
          parts.push(`<rect class="cw-cell cw-tap${on ? ' on' : ''}" x="${x + q * CELL}" y="${y + r * CELL}" width="${CELL}" height="${CELL}"></rect>`);
          parts.push(`<text class="cw-w" x="${x + q * CELL + CELL / 2}" y="${y + r * CELL + CELL / 2 + 4}">${t + 1}</text>`);
        }
    }
    x += Math.max(c.f * CELL, MIN_COL) + GAP;
  }
  for (let o = 0; o < cout; o++) {
    const y = top + o * (extent(inSide, inPad) + 22);
    const label = transposed ? `Cᵀy ${c.n}×${c.n}` : cout > 1 ? `output ch. ${o + 1}` : `output ${m}×${m}`;
    parts.push(grid(x, y, outSide, { role: 'out', ch: o, sel: state.sel.ch === o ? state.sel.cell : undefined, label }));
    height = Math.max(height, y + extent(outSide));
  }
  x += extent(outSide);
  // The sparse matrix, for the single-channel modes when it is small enough to read.
  if (state.mode === 'standard' || transposed) {
    const rows = transposed ? c.n * c.n : m * m;
    const cols = transposed ? m * m : c.n * c.n;
    const y0 = height + 34;
    if (cols <= MATRIX_MAX_COLS && rows <= MATRIX_MAX_COLS) {
      const cell = Math.max(5, Math.min(10, Math.floor(560 / cols)));
      parts.push(`<text class="cw-label" x="0" y="${y0 - 8}">${transposed ? `Cᵀ: ${rows}×${cols} (a row per output pixel, a column per y cell)` : `C: ${rows}×${cols} (a row per output cell, a column per input pixel)`}; filled = a weight, its number as above</text>`);
      const nz = new Map<string, number>();
      for (const k of connections(c)) nz.set(transposed ? `${k.in}:${k.out}` : `${k.out}:${k.in}`, k.tap);
      parts.push(`<rect class="cw-matrix" x="0" y="${y0}" width="${cols * cell}" height="${rows * cell}"></rect>`);
      for (const [rc, tap] of nz) {
        const [r, q] = rc.split(':').map(Number);
        const on = links.entries.has(rc);
        parts.push(`<rect class="cw-nz${on ? ' on' : ''}" x="${q * cell}" y="${y0 + r * cell}" width="${cell}" height="${cell}"><title>row ${r + 1}, column ${q + 1}: weight ${tap + 1}</title></rect>`);
      }
      const sr = state.sel.cell;
      parts.push(`<rect class="cw-row" x="0" y="${y0 + sr * cell}" width="${cols * cell}" height="${cell}"></rect>`);
      height = y0 + rows * cell;
      x = Math.max(x, cols * cell);
    } else {
      parts.push(`<text class="cw-label" x="0" y="${y0}">The matrix would be ${rows}×${cols}: too big to draw here; make n smaller to see it.</text>`);
      height = y0 + 6;
    }
  }
  const w = Math.max(Math.ceil(x + 4), 560);
  const h = Math.ceil(height + 4);
  return `<svg class="cw-svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${describe(state)}">${parts.join('')}</svg>`;
}

/** One sentence of what the picture shows, for the SVG's accessible name and the page text. */
export function describe(state: WidgetState): string {
  const c = effective(state);
  const reason = invalidReason(c);
  if (reason) return reason;
  const m = outputSize(c);
  const links = linksOf(state);
  const r = Math.floor(state.sel.cell / (state.mode === 'transposed' ? c.n : m));
  const q = state.sel.cell % (state.mode === 'transposed' ? c.n : m);
  if (state.mode === 'transposed')
    return `Transposed: pixel (${r + 1}, ${q + 1}) of the ${c.n}×${c.n} reconstruction receives from ${links.inputs.size} of the ${m * m} cells of y, through ${links.taps.size} filter weights — column ${state.sel.cell + 1} of C, read as a row of Cᵀ.`;
  if (state.mode === 'pointwise') return `Pointwise: output channel ${state.sel.ch + 1}, cell (${r + 1}, ${q + 1}) mixes the same position of all 3 input channels with 3 weights.`;
  const pad = c.f * c.f - links.taps.size;
  const where = state.mode === 'depthwise' ? ` of channel ${state.sel.ch + 1} (its own filter, that channel only)` : '';
  return `Output cell (${r + 1}, ${q + 1})${where} reads ${links.inputs.size} input pixels through ${links.taps.size} weights${pad ? `; ${pad} more taps fall on padding (zeros)` : ''}.`;
}

/** The formula with the numbers filled in, or why not. */
export function formulaText(state: WidgetState): string {
  const c = effective(state);
  const reason = invalidReason(c);
  const core = `n' = ⌊(n + 2p − d(f−1) − 1) / s⌋ + 1 = ⌊(${c.n} + 2·${c.p} − ${c.d}·(${c.f}−1) − 1) / ${c.s}⌋ + 1`;
  if (reason) return `${core}: no output.`;
  const m = outputSize(c);
  if (state.mode === 'transposed') return `${core} = ${m}; the transposed convolution maps ${m}×${m} back to n = (n'−1)·s − 2p + d(f−1) + 1 = ${(m - 1) * c.s - 2 * c.p + c.d * (c.f - 1) + 1}${(c.n + 2 * c.p - c.d * (c.f - 1) - 1) % c.s ? ` (+${(c.n + 2 * c.p - c.d * (c.f - 1) - 1) % c.s} rows the stride skipped: “output padding”)` : ''}.`;
  return `${core} = ${m}`;
}
