import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ImageFit } from '../assets/images.ts';
import { REPO_ROOT } from '../util/paths.ts';

/**
 * The hand-marked face parts of the correspondence experiment (content/correspondence/dogs.json):
 * per photo a box for the right eye, the left eye and the nose, as fractions of the photo as
 * published, so the same marks serve every model whatever its input size and crop.
 */

export const PARTS = ['rightEye', 'leftEye', 'nose'] as const;
export type Part = (typeof PARTS)[number];
export const PART_NAMES: Record<Part, string> = { rightEye: 'right eye', leftEye: 'left eye', nose: 'nose' };

export const DOG_PARTS_FILE = path.join(REPO_ROOT, 'content', 'correspondence', 'dogs.json');

const fraction = z.number().min(0).max(1);
/** [x, y, width, height], fractions of the photo's width and height. */
const boxSchema = z
  .tuple([fraction, fraction, fraction.positive(), fraction.positive()])
  .refine(([x, y, w, h]) => x + w <= 1 && y + h <= 1, 'the box must lie inside the photo (x + width ≤ 1, y + height ≤ 1)');

const dogSchema = z
  .object({
    /** A catalog id (pipeline/assets/catalog.json) ... */
    image: z.string().min(1).optional(),
    /** ... or a local file, relative to the parts file, with its terms. */
    file: z.string().min(1).optional(),
    credit: z.string().optional(),
    license: z.string().optional(),
    parts: z.object({ rightEye: boxSchema, leftEye: boxSchema, nose: boxSchema }).strict(),
  })
  .strict()
  .refine((d) => !!d.image !== !!d.file, 'give exactly one of "image" (a catalog id) or "file"');

export const dogPartsSchema = z.object({ $comment: z.string().optional(), images: z.array(dogSchema).min(2) }).strict();
export type DogParts = z.output<typeof dogPartsSchema>;
export type Box = [number, number, number, number];

export async function loadDogParts(file = DOG_PARTS_FILE): Promise<{ parts: DogParts; text: string }> {
  const text = await readFile(file, 'utf8').catch((e: Error) => {
    throw new Error(`cannot read the correspondence parts file ${file}: ${e.message}`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const parsed = dogPartsSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new Error(`${file}: ${issues.join('; ')}`);
  }
  return { parts: parsed.data, text };
}

/** Integer input-pixel rectangle [x0, y0, x1, y1) (x1, y1 exclusive). */
export type Rect = [number, number, number, number];

/**
 * A box marked on the photo → the pixels it covers in the model's square input: center-crop keeps
 * the largest centred square (as loadImageTensorData does), squash stretches the whole photo.
 */
export function boxToInput([bx, by, bw, bh]: Box, photo: { width: number; height: number }, size: number, fit: ImageFit): Rect {
  let [sx, sy, ox, oy] = [size / photo.width, size / photo.height, 0, 0];
  if (fit === 'center-crop') {
    const side = Math.min(photo.width, photo.height);
    sx = sy = size / side;
    ox = (photo.width - side) / 2;
    oy = (photo.height - side) / 2;
  }
  const clip = (v: number) => Math.max(0, Math.min(size, Math.round(v)));
  const rect: Rect = [clip((bx * photo.width - ox) * sx), clip((by * photo.height - oy) * sy), clip(((bx + bw) * photo.width - ox) * sx), clip(((by + bh) * photo.height - oy) * sy)];
  if (rect[2] - rect[0] < 1 || rect[3] - rect[1] < 1) throw new Error(`box ${JSON.stringify([bx, by, bw, bh])} falls outside the part of the photo the model sees (${fit})`);
  return rect;
}
