/** Failures a user can fix; the messages say what was tried and what to do. */

export class AssetUnreachableError extends Error {
  readonly url: string;
  readonly mirrorPath: string | null;
  constructor(url: string, cause: string, mirrorPath: string | null) {
    super(
      mirrorPath
        ? `cannot get ${url}: not in the mirror (looked for ${mirrorPath}) and the network failed: ${cause}`
        : `cannot reach ${url}: ${cause}; set ATLAS_MIRROR=/path/to/mirror (layout <host>/<path>) or check the network`,
    );
    this.name = 'AssetUnreachableError';
    this.url = url;
    this.mirrorPath = mirrorPath;
  }
}

export class ChecksumMismatchError extends Error {
  readonly url: string;
  readonly expected: string;
  readonly actual: string;
  /**
   * `what` is 'sha256' normally, 'size' when only a byte count was configured. For a local file the
   * user's file is left alone; anything bound for the cache is deleted.
   */
  constructor(opts: { url: string; from: string; what: 'sha256' | 'size'; expected: string; actual: string; keptInPlace?: boolean }) {
    const fate = opts.keptInPlace ? 'the file was left in place and not used' : 'the bad file was not kept';
    const kind = opts.what === 'sha256' ? 'checksum' : 'size';
    super(`${kind} mismatch for ${opts.url} (read from ${opts.from}): expected ${opts.what} ${opts.expected}, got ${opts.actual}; ${fate}`);
    this.name = 'ChecksumMismatchError';
    this.url = opts.url;
    this.expected = opts.expected;
    this.actual = opts.actual;
  }
}

export class AssetNotFoundError extends Error {
  readonly path: string;
  constructor(filePath: string, url: string) {
    super(filePath === url ? `file not found: ${filePath}` : `file not found: ${filePath} (from ${url})`);
    this.name = 'AssetNotFoundError';
    this.path = filePath;
  }
}
