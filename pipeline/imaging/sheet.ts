import { ColorGrid, writeWebp } from './maps.ts';
import { toSiteSrc, type PublicPaths } from '../records/io.ts';
import type { SpriteSheet } from '../records/schemas.ts';

/** An RGB picture in memory: height x width x 3, 8-bit. */
export interface Rgb {
  data: Uint8Array;
  width: number;
  height: number;
}

const byte = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

/** Float RGB 0..255 (as decoded for the model) → 8-bit. */
export function toRgb(data: Float32Array | number[], width: number, height: number): Rgb {
  return { data: Uint8Array.from(data, byte), width, height };
}

/** Float RGB 0..1 (an optimized image) → 8-bit. */
export function unitToBytes(data: Float32Array): Uint8Array {
  return Uint8Array.from(data, (v) => byte(v * 255));
}

/**
 * Box-filter resize of an RGB region: each output pixel averages the source pixels its footprint
 * covers, which is nearest neighbour when enlarging (a 3-pixel receptive field stays 3 crisp
 * pixels) and an area average when shrinking. Plain JS: tiles are small, and a sharp call per tile
 * cost more than the projection itself.
 */
function resizeRegion(src: Rgb, y0: number, x0: number, h: number, w: number, [th, tw]: [number, number]): Uint8Array {
  const out = new Uint8Array(th * tw * 3);
  for (let ty = 0; ty < th; ty++) {
    const ya = y0 + Math.floor((ty * h) / th);
    const yb = Math.max(ya + 1, y0 + Math.floor(((ty + 1) * h) / th));
    for (let tx = 0; tx < tw; tx++) {
      const xa = x0 + Math.floor((tx * w) / tw);
      const xb = Math.max(xa + 1, x0 + Math.floor(((tx + 1) * w) / tw));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let y = ya; y < yb; y++) {
        for (let x = xa; x < xb; x++) {
          const i = (y * src.width + x) * 3;
          r += src.data[i];
          g += src.data[i + 1];
          b += src.data[i + 2];
        }
      }
      const n = (yb - ya) * (xb - xa);
      const o = (ty * tw + tx) * 3;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
    }
  }
  return out;
}

/** Crops an inclusive box [y0, x0, y1, x1] (clipped to the picture) and resizes it to the tile. */
export async function cropToTile(src: Rgb, box: readonly number[], tile: [number, number]): Promise<Uint8Array> {
  const y0 = Math.max(0, Math.floor(box[0]));
  const x0 = Math.max(0, Math.floor(box[1]));
  const y1 = Math.min(src.height - 1, Math.ceil(box[2]));
  const x1 = Math.min(src.width - 1, Math.ceil(box[3]));
  return resizeRegion(src, y0, x0, y1 - y0 + 1, x1 - x0 + 1, tile);
}

/** Resizes a whole picture to a tile. */
export async function resizeToTile(src: Rgb, tile: [number, number]): Promise<Uint8Array> {
  return resizeRegion(src, 0, 0, src.height, src.width, tile);
}

/** Writes equal RGB tiles as one WebP sprite sheet (tile i at column i % cols) and describes it. */
export async function writeRgbSheet(
  file: string,
  paths: PublicPaths,
  tiles: Uint8Array[],
  tile: [number, number],
  cols: number,
  quality = 85,
): Promise<SpriteSheet> {
  const rows = Math.max(1, Math.ceil(tiles.length / cols));
  const grid = new ColorGrid(cols, rows, tile[0], tile[1], 'magma');
  tiles.forEach((t, i) => grid.putRgb(i, t));
  const written = await writeWebp(file, grid.rgb, grid.width, grid.height, { quality });
  return { src: toSiteSrc(paths, file), ...written, cols, rows, count: tiles.length, tile };
}
