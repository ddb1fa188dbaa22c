import sharp from 'sharp';
import { commitFileAtomic } from '../util/atomic-write.ts';
import { COLORMAPS, type ColormapName } from './colormap.ts';

/** One image's activations of one layer, as tfjs returns them: [H, W, C], channels last. */
export interface LayerActivation {
  h: number;
  w: number;
  c: number;
  data: Float32Array;
}

export interface ChannelStats {
  min: Float32Array;
  max: Float32Array;
  mean: Float32Array;
  /** Flat position y * w + x of each channel's maximum (first one on ties). */
  argmax: Int32Array;
}

export function channelStats(a: LayerActivation): ChannelStats {
  const { c, data } = a;
  const n = a.h * a.w;
  const min = new Float32Array(c).fill(Infinity);
  const max = new Float32Array(c).fill(-Infinity);
  const sum = new Float64Array(c);
  const argmax = new Int32Array(c);
  for (let p = 0, i = 0; p < n; p++) {
    for (let k = 0; k < c; k++, i++) {
      const v = data[i];
      if (v < min[k]) min[k] = v;
      if (v > max[k]) {
        max[k] = v;
        argmax[k] = p;
      }
      sum[k] += v;
    }
  }
  const mean = new Float32Array(c);
  for (let k = 0; k < c; k++) mean[k] = sum[k] / n;
  return { min, max, mean, argmax };
}

/**
 * Channel-major 8-bit maps: map k occupies [k*h*w, (k+1)*h*w). Each channel is scaled from its own
 * [lo, hi] to 0..255; a flat channel (hi - lo tiny) becomes all zeros.
 */
export function quantizeChannels(a: LayerActivation, lo: ArrayLike<number>, hi: ArrayLike<number>): Uint8Array {
  const { c, data } = a;
  const n = a.h * a.w;
  const out = new Uint8Array(c * n);
  const gain = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    const range = hi[k] - lo[k];
    gain[k] = range > 1e-6 * Math.max(1, Math.abs(hi[k])) ? 255 / range : 0;
  }
  for (let p = 0, i = 0; p < n; p++) {
    for (let k = 0; k < c; k++, i++) {
      const v = (data[i] - lo[k]) * gain[k];
      out[k * n + p] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return out;
}

/**
 * Per channel, the value below which `fraction` of the map lies, read from the 8-bit maps' histograms
 * (to 1/255 of the channel's range): a robust top of the display range that one hot pixel cannot set.
 */
export function channelPercentile(u8: Uint8Array, n: number, lo: ArrayLike<number>, hi: ArrayLike<number>, fraction: number): Float32Array {
  const c = u8.length / n;
  const out = new Float32Array(c);
  const hist = new Uint32Array(256);
  const need = Math.ceil(fraction * n);
  for (let k = 0; k < c; k++) {
    hist.fill(0);
    for (let j = k * n, end = (k + 1) * n; j < end; j++) hist[u8[j]]++;
    let seen = 0;
    let bin = 0;
    for (; bin < 255; bin++) {
      seen += hist[bin];
      if (seen >= need) break;
    }
    out[k] = lo[k] + (bin / 255) * (hi[k] - lo[k]);
  }
  return out;
}

/**
 * Display geometry of a map: small maps are enlarged by an integer factor (nearest neighbour) to at
 * least `target` px, large ones reduced by an integer factor (box average) to at most 2 * target.
 */
export function tileGeometry(map: [number, number], target: number): { up: number; down: number; tile: [number, number]; scale: number } {
  const longest = Math.max(map[0], map[1]);
  if (longest >= target) {
    const down = Math.max(1, Math.ceil(longest / (2 * target)));
    return { up: 1, down, tile: [Math.floor(map[0] / down), Math.floor(map[1] / down)], scale: 1 / down };
  }
  const up = Math.ceil(target / longest);
  return { up, down: 1, tile: [map[0] * up, map[1] * up], scale: up };
}

/** Box-average reduction of one 8-bit map by an integer factor. */
export function reduceMap(src: Uint8Array, offset: number, h: number, w: number, down: number): Uint8Array {
  if (down === 1) return src.subarray(offset, offset + h * w);
  const th = Math.floor(h / down);
  const tw = Math.floor(w / down);
  const out = new Uint8Array(th * tw);
  const area = down * down;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      let s = 0;
      for (let dy = 0; dy < down; dy++) {
        const row = offset + (y * down + dy) * w + x * down;
        for (let dx = 0; dx < down; dx++) s += src[row + dx];
      }
      out[y * tw + x] = Math.round(s / area);
    }
  }
  return out;
}

/** A grid of single-channel tiles (before enlargement) with a colour map applied; empty cells white. */
export class ColorGrid {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
  private readonly lut: Uint8Array;

  constructor(
    readonly cols: number,
    readonly rows: number,
    readonly tileH: number,
    readonly tileW: number,
    colormap: ColormapName,
  ) {
    this.width = cols * tileW;
    this.height = rows * tileH;
    this.rgb = new Uint8Array(this.width * this.height * 3).fill(255);
    this.lut = COLORMAPS[colormap];
  }

  /** Copies a tileH x tileW 8-bit map into cell i through the colour map. */
  put(i: number, gray: Uint8Array, offset = 0): void {
    const cx = (i % this.cols) * this.tileW;
    const cy = Math.floor(i / this.cols) * this.tileH;
    const { lut, rgb, width } = this;
    for (let y = 0; y < this.tileH; y++) {
      let o = ((cy + y) * width + cx) * 3;
      let s = offset + y * this.tileW;
      for (let x = 0; x < this.tileW; x++, s++) {
        const v = gray[s] * 3;
        rgb[o++] = lut[v];
        rgb[o++] = lut[v + 1];
        rgb[o++] = lut[v + 2];
      }
    }
  }

  /** Copies an RGB tile (tileH x tileW x 3) into cell i as is. */
  putRgb(i: number, tile: Uint8Array): void {
    const cx = (i % this.cols) * this.tileW;
    const cy = Math.floor(i / this.cols) * this.tileH;
    for (let y = 0; y < this.tileH; y++) {
      this.rgb.set(tile.subarray(y * this.tileW * 3, (y + 1) * this.tileW * 3), ((cy + y) * this.width + cx) * 3);
    }
  }
}

export interface EncodeOptions {
  /** Integer nearest-neighbour enlargement applied at encode time (done by libvips, not in JS). */
  up?: number;
  /** Lossless suits enlarged (blocky) maps and is smaller for them; lossy suits photos and native-size maps. */
  lossless?: boolean;
  quality?: number;
  /**
   * libwebp's sharp-YUV chroma subsampling (default on). Off for the feature-map sheets: on magma
   * sheets built from a real photo it took 2–2.7x the encoding time for 17 % more bytes and 1.3 dB
   * lower PSNR (README, "Over budget now").
   */
  smartSubsample?: boolean;
}

/** Encodes an RGB buffer as WebP, atomically; returns the final pixel size and byte count. */
export async function writeWebp(
  file: string,
  rgb: Uint8Array,
  width: number,
  height: number,
  opts: EncodeOptions = {},
): Promise<{ width: number; height: number; bytes: number }> {
  const up = opts.up ?? 1;
  let image = sharp(rgb, { raw: { width, height, channels: 3 } });
  if (up > 1) image = image.resize(width * up, height * up, { kernel: 'nearest' });
  const encoded = opts.lossless
    ? image.webp({ lossless: true, effort: 2 })
    : image.webp({ quality: opts.quality ?? 82, effort: 3, smartSubsample: opts.smartSubsample ?? true });
  let bytes = 0;
  await commitFileAtomic(file, async (temp) => {
    bytes = (await encoded.toFile(temp)).size;
  });
  return { width: width * up, height: height * up, bytes };
}

/** Columns for a sheet of `count` tiles that stays within `maxWidth` px once enlarged. */
export function sheetColumns(count: number, tileWidth: number, maxWidth: number): number {
  return Math.max(1, Math.min(count, Math.floor(maxWidth / tileWidth)));
}
