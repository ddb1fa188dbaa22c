import type { LayerRecord } from '../../pipeline/records/schemas.ts';
import { rankedValue } from './ranking.ts';
import { fmt, imageTitle, pct, rfText } from './site.ts';

/**
 * Human notes must not contradict the page they sit on. A note does not type measured numbers: it
 * writes `{{fact}}` and the build fills in the value from this build's records, so a rebuild with
 * other settings, data or rankings cannot leave a stale figure in the prose. A note that types a
 * number, or names a fact the unit's records do not have, fails the build with the note's path.
 */

/** What a note may quote, with what each means (shown in the build error and the README). */
export const NOTE_FACTS = {
  'strongest-photo': 'the gallery photo the unit responds to most (by the ranking rule)',
  'strongest-class': 'the class of its strongest dataset image',
  'dataset-max': 'its largest activation over the dataset (the value before the rectifier in brackets)',
  'dataset-mean': 'its mean activation over the dataset',
  active: 'the share of dataset images on which it is positive anywhere',
  'dataset-images': 'how many dataset images the statistics cover',
  'receptive-field': 'the size of its receptive field in input pixels',
  kernel: 'the size of its filter (height×width)',
} as const;

export type NoteFact = keyof typeof NOTE_FACTS;
export type NoteFacts = Partial<Record<NoteFact, string>>;

/** What the unit page knows about the unit, as note facts (only those this build has records for). */
export function unitNoteFacts(u: {
  layer: LayerRecord;
  strongestPhoto?: { label: string; id: string };
  strongestClass?: string;
  stat?: { max: number; preMax: number; mean: number; active: number };
  datasetImages?: number;
}): NoteFacts {
  const facts: NoteFacts = { 'receptive-field': rfText(u.layer) };
  if (u.strongestPhoto) facts['strongest-photo'] = imageTitle(u.strongestPhoto);
  if (u.strongestClass) facts['strongest-class'] = u.strongestClass;
  if (u.stat) {
    facts['dataset-max'] = rankedValue(u.stat.max, u.stat.preMax);
    facts['dataset-mean'] = fmt(u.stat.mean);
    facts.active = pct(u.stat.active, 0);
  }
  if (u.datasetImages !== undefined) facts['dataset-images'] = u.datasetImages.toLocaleString('en');
  if (u.layer.kernel) facts.kernel = `${u.layer.kernel[0]}×${u.layer.kernel[1]}`;
  return facts;
}

const PLACEHOLDER = /\{\{\s*([a-z-]+)\s*\}\}/g;
// A numeral standing on its own: digits not glued to a letter or underscore (so "conv_pw_13",
// "ReLU6" and "Fig2" are names, not quoted numbers), with an optional sign, decimals or percent.
const NUMBER = /(?<![\p{L}\p{N}_.])[-−+]?\d+(?:[.,]\d+)*\s*%?(?![\p{L}_])/gu;

export class NoteError extends Error {}

/**
 * Finds numbers typed into a note's Markdown (outside `{{facts}}`, code spans and the frontmatter).
 * Returns one line per number: "line N: "…context…"".
 */
export function typedNumbers(markdown: string): string[] {
  const found: string[] = [];
  markdown.split('\n').forEach((line, i) => {
    const prose = line.replace(PLACEHOLDER, ' ').replace(/`[^`]*`/g, ' ');
    for (const m of prose.matchAll(NUMBER)) {
      const at = m.index ?? 0;
      found.push(`line ${i + 1}: “…${prose.slice(Math.max(0, at - 25), at + m[0].length + 10).trim()}…”`);
    }
  });
  return found;
}

/** Throws a NoteError naming the note when it types numbers or asks for a fact this unit lacks. */
export function checkNote(source: string, markdown: string, facts: NoteFacts): void {
  const numbers = typedNumbers(markdown);
  if (numbers.length) {
    throw new NoteError(
      `${source} types ${numbers.length === 1 ? 'a number' : 'numbers'} (${numbers.join('; ')}): a note must not ` +
        `quote measurements that a rebuild could change; write one of ${factList()} so the page fills in this build's value, or say it in words.`,
    );
  }
  for (const m of markdown.matchAll(PLACEHOLDER)) {
    const name = m[1];
    if (!(name in NOTE_FACTS)) throw new NoteError(`${source}: unknown fact {{${name}}}; known: ${factList()}`);
    if (facts[name as NoteFact] === undefined) {
      throw new NoteError(`${source}: {{${name}}} (${NOTE_FACTS[name as NoteFact]}) is not in this build's records for this unit`);
    }
  }
}

/** The rendered note with every `{{fact}}` replaced by its (escaped) value. Call checkNote first. */
export function fillNote(html: string, facts: NoteFacts): string {
  return html.replace(PLACEHOLDER, (_, name: string) => `<strong class="note-fact">${escapeHtml(facts[name as NoteFact] ?? '')}</strong>`);
}

// Fact values come from records that carry config text (photo labels), so they are escaped.
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function factList(): string {
  return Object.keys(NOTE_FACTS)
    .map((k) => `{{${k}}}`)
    .join(', ');
}
