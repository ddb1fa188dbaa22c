import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { freshRecord, fromSiteSrc, publicPaths, toSiteSrc, writeRecord } from '../records/io.ts';
import { galleryContactSheetSchema, galleryImageSchema, type GalleryContactSheet, type GalleryImageRecord } from '../records/schemas.ts';
import { commitFileAtomic } from '../util/atomic-write.ts';
import { mapLimited } from '../util/map-limited.ts';
import { createProgress } from '../util/progress.ts';
import type { CheckedImage } from './check-images.ts';
import type { BuildContext } from './context.ts';
import { provenance, stepKey } from './provenance.ts';

const CODE_VERSION = 1;
/** Hero on image pages (448), slide cards (224), gallery cards (192: five to the 1072 px column). */
export const GALLERY_SIZES = [448, 224, 192] as const;
/** Tile size of the contact sheet that unit pages show beside each feature map. */
export const CONTACT_SIZE = 112;
const QUALITY = 80;

export type Fit = 'center-crop' | 'squash';

/** The square a model sees (same crop as assets/images.ts), as display pixels. */
export function squarePipeline(file: string, size: number, fit: Fit): Sharp {
  return sharp(file, { autoOrient: true })
    .flatten({ background: '#ffffff' })
    .resize(size, size, { fit: fit === 'squash' ? 'fill' : 'cover', position: 'centre' })
    .toColourspace('srgb');
}

async function writeSquare(file: string, src: string, size: number, fit: Fit): Promise<number> {
  let bytes = 0;
  await commitFileAtomic(file, async (temp) => {
    bytes = (await squarePipeline(src, size, fit).webp({ quality: QUALITY, effort: 4 }).toFile(temp)).size;
  });
  return bytes;
}

/**
 * Display files for each gallery photo (the model's square at a few sizes, per fit mode in use)
 * plus one contact sheet per fit mode. Files are named by content hash, records keyed on it.
 */
export async function galleryImages(gallery: CheckedImage[], fits: Fit[], ctx: BuildContext): Promise<{ images: GalleryImageRecord[]; sheets: GalleryContactSheet[] }> {
  const pub = publicPaths(ctx.publicDir);
  const progress = createProgress({ label: 'gallery images', total: gallery.length, noun: 'images' });
  let made = 0;
  const images = await mapLimited(gallery, 3, async (img, order) => {
    const params = { sizes: GALLERY_SIZES, fits, quality: QUALITY };
    const key = stepKey('gallery-image', CODE_VERSION, { sha256: img.sha256, params, order, meta: [img.label, img.license, img.credit, img.url] });
    const file = path.join(ctx.recordsDir, 'gallery', `${img.id}.json`);
    const cached = await freshRecord(file, galleryImageSchema, key, (r) => r.views.map((v) => fromSiteSrc(pub, v.src)));
    if (cached) {
      progress.tick();
      return cached;
    }
    const startedAt = performance.now();
    const meta = await sharp(img.file, { autoOrient: true }).metadata();
    const views: GalleryImageRecord['views'] = [];
    for (const fit of fits) {
      for (const size of GALLERY_SIZES) {
        const out = path.join(pub.dir, 'gallery', `${img.id}-${img.sha256.slice(0, 10)}-${fit}-${size}.webp`);
        const bytes = await writeSquare(out, img.file, size, fit);
        views.push({ fit, size, src: toSiteSrc(pub, out), width: size, height: size, bytes });
      }
    }
    const record = await writeRecord(file, galleryImageSchema, {
      id: img.id,
      order,
      label: img.label ?? img.id,
      license: img.license ?? 'unknown',
      credit: img.credit ?? '',
      sourceUrl: img.url,
      sha256: img.sha256,
      original: { width: meta.autoOrient?.width ?? meta.width ?? 0, height: meta.autoOrient?.height ?? meta.height ?? 0 },
      views,
      key,
      provenance: provenance(ctx, { method: 'gallery-image', codeVersion: CODE_VERSION, params, image: img.id, startedAt }),
    });
    made++;
    progress.tick();
    return record;
  });
  progress.finish(`${gallery.length} images (${made} made, ${gallery.length - made} cached)`);
  const sheets: GalleryContactSheet[] = [];
  for (const fit of fits) sheets.push(await contactSheet(gallery, fit, ctx));
  return { images, sheets };
}

async function contactSheet(gallery: CheckedImage[], fit: Fit, ctx: BuildContext): Promise<GalleryContactSheet> {
  const pub = publicPaths(ctx.publicDir);
  const params = { size: CONTACT_SIZE, quality: QUALITY };
  const key = stepKey('contact-sheet', CODE_VERSION, { fit, images: gallery.map((g) => [g.id, g.sha256]), params });
  const file = path.join(ctx.recordsDir, 'contact-sheets', `${fit}.json`);
  const cached = await freshRecord(file, galleryContactSheetSchema, key, (r) => [fromSiteSrc(pub, r.sheet.src)]);
  if (cached) return cached;
  const startedAt = performance.now();
  const s = CONTACT_SIZE;
  const cols = Math.max(1, Math.min(gallery.length, 14));
  const rows = Math.max(1, Math.ceil(gallery.length / cols));
  const tiles: Buffer[] = await mapLimited(gallery, 4, (g) => squarePipeline(g.file, s, fit).removeAlpha().png().toBuffer());
  const out = path.join(pub.dir, 'gallery', `contact-${fit}-${s}-${key.slice(0, 10)}.webp`);
  let bytes = 0;
  await commitFileAtomic(out, async (temp) => {
    const canvas = sharp({ create: { width: cols * s, height: rows * s, channels: 3, background: '#ffffff' } });
    const composite = tiles.map((input, i) => ({ input, left: (i % cols) * s, top: Math.floor(i / cols) * s }));
    bytes = (await canvas.composite(composite).webp({ quality: QUALITY, effort: 4 }).toFile(temp)).size;
  });
  return writeRecord(file, galleryContactSheetSchema, {
    id: fit,
    fit,
    images: gallery.map((g) => g.id),
    sheet: { src: toSiteSrc(pub, out), width: cols * s, height: rows * s, bytes, cols, rows, count: gallery.length, tile: [s, s] },
    key,
    provenance: provenance(ctx, { method: 'contact-sheet', codeVersion: CODE_VERSION, params: { ...params, fit }, startedAt }),
  });
}
