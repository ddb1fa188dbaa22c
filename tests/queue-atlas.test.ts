/**
 * The unit atlas through BullMQ on a real redis-server: a coordinator and two worker processes
 * compute a layer of the tiny model; one worker is SIGKILLed in the middle of a job, which another
 * worker then finishes. Every record and image must exist once and equal what the single-machine
 * path computes, the queue must end empty, and a restarted coordinator must add no job.
 */
import { Queue } from 'bullmq';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchOptionsFor, loadConfig } from '../pipeline/config/index.ts';
import { initBackend } from '../pipeline/engine/backend.ts';
import { QUEUE_NAME, redactUrl, redisClient } from '../pipeline/queue/connection.ts';
import { AtlasQueue, JOB_ATTEMPTS } from '../pipeline/queue/coordinator.ts';
import { AtlasWorker } from '../pipeline/queue/worker.ts';
import { loadConfiguredModel } from '../pipeline/model/load-configured-model.ts';
import { ATLAS_CODE_VERSIONS } from '../pipeline/steps/unit-atlas.ts';
import { runPipeline } from '../pipeline/steps/run-pipeline.ts';
import { buildDirs } from '../pipeline/steps/site.ts';
import { silentLog } from '../pipeline/util/log.ts';
import { REPO_ROOT } from '../pipeline/util/paths.ts';
import { redisServerPath, startLocalRedis, type LocalRedis } from '../pipeline/queue/local-redis.ts';
import { writeTinyGallery } from './site/tiny-gallery.ts';

// Not tsx's CLI: it runs the script in a child process, which a SIGKILL of the CLI would miss.
const TSX_LOADER = ['--import', 'tsx'];
const LAYER = 'pw2';
const bin = redisServerPath();
if (!bin) console.warn('queue tests skipped: no redis-server on PATH (`npm run setup` installs Debian’s redis-server)');

interface Proc {
  child: ChildProcess;
  out: () => string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

function start(args: string[]): Proc {
  const child = spawn(process.execPath, [...TSX_LOADER, ...args], { cwd: REPO_ROOT, env: { ...process.env, ATLAS_WORKERS: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: (() => void)[] = [];
  const onData = (d: Buffer) => {
    out += d;
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      resolve(code);
      for (const w of waiters.splice(0)) w();
    }),
  );
  const waitFor = (re: RegExp, timeoutMs = 90_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} from ${args[0]} within ${timeoutMs} ms:\n${out.slice(-3000)}`)), timeoutMs);
      const check = () => {
        const m = out.match(re);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        } else if (child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`${args[0]} exited (${child.exitCode}) before ${re}:\n${out.slice(-3000)}`));
        } else waiters.push(check);
      };
      check();
    });
  return { child, out: () => out, waitFor, exited };
}

/** Every file under dir (relative paths), optionally only those under a sub-folder. */
async function files(dir: string): Promise<string[]> {
  return ((await readdir(dir, { recursive: true, withFileTypes: true })) as { name: string; parentPath: string; isFile(): boolean }[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** A record without what differs between any two runs: when and how long. */
async function comparable(file: string): Promise<unknown> {
  const r = JSON.parse(await readFile(file, 'utf8'));
  delete r.provenance.createdAt;
  delete r.provenance.durationMs;
  return r;
}

describe.skipIf(!bin)('unit atlas through a BullMQ queue (real redis-server)', () => {
  let redis: LocalRedis;
  let root = '';
  let config = '';
  const procs: Proc[] = [];
  const coordinatorArgs = (out: string) => ['pipeline/cli/atlas.ts', '--config', config, '--out', out, '--layers', LAYER, '--units', 'all', '--queue', redis.url, '--backend', 'wasm'];

  beforeAll(async () => {
    redis = await startLocalRedis(bin!);
    root = await mkdtemp(path.join(os.tmpdir(), 'atlas-queue-'));
    config = await writeTinyGallery(root);
    // One layer's atlas: every unit of pw2 in batches of 2, and one featured unit (negative +
    // diversity), so every kind of job goes through the queue; enough steps that a job is killable.
    const c = JSON.parse(await readFile(config, 'utf8'));
    c.atlas = { unitsPerLayer: 0, strikingUnits: 0, featured: [`${LAYER}:1`], featureVis: { size: 32, steps: 48, batch: 2, diversity: 2 }, classModels: { size: 32, steps: 8 } };
    await writeFile(config, JSON.stringify(c));
  }, 60_000);

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await redis?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('two workers, one killed mid-job: every record once, equal to the single-machine result; a restart adds nothing', async () => {
    const workerArgs = ['pipeline/cli/worker.ts', '--queue', redis.url, '--config', config, '--threads', '1', '--lock-ms', '2000', '--backend', 'wasm'];
    const [a, b] = [start(workerArgs), start(workerArgs)];
    procs.push(a, b);
    // The single-machine result, in this process, while the workers start.
    process.env.ATLAS_WORKERS = '0';
    const local = buildDirs({ out: path.join(root, 'local') });
    const cfg = await loadConfig({ path: config });
    await runPipeline({ config: cfg, fetchOpts: fetchOptionsFor(cfg), backend: await initBackend('wasm'), recordsDir: local.recordsDir, publicDir: local.publicDir, log: silentLog }, { atlasOnly: true, atlas: { layers: [LAYER], units: 'all' } });
    delete process.env.ATLAS_WORKERS;
    await Promise.all([a.waitFor(/worker ready/), b.waitFor(/worker ready/)]);
    const coordinator = start(coordinatorArgs(path.join(root, 'queued')));
    procs.push(coordinator);
    const [, killedJob] = await a.waitFor(/job (\S+) start/);
    a.child.kill('SIGKILL');
    expect(await coordinator.exited, coordinator.out().slice(-3000)).toBe(0);
    // The killed worker's job was given back (stalled) and finished by the other one.
    expect(b.out()).toContain(`job ${killedJob} done`);

    const queued = buildDirs({ out: path.join(root, 'queued') });
    for (const kind of ['feature-vis', 'patches', 'feature-vis-extras']) {
      const dir = (d: string) => path.join(d, 'atlas', kind, 'tiny', LAYER);
      const names = await files(dir(local.recordsDir));
      expect(names.length, kind).toBe(kind === 'feature-vis-extras' ? 1 : 6);
      expect(await files(dir(queued.recordsDir)), kind).toEqual(names);
      for (const n of names) expect(await comparable(path.join(dir(queued.recordsDir), n)), `${kind}/${n}`).toEqual(await comparable(path.join(dir(local.recordsDir), n)));
    }
    const images = await files(path.join(local.publicDir, 'atlas'));
    expect(images.length).toBe(6 + 6 + 1 + 2);
    expect(await files(path.join(queued.publicDir, 'atlas'))).toEqual(images);
    for (const f of images) expect(Buffer.compare(await readFile(path.join(queued.publicDir, 'atlas', f)), await readFile(path.join(local.publicDir, 'atlas', f))), f).toBe(0);

    // Results leave Redis once written; a restarted coordinator finds every record fresh and adds no job.
    const client = redisClient(redis.url);
    const queue = new Queue(QUEUE_NAME, { connection: client });
    try {
      const counts = await queue.getJobCounts('wait', 'active', 'completed', 'failed', 'delayed');
      expect(Object.values(counts).reduce((s, n) => s + n, 0)).toBe(0);
      const eventsBefore = await client.xlen(`bull:${QUEUE_NAME}:events`);
      const again = start(coordinatorArgs(path.join(root, 'queued')));
      procs.push(again);
      expect(await again.exited, again.out().slice(-3000)).toBe(0);
      expect(again.out()).toMatch(/unit atlas cached/);
      expect(await client.xlen(`bull:${QUEUE_NAME}:events`)).toBe(eventsBefore);
    } finally {
      await queue.close();
      client.disconnect();
    }
    // The queue URL is printed only redacted.
    expect(coordinator.out()).toContain(redactUrl(redis.url));
  }, 180_000);

  it('a job that throws is tried 3 times, then fails with its error; a job for other model files is refused', async () => {
    const cfg = await loadConfig({ path: config });
    const ctx = { config: cfg, fetchOpts: fetchOptionsFor(cfg), backend: await initBackend('wasm'), recordsDir: path.join(root, 'unused'), publicDir: path.join(root, 'unused', 'generated'), log: silentLog };
    const worker = new AtlasWorker({ url: redis.url, ctx, threads: 1, lockMs: 2000 });
    await worker.start();
    const queue = await AtlasQueue.open(redis.url, silentLog);
    try {
      const settings = { ...cfg.atlas.featureVis, steps: 2 };
      const base = { task: 'featureVis' as const, model: 'tiny', modelHash: 'x', codeVersion: ATLAS_CODE_VERSIONS.featureVis, layer: LAYER, units: [0], settings };
      await expect(queue.run({ ...base, model: 'nope' }, 'fail-model', ctx.publicDir)).rejects.toThrow(/model "nope" is not in this worker's config/);
      await expect(queue.run(base, 'fail-hash', ctx.publicDir)).rejects.toThrow(/is for model files x…; this worker has/);
      // A unit the layer does not have passes the schema and throws in the task itself, each attempt.
      const model = await loadConfiguredModel(cfg.models[0], ctx.fetchOpts);
      const bad = { ...base, modelHash: model.contentHash ?? model.id, layer: 'no_such_layer' };
      await expect(queue.run(bad, 'fail-task', ctx.publicDir)).rejects.toThrow(/no_such_layer/);
      const client = redisClient(redis.url);
      const inspect = new Queue(QUEUE_NAME, { connection: client });
      expect((await inspect.getJob('fail-task'))?.attemptsMade).toBe(JOB_ATTEMPTS);
      await inspect.close();
      client.disconnect();
    } finally {
      await queue.close();
      await worker.close();
    }
  }, 120_000);
});

describe('queue URL', () => {
  it('never prints a queue password; an unreachable queue is one clear line', async () => {
    const err = await AtlasQueue.open('redis://user:s3cret@127.0.0.1:1', silentLog).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^cannot reach the queue at redis:\/\/\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect((err as Error).message).not.toContain('s3cret');
    expect(redactUrl('redis://user:s3cret@example.org:6380/2')).toBe('redis://***@example.org:6380/2');
    expect(redactUrl('rediss://:s3cret@example.org')).toBe('rediss://***@example.org');
    expect(redactUrl('not a url :s3cret@')).not.toContain('s3cret');
  });
});
