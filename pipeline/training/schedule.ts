/**
 * Zeiler & Fergus Fig. 4 shows epochs 1, 2, 5, 10, 20, 30, 40, 64: dense early, where features
 * change fastest, sparse late. The same shape for any run length: roughly doubling steps, always
 * ending at the last epoch.
 */
export function checkpointSchedule(epochs: number): number[] {
  const out = new Set<number>();
  for (let e = 1; e < epochs; e = e < 3 ? e + 1 : Math.round(e * 1.6)) out.add(e);
  out.add(epochs);
  return [...out].sort((a, b) => a - b);
}
