import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export interface StreamedFile {
  sha256: string;
  bytes: number;
}

/** A failure of the remote side; `retryable` marks the ones worth a second try. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}

export interface DownloadOptions {
  /** Called with the running byte count and, once known, the size announced by the server. */
  onBytes?: (received: number, total: number | undefined) => void;
  /** Abort when no data arrives for this long. */
  idleTimeoutMs?: number;
  retries?: number;
}

/** Hashes while writing, so a file is read exactly once on its way into the cache. */
export async function streamToFile(
  source: Readable,
  dest: string,
  onBytes?: (received: number) => void,
): Promise<StreamedFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(
    source,
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        hash.update(chunk);
        bytes += chunk.length;
        onBytes?.(bytes);
        yield chunk;
      }
    },
    createWriteStream(dest),
  );
  return { sha256: hash.digest('hex'), bytes };
}

export function copyFileHashed(from: string, dest: string): Promise<StreamedFile> {
  return streamToFile(createReadStream(from), dest);
}

export async function downloadToFile(url: string, dest: string, options: DownloadOptions = {}): Promise<StreamedFile> {
  const retries = options.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      return await downloadOnce(url, dest, options);
    } catch (err) {
      if (!(err instanceof NetworkError) || !err.retryable || attempt >= retries) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    }
  }
}

async function downloadOnce(url: string, dest: string, options: DownloadOptions): Promise<StreamedFile> {
  const controller = new AbortController();
  const idleMs = options.idleTimeoutMs ?? 30_000;
  let timer = setTimeout(() => controller.abort(), idleMs);
  const keepAlive = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), idleMs);
  };
  try {
    const response = await fetch(url, { signal: controller.signal, headers: { 'user-agent': 'convnet-atlas' } });
    if (!response.ok || !response.body) {
      const transient = response.status >= 500 || response.status === 429;
      throw new NetworkError(`HTTP ${response.status} ${response.statusText}`.trim(), transient);
    }
    const total = Number(response.headers.get('content-length')) || undefined;
    const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    return await streamToFile(body, dest, (received) => {
      keepAlive();
      options.onBytes?.(received, total);
    });
  } catch (err) {
    throw asNetworkError(err, controller.signal.aborted, idleMs);
  } finally {
    clearTimeout(timer);
  }
}

/** Connection refused / unknown host mean "offline": retrying only delays the helpful message. */
const PERMANENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'CERT_HAS_EXPIRED']);

function asNetworkError(err: unknown, aborted: boolean, idleMs: number): Error {
  if (err instanceof NetworkError) return err;
  if (aborted) return new NetworkError(`no data for ${idleMs / 1000} s`, true);
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? (err as { code?: string })?.code;
  const syscall = (err as { syscall?: string })?.syscall;
  // Errors from our own file writes (disk full, permissions) are not network trouble.
  if (syscall && ['open', 'write', 'rename', 'close'].includes(syscall)) return err as Error;
  const message = cause?.message ?? (err instanceof Error ? err.message : String(err));
  return new NetworkError(code && !message.includes(code) ? `${code} ${message}` : message, !PERMANENT_CODES.has(code ?? ''));
}
