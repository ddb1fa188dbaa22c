import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** `.<name>.<pid>.<8 hex>.tmp`, as tempSiblingPath writes them. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Temp files this process has open; removed on exit, Ctrl-C and kill, so none outlive it. */
const live = new Set<string>();
let hooked = false;

function removeLive(): void {
  for (const f of live) rmSync(f, { force: true });
  live.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', removeLive);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      removeLive();
      // Without other listeners Node would have exited on this signal: keep that behaviour.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files left by processes that no longer run (a build killed with -9, a crash):
 * otherwise they would sit beside the records forever and be copied into the site.
 */
export async function sweepStaleTemps(dirs: string[]): Promise<number> {
  let removed = 0;
  for (const dir of dirs) {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const m = e.isFile() ? TEMP_NAME.exec(e.name) : null;
      if (!m || alive(Number(m[1]))) continue;
      await rm(path.join(e.parentPath, e.name), { force: true });
      removed++;
    }
  }
  return removed;
}

/**
 * A temp name in the target's own directory: rename(2) is only atomic within one file system,
 * and the pid + random suffix keeps concurrent writers (and processes) from sharing a temp file.
 */
export function tempSiblingPath(target: string): string {
  const base = path.basename(target);
  const temp = path.join(path.dirname(target), `.${base}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  hookExit();
  live.add(temp);
  return temp;
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
  } finally {
    live.delete(temp);
  }
}
