const linspace = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));

/**
 * The ranges of Zeiler & Fergus's Fig. 5: shifts of −60..60 px at their 224 px input, rotations
 * 0..360° every 30°, scales 0.5..1.8 every 0.1 (so 1 is on the curve).
 */
export const ZEILER_FERGUS_RANGES = {
  translate: linspace(-60, 60, 13),
  rotate: linspace(0, 360, 13),
  scale: linspace(0.5, 1.8, 14).map((s) => Math.round(s * 10) / 10),
};

/** Shifts chosen for a 224 px input, at another input side: whole pixels, no repeats. */
export function shiftsForSide(shifts: number[], side: number): number[] {
  // + 0 turns Math.round's −0 into 0; small inputs round several shifts onto one pixel.
  return [...new Set(shifts.map((t) => Math.round((t * side) / 224) + 0))];
}
