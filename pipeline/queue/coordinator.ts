import { Queue, QueueEvents } from 'bullmq';
import path from 'node:path';
import type { BackendInfo } from '../engine/backend.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import type { Log } from '../util/log.ts';
import type { Redis } from 'ioredis';
import { checkReachable, QUEUE_NAME, redactUrl, redisClient, warnOnce } from './connection.ts';
import { atlasJobResultSchema, atlasJobSchema, type AtlasJob } from './jobs.ts';

/** Attempts per job before it is reported as failed (a worker killed mid-job counts as a stall, not an attempt). */
export const JOB_ATTEMPTS = 3;

/**
 * The coordinator's side of the queue. Each job is added under the cache key of what it computes,
 * so adding it again (a restarted coordinator) is a no-op that waits for the same job; its result
 * comes back as data and the coordinator writes the images (atomically) and, through the caller,
 * the records: one writer, so records and the cache stay exactly as the local path leaves them, and
 * workers need only Redis, no shared file system.
 */
export class AtlasQueue {
  private constructor(
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly clients: Redis[],
  ) {}

  static async open(url: string, log: Log): Promise<AtlasQueue> {
    await checkReachable(url);
    const clients = [redisClient(url), redisClient(url)];
    // ioredis reconnects by itself (a Redis restart is survived); its errors become warnings.
    const warn = warnOnce(log.warn);
    for (const c of clients) c.on('error', warn);
    const queue = new Queue(QUEUE_NAME, { connection: clients[0] });
    const events = new QueueEvents(QUEUE_NAME, { connection: clients[1] });
    queue.on('error', warn);
    events.on('error', warn);
    // One waiting listener per job in flight: thousands for a whole atlas.
    queue.setMaxListeners(0);
    events.setMaxListeners(0);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    log.info(`unit atlas through the queue at ${redactUrl(url)} (start workers with \`npm run worker -- --queue …\`)`);
    return new AtlasQueue(queue, events, clients);
  }

  /**
   * Runs one job and waits for it; the generated images it returns are written under `publicDir`
   * (the local "generated" directory) before this resolves.
   */
  async run<R>(job: AtlasJob, jobId: string, publicDir: string): Promise<{ result: R; backend: BackendInfo }> {
    const data = atlasJobSchema.parse(job);
    const added = await this.queue.add(data.task, data, { jobId, attempts: JOB_ATTEMPTS, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false });
    // A job that failed all its attempts in an earlier run keeps its id: a rerun retries it.
    if ((await added.getState()) === 'failed') await added.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    const out = atlasJobResultSchema.parse(await added.waitUntilFinished(this.events));
    const root = path.dirname(publicDir);
    await Promise.all(out.files.map((f) => writeFileAtomic(path.join(root, ...f.path.split('/')), Buffer.from(f.data, 'base64'))));
    return { result: out.result as R, backend: out.backend };
  }

  /** Once its records are written, a job's result (image bytes) need not stay in Redis. */
  async done(jobId: string): Promise<void> {
    await (await this.queue.getJob(jobId))?.remove();
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.clients.forEach((c) => c.disconnect());
  }
}
