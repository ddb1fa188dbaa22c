import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';

/**
 * Remembers which files were hashed and found good, keyed by size and mtime, so that a warm build
 * of a thousand images costs a thousand stat() calls rather than a thousand SHA-256 passes.
 * Any change to the file (size or mtime) sends it back through a full hash.
 */
export interface VerifiedRecord {
  sha256: string;
  bytes: number;
  mtimeMs: number;
}

interface IndexFile {
  version: 1;
  files: Record<string, VerifiedRecord>;
}

export const INDEX_FILE_NAME = '.verified.json';

const openIndexes = new Map<string, Promise<VerifiedIndex>>();

export class VerifiedIndex {
  private dirty = false;

  private constructor(
    private readonly file: string,
    private readonly files: Record<string, VerifiedRecord>,
  ) {}

  /** One instance per cache dir and process, so concurrent fetches share what they learn. */
  static open(cacheDir: string): Promise<VerifiedIndex> {
    const file = path.join(path.resolve(cacheDir), INDEX_FILE_NAME);
    let index = openIndexes.get(file);
    if (!index) {
      index = VerifiedIndex.read(file);
      openIndexes.set(file, index);
    }
    return index;
  }

  private static async read(file: string): Promise<VerifiedIndex> {
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as IndexFile;
      if (parsed.version === 1 && parsed.files && typeof parsed.files === 'object') return new VerifiedIndex(file, parsed.files);
    } catch {
      // Missing or unreadable: start empty; files are simply hashed again.
    }
    return new VerifiedIndex(file, {});
  }

  /** The record, if the file on disk still has the size and mtime it had when it was hashed. */
  async lookup(key: string, filePath: string): Promise<VerifiedRecord | undefined> {
    const record = this.files[key];
    if (!record) return undefined;
    const info = await stat(filePath).catch(() => undefined);
    if (!info || info.size !== record.bytes || info.mtimeMs !== record.mtimeMs) return undefined;
    return record;
  }

  async record(key: string, filePath: string, sha256: string): Promise<VerifiedRecord> {
    const info = await stat(filePath);
    const record = { sha256, bytes: info.size, mtimeMs: info.mtimeMs };
    this.files[key] = record;
    this.dirty = true;
    return record;
  }

  forget(key: string): void {
    if (key in this.files) {
      delete this.files[key];
      this.dirty = true;
    }
  }

  async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const body: IndexFile = { version: 1, files: this.files };
    await writeFileAtomic(this.file, JSON.stringify(body));
  }
}
