import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.ts';
import { atlasLayers } from '../atlas/select-units.ts';
import { defaultWorkerCount } from '../engine/worker-pool.ts';
import type { AtlasModel } from '../model/atlas-model.ts';
import { AtlasQueue } from '../queue/coordinator.ts';
import type { AtlasJob } from '../queue/jobs.ts';
import { redisServerPath, startLocalRedis } from '../queue/local-redis.ts';
import { ATLAS_CODE_VERSIONS } from '../steps/unit-atlas.ts';
import { formatDuration } from '../util/format.ts';
import { REPO_ROOT } from '../util/paths.ts';
import { round, type Figure } from './measure.ts';

type Log = (msg: string) => void;

/** Short optimizations: the figure is throughput, scaled to the configured steps for the projection. */
const BENCH_STEPS = 16;
const MACHINES = [1, 10, 50];

function startWorker(url: string, configPath: string | undefined): { child: ChildProcess; ready: Promise<void> } {
  const args = ['--import', 'tsx', 'pipeline/cli/worker.ts', '--queue', url, '--threads', '1', ...(configPath ? ['--config', configPath] : [])];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      out += d;
      if (out.includes('worker ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`bench worker exited (${code}):\n${out.slice(-2000)}`)));
  });
  return { child, ready };
}

/** Feature-visualization jobs of one mid-depth layer, a full batch each, under fresh ids. */
function jobs(model: AtlasModel, s: ResolvedConfig['atlas']['featureVis'], n: number, tag: string): { job: AtlasJob; id: string }[] {
  const layers = atlasLayers(model);
  const layer = layers[Math.floor(layers.length / 2)];
  const batch = Math.min(s.batch, layer.channels);
  return Array.from({ length: n }, (_, i) => ({
    id: `bench-${tag}-${i}-${Date.now()}`,
    job: { task: 'featureVis', model: model.id, modelHash: model.contentHash ?? model.id, codeVersion: ATLAS_CODE_VERSIONS.featureVis, layer: layer.id, units: Array.from({ length: batch }, (_, u) => (i * batch + u) % layer.channels), settings: { ...s, steps: BENCH_STEPS } },
  }));
}

async function timedRound(queue: AtlasQueue, list: { job: AtlasJob; id: string }[], publicDir: string): Promise<number> {
  const started = performance.now();
  await Promise.all(list.map(async ({ job, id }) => (await queue.run(job, id, publicDir), queue.done(id))));
  return (performance.now() - started) / 1000;
}

/**
 * Jobs per second through a local redis-server with 1 and then 2 worker processes (one thread
 * each; warm: each worker has run jobs before the timed round), and the projected wall time of
 * the full atlas (feature visualization of every unit of every configured model) on N machines
 * like this one, from the measured cost per unit.
 */
export async function benchQueue(config: ResolvedConfig, configPath: string | undefined, models: AtlasModel[], log: Log, jobsPerRound = 8): Promise<Figure[]> {
  const bin = redisServerPath();
  if (!bin) {
    log('queue: skipped (no redis-server on PATH; `npm run setup` installs it)');
    return [];
  }
  const redis = await startLocalRedis(bin);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'atlas-bench-queue-'));
  const workers: ChildProcess[] = [];
  const queue = await AtlasQueue.open(redis.url, { info: () => {}, warn: log });
  const figures: Figure[] = [];
  const s = config.atlas.featureVis;
  try {
    const rate: Record<number, number> = {};
    const perUnit = new Map<string, number>();
    for (const count of [1, 2]) {
      while (workers.length < count) {
        const w = startWorker(redis.url, configPath);
        workers.push(w.child);
        await w.ready;
      }
      for (const model of count === 1 ? models : models.slice(0, 1)) {
        await timedRound(queue, jobs(model, s, 2 * count, `warm${count}`), path.join(dir, 'generated'));
        const list = jobs(model, s, jobsPerRound, `run${count}`);
        const seconds = await timedRound(queue, list, path.join(dir, 'generated'));
        const jobsPerS = jobsPerRound / seconds;
        const units = list[0].job.task === 'featureVis' ? list[0].job.units.length : 1;
        if (count === 1) perUnit.set(model.id, (seconds / jobsPerRound / units) * (s.steps / BENCH_STEPS));
        if (model === models[0]) rate[count] = jobsPerS;
        log(`queue, ${model.id}, ${count} worker${count > 1 ? 's' : ''}: ${jobsPerRound} feature-vis jobs (${units} units × ${BENCH_STEPS} steps, ${s.size} px) in ${seconds.toFixed(1)} s = ${jobsPerS.toFixed(2)} jobs/s`);
        figures.push({ name: `queue/${model.id}/workers${count}/jobs_per_s`, value: round(jobsPerS, 3), unit: 'jobs/s' });
      }
    }
    const speedup = rate[2] / rate[1];
    log(`queue: 2 workers / 1 worker = ${speedup.toFixed(2)}x`);
    figures.push({ name: 'queue/speedup_2_workers', value: round(speedup), unit: 'x' });
    // The projection: every unit of every model once (feature vis at the configured steps), spread
    // over N machines of defaultWorkerCount() threads each at the measured 2-worker efficiency.
    let coreSeconds = 0;
    for (const model of models) {
      const units = atlasLayers(model).reduce((n, l) => n + l.channels, 0);
      const cost = perUnit.get(model.id)!;
      coreSeconds += units * cost;
      log(`queue: ${model.id}: ${units} units × ${cost.toFixed(1)} s/unit at ${s.steps} steps = ${(units * cost / 3600).toFixed(1)} core-hours`);
    }
    const threads = Math.max(1, defaultWorkerCount());
    const efficiency = Math.min(1, speedup / 2);
    for (const n of MACHINES) {
      const wall = coreSeconds / (n * threads * efficiency);
      log(`queue: full atlas of ${models.length} model(s) on ${n} machine${n > 1 ? 's' : ''} like this (${threads} workers each): ~${formatDuration(wall * 1000)}`);
      figures.push({ name: `queue/full_atlas_wall_s/machines${n}`, value: Math.round(wall), unit: 's' });
    }
  } finally {
    await queue.close();
    for (const w of workers) w.kill('SIGTERM');
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}
