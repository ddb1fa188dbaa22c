import sharp, { type Metadata } from 'sharp';
import { stderrLog, type Log } from '../util/log.ts';
import { mapLimited } from '../util/map-limited.ts';

export type ImageFit = 'center-crop' | 'squash';

export interface ImageTensorData {
  /** RGB, height x width x 3, values 0..255. */
  data: Float32Array;
  width: number;
  height: number;
  /** As displayed, i.e. after applying the EXIF orientation. */
  originalWidth: number;
  originalHeight: number;
}

export class ImageDecodeError extends Error {
  readonly path: string;
  constructor(filePath: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`cannot decode image ${filePath}: ${reason.trim()}`, { cause });
    this.name = 'ImageDecodeError';
    this.path = filePath;
  }
}

export interface LoadImageOptions {
  /** center-crop: the largest centred square, then resized (ImageNet-style eval); squash: whole image, aspect ignored. */
  fit?: ImageFit;
}

/**
 * Decodes any format sharp reads into 8-bit sRGB RGB at size x size: grayscale is expanded, alpha is
 * flattened onto white (transparent pixels often hold junk colour), CMYK and 16-bit are converted.
 * `failOn: 'truncated'` makes a cut-off file an error instead of an image with a grey bottom half.
 */
export async function loadImageTensorData(filePath: string, size = 224, opts: LoadImageOptions = {}): Promise<ImageTensorData> {
  try {
    const image = sharp(filePath, { failOn: 'truncated', autoOrient: true });
    const meta = await image.metadata();
    const { data, info } = await image
      .flatten({ background: '#ffffff' })
      .resize(size, size, { fit: opts.fit === 'squash' ? 'fill' : 'cover', position: 'centre' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
    return { data: Float32Array.from(data), width: info.width, height: info.height, ...orientedSize(meta) };
  } catch (err) {
    throw new ImageDecodeError(filePath, err);
  }
}

function orientedSize(meta: Metadata): { originalWidth: number; originalHeight: number } {
  return { originalWidth: meta.autoOrient?.width ?? meta.width, originalHeight: meta.autoOrient?.height ?? meta.height };
}

export interface LoadedImage extends ImageTensorData {
  path: string;
}

export interface SkippedImage {
  path: string;
  reason: string;
}

/**
 * For galleries and datasets, where one bad file should cost one picture, not the build.
 * Only decode failures are skipped; anything else (e.g. out of memory) still throws.
 * Note: at 224 px each image holds ~600 KB of floats, so callers with large sets should call this per batch.
 */
export async function loadImagesSkippingBad(
  paths: string[],
  size = 224,
  log: Log = stderrLog,
  opts: LoadImageOptions & { concurrency?: number } = {},
): Promise<{ images: LoadedImage[]; skipped: SkippedImage[] }> {
  const failed: (SkippedImage | undefined)[] = new Array(paths.length);
  const loaded = await mapLimited(paths, opts.concurrency ?? 4, async (filePath, i) => {
    try {
      return { path: filePath, ...(await loadImageTensorData(filePath, size, opts)) };
    } catch (err) {
      if (!(err instanceof ImageDecodeError)) throw err;
      failed[i] = { path: filePath, reason: err.message };
      log.warn(`skipping ${err.message}`);
      return undefined;
    }
  });
  const skipped = failed.filter((x): x is SkippedImage => x !== undefined);
  if (skipped.length) log.warn(`skipped ${skipped.length} of ${paths.length} images that could not be decoded`);
  return { images: loaded.filter((x): x is LoadedImage => x !== undefined), skipped };
}

