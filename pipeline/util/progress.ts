import { formatCount, formatDuration, formatRate } from './format.ts';

/** The part of a stream a progress bar needs; process.stderr fits, and so does a test double. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  label: string;
  /** Unknown totals are fine: the line then shows count and rate but no bar or ETA. */
  total?: number;
  unit?: 'items' | 'bytes';
  /** What an item is called in the summary ("images", "files"); unused for bytes. */
  noun?: string;
  stream?: ProgressStream;
  /** Defaults to the stream's own isTTY. */
  tty?: boolean;
  /** Nothing is drawn before this, so that steps that finish quickly only print their summary. */
  delayMs?: number;
  /** Minimum time between redraws of the live line on a terminal. */
  redrawMs?: number;
  /** Without a terminal (CI logs), a plain line at least this often... */
  plainEveryMs?: number;
  /** ...and whenever another fraction of the total is done. */
  plainEveryFraction?: number;
  now?: () => number;
}

export interface Progress {
  readonly done: number;
  readonly total: number | undefined;
  tick(amount?: number): void;
  update(done: number): void;
  setTotal(total: number | undefined): void;
  /** Free text appended to the line, e.g. "12/40 files" while the bar counts bytes. */
  setDetail(detail: string): void;
  /** Prints the closing summary with the total time; later calls do nothing. */
  finish(summary?: string): void;
}

interface State {
  done: number;
  total: number | undefined;
  detail: string;
  startedAt: number;
  lastDrawAt: number;
  lastBucket: number;
  finished: boolean;
  drewLive: boolean;
}

export function createProgress(options: ProgressOptions): Progress {
  const settings = withDefaults(options);
  const state: State = {
    done: 0,
    total: options.total,
    detail: '',
    startedAt: settings.now(),
    lastDrawAt: Number.NEGATIVE_INFINITY,
    lastBucket: 0,
    finished: false,
    drewLive: false,
  };
  const changed = () => maybeDraw(settings, state);
  return {
    get done() {
      return state.done;
    },
    get total() {
      return state.total;
    },
    tick: (amount = 1) => ((state.done += amount), changed()),
    update: (done) => ((state.done = done), changed()),
    setTotal: (total) => ((state.total = total), changed()),
    setDetail: (detail) => ((state.detail = detail), changed()),
    finish: (summary) => finish(settings, state, summary),
  };
}

type Settings = Required<Omit<ProgressOptions, 'total'>>;

function withDefaults(options: ProgressOptions): Settings {
  const stream = options.stream ?? process.stderr;
  return {
    label: options.label,
    unit: options.unit ?? 'items',
    noun: options.noun ?? 'items',
    stream,
    tty: options.tty ?? Boolean(stream.isTTY),
    delayMs: options.delayMs ?? 500,
    redrawMs: options.redrawMs ?? 100,
    plainEveryMs: options.plainEveryMs ?? 5000,
    plainEveryFraction: options.plainEveryFraction ?? 0.1,
    now: options.now ?? (() => performance.now()),
  };
}

function maybeDraw(s: Settings, state: State): void {
  if (state.finished) return;
  const now = s.now();
  if (now - state.startedAt < s.delayMs) return;
  if (s.tty) {
    if (now - state.lastDrawAt < s.redrawMs) return;
    s.stream.write(`\r\x1b[K${fitWidth(statusLine(s, state, now), s.stream.columns)}`);
    state.drewLive = true;
  } else {
    if (!plainLineDue(s, state, now)) return;
    s.stream.write(`${statusLine(s, state, now)}\n`);
  }
  state.lastDrawAt = now;
}

function plainLineDue(s: Settings, state: State, now: number): boolean {
  const bucket = state.total ? Math.floor(state.done / state.total / s.plainEveryFraction) : 0;
  const crossed = bucket > state.lastBucket;
  state.lastBucket = Math.max(state.lastBucket, bucket);
  return crossed || now - state.lastDrawAt >= s.plainEveryMs;
}

function statusLine(s: Settings, state: State, now: number): string {
  const elapsedS = Math.max((now - state.startedAt) / 1000, 1e-3);
  const rate = state.done / elapsedS;
  const parts = [s.label];
  if (state.total) {
    const fraction = Math.min(state.done / state.total, 1);
    parts.push(`${bar(fraction)} ${(fraction * 100).toFixed(0).padStart(3)}%`);
    parts.push(`${formatCount(state.done, s.unit)}/${formatCount(state.total, s.unit)}`);
  } else {
    parts.push(formatCount(state.done, s.unit));
  }
  parts.push(formatRate(rate, s.unit));
  if (state.total && rate > 0) parts.push(`ETA ${formatDuration(((state.total - state.done) / rate) * 1000)}`);
  if (state.detail) parts.push(state.detail);
  return parts.join('  ');
}

function bar(fraction: number, width = 20): string {
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function fitWidth(line: string, columns: number | undefined): string {
  return columns && line.length >= columns ? line.slice(0, columns - 1) : line;
}

function finish(s: Settings, state: State, summary: string | undefined): void {
  if (state.finished) return;
  state.finished = true;
  const elapsedMs = s.now() - state.startedAt;
  const what = summary ?? defaultSummary(s, state, elapsedMs);
  if (state.drewLive) s.stream.write('\r\x1b[K');
  s.stream.write(`${s.label}: ${what} in ${formatDuration(elapsedMs)}\n`);
}

function defaultSummary(s: Settings, state: State, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? formatRate((state.done / elapsedMs) * 1000, s.unit) : '';
  const detail = state.detail ? `, ${state.detail}` : '';
  const count = formatCount(state.done, s.unit) + (s.unit === 'items' ? ` ${s.noun}` : '');
  return `${count}${rate ? ` (${rate})` : ''}${detail}`;
}
