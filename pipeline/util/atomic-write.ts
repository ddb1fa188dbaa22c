import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A temp name in the target's own directory: rename(2) is only atomic within one file system,
 * and the pid + random suffix keeps concurrent writers (and processes) from sharing a temp file.
 */
export function tempSiblingPath(target: string): string {
  const base = path.basename(target);
  return path.join(path.dirname(target), `.${base}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Readers see either the old file or the complete new one, never a partial write. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await commitFileAtomic(target, (temp) => writeFile(temp, data));
}

/** Same guarantee for content produced elsewhere: `produce` fills the temp path, then it is renamed in. */
export async function commitFileAtomic(target: string, produce: (tempPath: string) => Promise<void>): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const temp = tempSiblingPath(target);
  try {
    await produce(temp);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
