import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.ts';
import type { TopPatch } from '../atlas/unit-patches.ts';
import { sha256File } from '../util/hash.ts';
import { loadConfiguredModel } from '../model/load-configured-model.ts';
import { checkImages, type CheckedImage } from '../steps/check-images.ts';
import type { BuildContext } from '../steps/context.ts';
import { ModelPool } from '../steps/model-pool.ts';
import { ATLAS_CODE_VERSIONS } from '../steps/unit-atlas.ts';
import type { Redis } from 'ioredis';
import { checkReachable, QUEUE_NAME, redisClient, warnOnce } from './connection.ts';
import { atlasJobSchema, type AtlasJob, type AtlasJobResult } from './jobs.ts';

export interface WorkerOptions {
  url: string;
  ctx: BuildContext;
  /** Worker threads (each its own tfjs and model copy) = jobs run at once. */
  threads: number;
  /**
   * How long a job's lock lives without renewal: a worker that dies mid-job gives its job back
   * this long after (BullMQ's stalled-job check); live workers renew it every half.
   */
  lockMs: number;
}

interface LoadedModel {
  hash: string;
  pool: ModelPool;
}

/**
 * A queue worker: takes unit-atlas jobs, checks each against the job schema, its own model files
 * and its own code version, runs it on its worker threads with the very task code the local build
 * uses (pipeline/workers/model-tasks.ts), and returns the result with the images it wrote.
 */
export class AtlasWorker {
  private readonly models = new Map<string, Promise<LoadedModel>>();
  private dataset?: Promise<Map<string, CheckedImage>>;
  private worker?: Worker;
  private client?: Redis;
  private readonly name = `${os.hostname()}:${process.pid}`;

  constructor(private readonly opts: WorkerOptions) {}

  async start(): Promise<void> {
    await checkReachable(this.opts.url);
    const warn = warnOnce(this.opts.ctx.log.warn);
    this.client = redisClient(this.opts.url);
    this.client.on('error', warn);
    this.worker = new Worker(QUEUE_NAME, (job) => this.process(job), {
      connection: this.client,
      concurrency: this.opts.threads,
      lockDuration: this.opts.lockMs,
      stalledInterval: Math.max(500, Math.floor(this.opts.lockMs / 2)),
      // A job whose worker died is given back twice before it counts as failed.
      maxStalledCount: 2,
      autorun: false,
    });
    this.worker.on('failed', (job, error) => this.opts.ctx.log.warn(`job ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`));
    this.worker.on('error', warn);
    await this.worker.waitUntilReady();
    void this.worker.run();
  }

  /** Finishes the jobs in hand, then stops (SIGINT/SIGTERM). */
  async close(): Promise<void> {
    await this.worker?.close();
    this.client?.disconnect();
    for (const m of this.models.values()) await (await m).pool.close();
  }

  private model(id: string): Promise<LoadedModel> {
    let m = this.models.get(id);
    if (!m) {
      const spec = this.opts.ctx.config.models.find((s) => s.id === id);
      if (!spec) throw new UnrecoverableError(`model "${id}" is not in this worker's config (has: ${this.opts.ctx.config.models.map((s) => s.id).join(', ')}); start the worker with the coordinator's --config`);
      m = loadConfiguredModel(spec, this.opts.ctx.fetchOpts).then((model) => ({ hash: model.contentHash ?? model.id, pool: new ModelPool(spec, this.opts.ctx, this.opts.threads) }));
      this.models.set(id, m);
    }
    return m;
  }

  private datasetFiles(): Promise<Map<string, CheckedImage>> {
    this.dataset ??= checkImages(this.opts.ctx).then((c) => new Map(c.dataset.map((d) => [d.id, d])));
    return this.dataset;
  }

  private async topPatches(job: Extract<AtlasJob, { task: 'unitPatches' }>): Promise<TopPatch[]> {
    const files = await this.datasetFiles();
    return Promise.all(
      job.top.map(async (t) => {
        const d = files.get(t.image);
        if (!d) throw new UnrecoverableError(`dataset image ${t.image} is not in this worker's dataset; start the worker with the coordinator's --config`);
        const sha256 = d.sha256 || (await sha256File(d.file));
        if (sha256 !== t.sha256) throw new UnrecoverableError(`dataset image ${t.image} differs here (sha256 ${sha256.slice(0, 12)}…, the coordinator's ${t.sha256.slice(0, 12)}…)`);
        return { ...t, file: d.file };
      }),
    );
  }

  private async process(job: Job): Promise<AtlasJobResult> {
    const parsed = atlasJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`job ${job.id} does not match the job schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const data = parsed.data;
    const what = `${data.model} ${data.layer} ${data.task === 'featureVis' ? data.units.join(',') : data.unit}`;
    const codeVersion = ATLAS_CODE_VERSIONS[data.task];
    if (data.codeVersion !== codeVersion) throw new UnrecoverableError(`job ${job.id} (${what}) was made by ${data.task} code version ${data.codeVersion}; this worker has ${codeVersion}: run the same checkout on coordinator and workers`);
    const model = await this.model(data.model);
    if (model.hash !== data.modelHash) throw new UnrecoverableError(`job ${job.id} (${what}) is for model files ${data.modelHash.slice(0, 12)}…; this worker has ${model.hash.slice(0, 12)}…`);
    this.opts.ctx.log.info(`job ${job.id} start: ${data.task} ${what}`);
    // Each job writes into its own folder; what it wrote goes back as bytes and the folder goes.
    const root = await mkdtemp(path.join(os.tmpdir(), 'atlas-job-'));
    try {
      const publicDir = path.join(root, 'generated');
      const pool = await model.pool.get();
      const { task, model: _m, modelHash: _h, codeVersion: _v, ...rest } = data;
      const args = task === 'unitPatches' ? { ...rest, top: await this.topPatches(data as Extract<AtlasJob, { task: 'unitPatches' }>), publicDir } : { ...rest, publicDir };
      const result = (await pool.run(task, args)) as Record<string, unknown>;
      const files = [];
      for (const rel of (await readdir(publicDir, { recursive: true })).filter((f) => f.endsWith('.webp'))) {
        const full = path.join(publicDir, rel);
        files.push({ path: path.relative(root, full).split(path.sep).join('/'), data: (await readFile(full)).toString('base64') });
      }
      this.opts.ctx.log.info(`job ${job.id} done: ${data.task} ${what} (${files.length} files)`);
      return { result, files, backend: this.opts.ctx.backend, worker: this.name };
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
}
