/**
 * The numbers the ablation page states, as pure functions so a test can recompute them by hand.
 * Dead filter: a first-layer unit whose largest activation (after its ReLU) over every position of
 * every test image is ≤ DEAD_AT — it never passes anything on, so the layers above cannot use it.
 */
export const DEAD_AT = 0;
export const DEAD_CRITERION =
  `largest activation (after the ReLU) over all positions of all test images ≤ ${DEAD_AT}`;

/** Per channel, the largest value of a channel-last [n, h, w, c] block, folded into `into`. */
export function foldChannelMax(into: Float32Array, data: ArrayLike<number>, channels: number): Float32Array {
  for (let i = 0; i < data.length; i++) {
    const k = i % channels;
    if (data[i] > into[k]) into[k] = data[i];
  }
  return into;
}

export function deadUnits(maxima: ArrayLike<number>): number[] {
  return Array.from(maxima, (m, k) => (m <= DEAD_AT ? k : -1)).filter((k) => k >= 0);
}

export interface VariantNumbers {
  name: string;
  testAccuracy: number;
  dead: number;
  filters: number;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** One paragraph written from the measured numbers only: which variant wins, by how much, dead filters of each. */
export function ablationSummary(a: VariantNumbers, b: VariantNumbers): string {
  const diff = a.testAccuracy - b.testAccuracy;
  const acc =
    diff === 0
      ? `Both variants reach the same test accuracy (${pct(a.testAccuracy)}).`
      : (() => {
          const [hi, lo] = diff > 0 ? [a, b] : [b, a];
          const pts = (Math.abs(diff) * 100).toFixed(1);
          const both = `${pct(hi.testAccuracy)} against ${pct(lo.testAccuracy)}`;
          return `The ${hi.name} variant is more accurate on the test images: ${both} (${pts} points).`;
        })();
  const deadOf = (v: VariantNumbers) => `${v.dead} of ${v.filters} in the ${v.name} variant`;
  return `${acc} Dead first-layer filters: ${deadOf(a)}, ${deadOf(b)}.`;
}
