/**
 * A searchable word for a unit, with the measurement behind it: the site shows `evidence` next to
 * the tag so a reader can judge it, and search indexes `tag`.
 */
export interface Tag {
  tag: string;
  kind: 'class' | 'color' | 'pattern';
  /** Strength in [0, 1]; comparable within a kind, used to order and cut tags. */
  score: number;
  /** One human sentence with the numbers, e.g. "41% of the feature visualization's pixels are blue". */
  evidence: string;
}

/** "41%" for shares; one decimal below 10% so small shares do not all read "0%" or "1%". */
export function percent(share: number): string {
  const p = share * 100;
  return `${p > 0 && p < 10 ? p.toFixed(1).replace(/\.0$/, '') : Math.round(p)}%`;
}

/** Two significant figures, without exponent notation for the ranges these numbers take. */
export function num(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const digits = Math.max(0, 1 - Math.floor(Math.log10(Math.abs(v))));
  return String(Number(v.toFixed(Math.min(digits, 6))));
}

export const clampScore = (v: number): number => (v > 0 ? (v < 1 ? v : 1) : 0);
