import { Redis, type RedisOptions } from 'ioredis';

/** One queue for all unit-atlas work of every model; jobs name their model. */
export const QUEUE_NAME = 'convnet-atlas-units';

/** The queue URL from `--queue`, else env ATLAS_QUEUE; undefined when neither is set. */
export function queueUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return flag ?? (env.ATLAS_QUEUE || undefined);
}

function parse(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // The URL may hold a password: never echo it back.
    throw new Error('the queue URL does not parse; use redis://[user:password@]host:port[/db] (or rediss:// for TLS)');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`the queue URL must start with redis:// or rediss:// (got ${u.protocol}//…)`);
  return u;
}

/** What may be printed about a queue URL: scheme, host, port and db; user and password never. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username || u.password ? '***@' : ''}${u.host}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return '(unparsable queue URL)';
  }
}

/**
 * ioredis options for BullMQ. `maxRetriesPerRequest: null` is what BullMQ's workers require (a
 * blocking fetch of the next job must not give up after a few retries).
 */
export function connectionOptions(url: string): RedisOptions {
  const u = parse(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error(`the queue URL's database must be a number (got ${u.pathname.slice(1)})`);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/**
 * A new client (BullMQ 6 takes constructed clients in ESM). One per Queue, QueueEvents or Worker:
 * QueueEvents blocks its connection; the owner quits it after closing them.
 */
export function redisClient(url: string): Redis {
  return new Redis({ ...connectionOptions(url), lazyConnect: false });
}

/**
 * Fails fast with a clear line when the queue cannot be reached or refuses the credentials (the
 * BullMQ clients would retry forever), naming the host but never the password.
 */
export async function checkReachable(url: string): Promise<void> {
  const probe = new Redis({ ...connectionOptions(url), maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 10_000, lazyConnect: true });
  let cause = '';
  probe.on('error', (e: Error) => (cause ||= e.message));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new Error(`cannot reach the queue at ${redactUrl(url)}: ${cause || (error as Error).message}`);
  } finally {
    probe.disconnect();
  }
}

/** Connection trouble after start-up: one warning per distinct message, not one per retry. */
export function warnOnce(warn: (message: string) => void): (error: Error) => void {
  let last = '';
  return (error) => {
    if (error.message !== last) warn(`queue: ${error.message} (retrying)`);
    last = error.message;
  };
}
