/** Rounds to a few significant digits: records stay small and diff-friendly. */
export function sig(value: number, digits = 4): number {
  if (!Number.isFinite(value) || value === 0) return 0;
  return Number(value.toPrecision(digits));
}
