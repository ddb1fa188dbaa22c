/**
 * Colour maps as 256-entry RGB lookup tables. "magma" (matplotlib's perceptually uniform map,
 * sampled at nine stops and interpolated) shows activations: black is zero, pale yellow the maximum.
 */
const MAGMA_STOPS: [number, number, number][] = [
  [0, 0, 4],
  [28, 16, 68],
  [79, 18, 123],
  [129, 37, 129],
  [181, 54, 122],
  [229, 80, 100],
  [251, 135, 97],
  [254, 194, 135],
  [252, 253, 191],
];

function lut(stops: [number, number, number][]): Uint8Array {
  const table = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) table[i * 3 + c] = Math.round(stops[k][c] * (1 - f) + stops[k + 1][c] * f);
  }
  return table;
}

export const COLORMAPS = { magma: lut(MAGMA_STOPS) } as const;
export type ColormapName = keyof typeof COLORMAPS;
export const DEFAULT_COLORMAP: ColormapName = 'magma';
