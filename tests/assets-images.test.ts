import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDecodeError, loadImagesSkippingBad, loadImageTensorData } from '../pipeline/assets/images.ts';
import { memoryLog } from '../pipeline/util/log.ts';

let dir: string;
const files: Record<string, string> = {};

/** Smooth gradients compress like photos; pure noise would make the truncation test trivially easy. */
function gradient(width: number, height: number, channels: 1 | 3 | 4): Buffer {
  const buf = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) buf[(y * width + x) * channels + c] = c === 3 ? 128 : (x + y * (c + 1)) % 256;
    }
  }
  return buf;
}

function range(data: Float32Array): [number, number] {
  return data.reduce(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [Infinity, -Infinity]);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'atlas-images-'));
  const put = async (name: string, data: Buffer) => {
    files[name] = path.join(dir, name);
    await writeFile(files[name], data);
  };
  const jpeg = await sharp(gradient(320, 200, 3), { raw: { width: 320, height: 200, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  await put('photo.jpg', jpeg);
  await put('rotated.jpg', await sharp(jpeg).withMetadata({ orientation: 6 }).jpeg().toBuffer());
  await put('truncated.jpg', jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  await put('gray.png', await sharp(gradient(64, 48, 1), { raw: { width: 64, height: 48, channels: 1 } }).png().toBuffer());
  await put('rgba.png', await sharp(gradient(50, 50, 4), { raw: { width: 50, height: 50, channels: 4 } }).png().toBuffer());
  await put('deep.png', await sharp(gradient(40, 30, 3), { raw: { width: 40, height: 30, channels: 3 } }).toColourspace('rgb16').png().toBuffer());
  await put('rgb8.png', await sharp(gradient(40, 30, 3), { raw: { width: 40, height: 30, channels: 3 } }).png().toBuffer());
  await put('cmyk.jpg', await sharp(jpeg).toColourspace('cmyk').jpeg().toBuffer());
  await put('not-an-image.png', Buffer.from('hello, I am text'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadImageTensorData', () => {
  it('center-crops and resizes to size x size RGB floats in 0..255', async () => {
    const img = await loadImageTensorData(files['photo.jpg'], 224);
    expect(img).toMatchObject({ width: 224, height: 224, originalWidth: 320, originalHeight: 200 });
    expect(img.data).toBeInstanceOf(Float32Array);
    expect(img.data.length).toBe(224 * 224 * 3);
    expect(range(img.data)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(range(img.data)[0]).toBeGreaterThanOrEqual(0);
    expect(range(img.data)[1]).toBeLessThanOrEqual(255);
  });

  it('applies the EXIF orientation before cropping', async () => {
    const img = await loadImageTensorData(files['rotated.jpg'], 32);
    expect(img).toMatchObject({ originalWidth: 200, originalHeight: 320 });
  });

  it('keeps the whole picture with fit: squash', async () => {
    const crop = await loadImageTensorData(files['photo.jpg'], 32);
    const squash = await loadImageTensorData(files['photo.jpg'], 32, { fit: 'squash' });
    expect(squash.data.length).toBe(32 * 32 * 3);
    expect(squash.data).not.toEqual(crop.data);
  });

  it.each(['gray.png', 'rgba.png', 'deep.png', 'cmyk.jpg'])('converts %s to 3-channel 8-bit RGB', async (name) => {
    const img = await loadImageTensorData(files[name], 16);
    expect(img.data.length).toBe(16 * 16 * 3);
    expect(range(img.data)[1]).toBeLessThanOrEqual(255);
  });

  it('maps 16-bit images onto the same 0..255 scale as 8-bit ones', async () => {
    expect((await sharp(files['deep.png']).metadata()).depth).toBe('ushort');
    const deep = await loadImageTensorData(files['deep.png'], 16, { fit: 'squash' });
    const eight = await loadImageTensorData(files['rgb8.png'], 16, { fit: 'squash' });
    const maxDiff = deep.data.reduce((m, v, i) => Math.max(m, Math.abs(v - eight.data[i])), 0);
    expect(maxDiff).toBeLessThanOrEqual(2);
  });

  it('expands grayscale to equal R, G and B', async () => {
    const img = await loadImageTensorData(files['gray.png'], 8);
    for (let i = 0; i < img.data.length; i += 3) {
      expect(img.data[i + 1]).toBe(img.data[i]);
      expect(img.data[i + 2]).toBe(img.data[i]);
    }
  });

  it('throws ImageDecodeError naming the file for a truncated JPEG', async () => {
    const error = await loadImageTensorData(files['truncated.jpg']).catch((e) => e);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect(error.message).toContain(files['truncated.jpg']);
  });

  it('throws ImageDecodeError for a file that is not an image, or is missing', async () => {
    await expect(loadImageTensorData(files['not-an-image.png'])).rejects.toBeInstanceOf(ImageDecodeError);
    await expect(loadImageTensorData(path.join(dir, 'missing.jpg'))).rejects.toBeInstanceOf(ImageDecodeError);
  });
});

describe('loadImagesSkippingBad', () => {
  it('skips bad files with a warning each and a count at the end, keeping the rest in order', async () => {
    const log = memoryLog();
    const paths = [files['photo.jpg'], files['truncated.jpg'], files['gray.png'], files['not-an-image.png']];
    const { images, skipped } = await loadImagesSkippingBad(paths, 32, log);
    expect(images.map((i) => i.path)).toEqual([files['photo.jpg'], files['gray.png']]);
    expect(skipped.map((s) => s.path)).toEqual([files['truncated.jpg'], files['not-an-image.png']]);
    expect(skipped[0].reason).toContain('truncated.jpg');
    expect(log.warnings).toHaveLength(3);
    expect(log.warnings.at(-1)).toMatch(/skipped 2 of 4 images/);
  });
});
