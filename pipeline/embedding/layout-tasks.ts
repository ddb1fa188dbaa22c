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

/** The same, as a worker task: plain typed arrays in and out, no tfjs. */
export const setup: TaskModule['setup'] = async () => ({ mapLayouts: layoutsInThread });
