import type { ReceptiveField } from '../model/receptive-field.ts';

/** Side of the grid each window is sampled on: enough for a correlation, cheap for 9 projections. */
const GRID = 48;

/**
 * The projection of item `item` (maps [n, H, W, 3]) in a window of the receptive field's size centred
 * on unit (y, x), sampled on a GRID x GRID grid; pixels outside the image count as 0. Windows of
 * different units line up pixel for pixel relative to their unit, so identical projections give
 * identical windows wherever the unit sits.
 */
function centredWindow(maps: Float32Array, item: number, size: [number, number], rf: ReceptiveField, y: number, x: number): Float32Array {
  const [h, w] = size;
  const out = new Float32Array(GRID * GRID * 3);
  const base = item * h * w * 3;
  const cy = rf.start[0] + y * rf.jump[0];
  const cx = rf.start[1] + x * rf.jump[1];
  for (let gy = 0; gy < GRID; gy++) {
    const iy = Math.round(cy + ((gy + 0.5) / GRID - 0.5) * rf.size[0]);
    if (iy < 0 || iy >= h) continue;
    for (let gx = 0; gx < GRID; gx++) {
      const ix = Math.round(cx + ((gx + 0.5) / GRID - 0.5) * rf.size[1]);
      if (ix < 0 || ix >= w) continue;
      for (let c = 0; c < 3; c++) out[(gy * GRID + gx) * 3 + c] = maps[base + (iy * w + ix) * 3 + c];
    }
  }
  return out;
}

export function pearson(a: Float32Array, b: Float32Array): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= a.length;
  mb /= b.length;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/**
 * Mean pairwise Pearson correlation of one unit's deconvnet projections of its top dataset
 * activations, each in a window of its receptive field centred on the unit. Without max-pool
 * switches a deconvnet projection does not depend on the image (only on where the unit sits), so
 * this is near 1; switches make each projection follow its own image and pull it well below 1.
 * Null with fewer than two projections.
 */
export function meanPairwiseCorrelation(maps: Float32Array, size: [number, number], rf: ReceptiveField, positions: [number, number][]): number | null {
  if (positions.length < 2) return null;
  const windows = positions.map(([y, x], i) => centredWindow(maps, i, size, rf, y, x));
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < windows.length; i++) {
    for (let j = i + 1; j < windows.length; j++) {
      sum += pearson(windows[i], windows[j]);
      pairs++;
    }
  }
  return sum / pairs;
}
