import * as tf from '@tensorflow/tfjs';

/*
 * Backward convs run with a flipped/transposed copy of each filter. Making that copy anew on every
 * call costs more than the copy itself: wasm's XNNPACK caches its packed weights per tensor, so a
 * fresh tensor means re-packing. Model filters are long-lived, so keep their copies, keyed by the
 * source tensor's data and the transform; a bounded LRU frees copies of filters that went away.
 * The tensor returned is kept (tidy leaves it alone): callers must not dispose it.
 */
const capacity = 512;
const cache = new Map<object, Map<string, tf.Tensor>>();
let size = 0;

export function derivedFilter<T extends tf.Tensor>(source: tf.Tensor, transform: string, make: () => T): T {
  const key = source.dataId as object;
  const perSource = cache.get(key);
  const hit = perSource?.get(transform);
  if (hit && !hit.isDisposed) {
    cache.delete(key);
    cache.set(key, perSource!);
    return hit as T;
  }
  const made = tf.keep(tf.tidy(make));
  const entry = perSource ?? new Map<string, tf.Tensor>();
  entry.set(transform, made);
  cache.delete(key);
  cache.set(key, entry);
  size++;
  evict();
  return made;
}

function evict(): void {
  while (size > capacity) {
    const [oldestKey, entry] = cache.entries().next().value as [object, Map<string, tf.Tensor>];
    cache.delete(oldestKey);
    for (const t of entry.values()) t.dispose();
    size -= entry.size;
  }
}
