/**
 * Upper tail of the hypergeometric distribution: the chance that drawing n of N images without
 * replacement yields at least k of the K that belong to a class. It is the exact null model for
 * "a unit's top-n images": they are n distinct images of the dataset.
 */

/** ln(i!) for i up to the largest N seen, by summing logs: exact, and a dataset has at most ~10^6 images. */
const logFactorials: number[] = [0];

function logFactorial(i: number): number {
  for (let j = logFactorials.length; j <= i; j++) logFactorials.push(logFactorials[j - 1] + Math.log(j));
  return logFactorials[i];
}

const logChoose = (n: number, k: number) => logFactorial(n) - logFactorial(k) - logFactorial(n - k);

/** P(X >= k) for X ~ Hypergeometric(population N, successes K, draws n). */
export function hypergeometricTail(k: number, N: number, K: number, n: number): number {
  const lo = Math.max(k, 0, n - (N - K));
  const hi = Math.min(n, K);
  if (lo > hi) return k <= Math.max(0, n - (N - K)) ? 1 : 0;
  const denominator = logChoose(N, n);
  let p = 0;
  for (let x = lo; x <= hi; x++) p += Math.exp(logChoose(K, x) + logChoose(N - K, n - x) - denominator);
  return Math.min(1, p);
}
