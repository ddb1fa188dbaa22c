/**
 * The one rule every ranking of images by a unit follows (top-9 dataset images, the images that
 * decide a unit's tags, its strongest gallery photo). Values are compared before the rectifier: a
 * capped rectifier (MobileNet's ReLU6) puts thousands of units at exactly its cap on many images,
 * and a ranking by the capped value would then be decided by whatever order the images came in.
 * The value before the rectifier can still tie exactly when the unit's input is itself capped (a
 * depthwise unit reading a 3x3 window that is all 6); then the mean of the output map decides (how
 * much of the image drives the unit), and what is left (constant maps, identical images) goes by
 * the image's SHA-256, which has nothing to do with class or file order.
 */
export const RANKING_RULE =
  'the largest value before the rectifier, higher first; exact ties by the mean of the output map, higher first, then by the image’s SHA-256';

/** What one image scores for one unit under RANKING_RULE. */
export interface RankKey {
  /** Largest value of the map before the rectifier. */
  value: number;
  /** Mean of the output map. */
  mean: number;
  /** Place of the image's SHA-256 (tieOrder). */
  tie: number;
}

/** Each item's place when its key (a SHA-256, or any string) is sorted ascending: the tie-breaker. */
export function tieOrder(keys: readonly string[]): Int32Array {
  const order = keys.map((_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
  const rank = new Int32Array(keys.length);
  order.forEach((item, place) => (rank[item] = place));
  return rank;
}

/** Negative when a ranks above b (a sort comparator). */
export function compareRank(a: RankKey, b: RankKey): number {
  return b.value - a.value || b.mean - a.mean || a.tie - b.tie;
}

/** Whether the two keys tie on everything but the SHA-256. */
export function tiedRank(a: RankKey, b: RankKey): boolean {
  return a.value === b.value && a.mean === b.mean;
}

/** Indices of the k strongest items (values before the rectifier, map means, SHA-256 places), strongest first. */
export function topIndices(values: ArrayLike<number>, means: ArrayLike<number>, tie: ArrayLike<number>, k: number): number[] {
  if (values.length !== tie.length || means.length !== tie.length) throw new Error(`topIndices: ${values.length} values, ${means.length} means, ${tie.length} tie places`);
  const key = (i: number): RankKey => ({ value: values[i], mean: means[i], tie: tie[i] });
  return Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => compareRank(key(a), key(b)))
    .slice(0, Math.max(0, k));
}
