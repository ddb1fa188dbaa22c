import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeTinyGallery } from './tiny-gallery.ts';

/**
 * The tiny gallery with script payloads wherever a user's text reaches a page: photo labels,
 * credits and file names, class labels, the model's name and credit, and a human note. Each payload
 * would call alert() if it ended up as markup (or ended a <script> data block) instead of text.
 */
export const PAYLOAD = `</script><script>alert('script')</script><img src=x onerror="alert('img')"><!--\u2028`;

export async function writeHostileGallery(root: string, notesDir: string): Promise<string> {
  const file = await writeTinyGallery(root);
  const config = JSON.parse(await readFile(file, 'utf8'));
  const model = config.models[0];
  model.name = `Tiny ${PAYLOAD}`;
  model.credit = `tests ${PAYLOAD}`;
  model.labels = model.labels.map((l: string, i: number) => (i === 0 ? `${l} ${PAYLOAD}` : l));
  for (const [i, photo] of config.images.extra.entries()) {
    photo.label = `${photo.label} ${PAYLOAD}`;
    photo.credit = `${photo.credit} ${PAYLOAD}`;
    if (i === 1) {
      // A file name can carry markup too (no "/" on Linux, so no closing tag).
      const hostile = `./photos/<img src=x onerror=alert(1)>.png`;
      await rename(path.join(root, photo.url), path.join(root, hostile));
      photo.url = hostile;
      delete photo.id;
    }
  }
  await writeFile(file, JSON.stringify(config, null, 2));
  const noteDir = path.join(notesDir, 'tiny', 'c1');
  await mkdir(noteDir, { recursive: true });
  await writeFile(path.join(noteDir, '0.md'), `A note ${PAYLOAD} about {{strongest-photo}}\n\n<script>alert('note')</script>\n\n[link](javascript:alert('link'))\n`);
  return file;
}
