import sharp from 'sharp';
import { ColorGrid, writeWebp } from './maps.ts';
import { toSiteSrc, type PublicPaths } from '../records/io.ts';
import type { SpriteSheet } from '../records/schemas.ts';

/** An RGB picture in memory: height x width x 3, 8-bit. */
export interface Rgb {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Float RGB 0..255 (as decoded for the model) → 8-bit. */
export function toRgb(data: Float32Array | number[], width: number, height: number): Rgb {
  return { data: Uint8Array.from(data, (v) => Math.max(0, Math.min(255, Math.round(v)))), width, height };
}

/**
 * Crops an inclusive box [y0, x0, y1, x1] (clipped to the picture) and resizes it to the tile,
 * with nearest neighbour when enlarging (so a 3-pixel receptive field stays 3 crisp pixels).
 */
export async function cropToTile(src: Rgb, box: readonly number[], tile: [number, number]): Promise<Uint8Array> {
  const y0 = Math.max(0, Math.floor(box[0]));
  const x0 = Math.max(0, Math.floor(box[1]));
  const y1 = Math.min(src.height - 1, Math.ceil(box[2]));
  const x1 = Math.min(src.width - 1, Math.ceil(box[3]));
  const [th, tw] = tile;
  const width = x1 - x0 + 1;
  const height = y1 - y0 + 1;
  const enlarge = width < tw || height < th;
  const out = await sharp(src.data, { raw: { width: src.width, height: src.height, channels: 3 } })
    .extract({ left: x0, top: y0, width, height })
    .resize(tw, th, { fit: 'fill', kernel: enlarge ? 'nearest' : 'lanczos3' })
    .raw()
    .toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Resizes a whole picture to a tile. */
export function resizeToTile(src: Rgb, tile: [number, number]): Promise<Uint8Array> {
  return cropToTile(src, [0, 0, src.height - 1, src.width - 1], tile);
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
