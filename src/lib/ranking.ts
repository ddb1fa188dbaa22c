import { fmt } from './site.ts';

/**
 * How pages show a value that a ranking compared before the rectifier: the output as the figures
 * draw it, and in brackets the value before the rectifier wherever the rectifier changed it (ReLU6
 * clips it at 6, so many outputs read 6 while the rankings still tell them apart).
 */
export function rankedValue(value: number, pre: number): string {
  return Math.abs(pre - value) > 1e-3 * Math.max(1, Math.abs(value)) ? `${fmt(value)} (${fmt(pre)})` : fmt(value);
}

/** The sentence that says, beside a ranked list, what ranks it (pipeline/methods/ranking.ts's rule). */
export const RANKING_NOTE =
  'Ranked by the value before the rectifier, shown in brackets where the rectifier changed it (a capped rectifier such as ReLU6 reads 6 on many images); exact ties by the mean of the map, then by the image’s SHA-256.';
