import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../pipeline/engine/backend.ts';

/** Starts wasm (with the fast gradient kernels) and keeps cpu available as the reference. */
export async function useWasmWithCpuReference(): Promise<void> {
  await initBackend('wasm');
}

/** Runs fn on the given backend and returns plain arrays, so results from both backends compare directly. */
export async function onBackend<T extends tf.Tensor | tf.Tensor[]>(name: string, fn: () => T): Promise<Float32Array[]> {
  const previous = tf.getBackend();
  await tf.setBackend(name);
  try {
    const out = tf.tidy(fn);
    const list = Array.isArray(out) ? out : [out];
    const data = await Promise.all(list.map(async (t) => new Float32Array(await t.data())));
    list.forEach((t) => t.dispose());
    return data;
  } finally {
    await tf.setBackend(previous);
  }
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Deterministic pseudo-random tensor (mulberry32) so failures reproduce. */
export function seededTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  let s = seed >>> 0;
  const size = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    v[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return tf.tensor(v, shape);
}
