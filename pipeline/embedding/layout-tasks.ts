import { initBackend } from '../engine/backend.ts';
import type { TaskModule } from '../engine/worker-pool.ts';
import { mapLayouts, type MapLayouts, type MapSettings } from './layouts.ts';

export interface LayoutArgs {
  features: Float32Array;
  n: number;
  d: number;
  settings: MapSettings;
}

/** Computes a map's layouts somewhere: in this thread by default, or on a worker (the build). */
export type LayoutRunner = (args: LayoutArgs) => Promise<MapLayouts>;
export const layoutsInThread: LayoutRunner = async ({ features, n, d, settings }) => mapLayouts(features, n, d, settings);

/**
 * The same, as a worker task: plain typed arrays in and out. The neighbour search and PCA are tfjs
 * matmuls, so the worker starts the build's backend: tfjs's default in Node is the JS cpu backend,
 * which took 154 s for the 8,208-unit map's neighbours where wasm takes 8 s.
 */
export const setup: TaskModule['setup'] = async () => {
  await initBackend();
  return { mapLayouts: layoutsInThread };
};
