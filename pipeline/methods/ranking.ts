/**
 * The one rule every ranking of images by a unit follows (top-9 dataset images, the images that
 * decide a unit's tags, its strongest gallery photo). Values are compared before the rectifier: a
 * capped rectifier (MobileNet's ReLU6) puts thousands of units at exactly its cap on many images,
 * and a ranking by the capped value would then be decided by whatever order the images came in.
 * The few exact ties left (identical images, constant maps) go by the image's SHA-256, which has
 * nothing to do with class or file order and is the same on every machine.
 */
export const RANKING_RULE = 'the value before the rectifier, higher first; exact ties by the image’s SHA-256';

/** Each item's place when its key (a SHA-256, or any string) is sorted ascending: the tie-breaker. */
export function tieOrder(keys: readonly string[]): Int32Array {
  const order = keys.map((_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
  const rank = new Int32Array(keys.length);
  order.forEach((item, place) => (rank[item] = place));
  return rank;
}

/** Whether item a (value va, tie place ta) ranks above item b. */
export function ranksAbove(va: number, ta: number, vb: number, tb: number): boolean {
  return va > vb || (va === vb && ta < tb);
}

/** Indices of the k items with the largest values, strongest first, ties by `tie` (see tieOrder). */
export function topIndices(values: ArrayLike<number>, tie: ArrayLike<number>, k: number): number[] {
  if (values.length !== tie.length) throw new Error(`topIndices: ${values.length} values but ${tie.length} tie places`);
  return Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => values[b] - values[a] || tie[a] - tie[b])
    .slice(0, Math.max(0, k));
}
