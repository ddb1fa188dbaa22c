import * as tf from '@tensorflow/tfjs';

export interface Figure {
  name: string;
  value: number;
  unit: string;
}

/** Median wall time of `run` (which must finish its own work, e.g. await data()) after warm-up runs. */
export async function medianMs(run: () => Promise<void>, repeats = 5, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Runs a tensor-producing function and waits for its values, freeing everything it made. */
export function settle(make: () => tf.Tensor): () => Promise<void> {
  return async () => {
    const t = make();
    await t.data();
    t.dispose();
  };
}

export const round = (v: number, digits = 2) => Number(v.toFixed(digits));
