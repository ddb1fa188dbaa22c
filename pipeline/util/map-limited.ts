/**
 * Like Promise.all(items.map(work)) with at most `limit` calls in flight, results in input order.
 * After the first failure no new items are started; the first error is rethrown once the calls
 * already running have settled (so nothing is left writing in the background).
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i], i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  const firstFailure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (firstFailure) throw firstFailure.reason;
  return results;
}
