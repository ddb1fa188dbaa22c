import type { ModelSpec } from '../assets/model-files.ts';
import { defaultWorkerCount, WorkerPool } from '../engine/worker-pool.ts';
import type { ModelTaskInit } from '../workers/model-tasks.ts';
import type { BuildContext } from './context.ts';

/**
 * Worker threads for one model, started on first use (a warm build with nothing stale starts none)
 * and shared by every step that has heavy per-item work.
 */
export class ModelPool {
  private pool?: Promise<WorkerPool>;

  constructor(
    private readonly spec: ModelSpec,
    private readonly ctx: BuildContext,
    private readonly size = defaultWorkerCount(),
  ) {}

  get(): Promise<WorkerPool> {
    const { cacheDir, mirrorDir, baseDir } = this.ctx.fetchOpts;
    const init: ModelTaskInit = { model: this.spec, fetchOpts: { cacheDir, mirrorDir, baseDir }, backend: this.ctx.backend.name };
    this.pool ??= WorkerPool.start({ tasks: new URL('../workers/model-tasks.ts', import.meta.url), init, size: this.size }).then((p) => {
      this.ctx.log.info(`${this.spec.id}: ${p.size || 'no'} worker thread${p.size === 1 ? '' : 's'} (${this.ctx.backend.detail} each)`);
      return p;
    });
    return this.pool;
  }

  async close(): Promise<void> {
    if (this.pool) await (await this.pool).close();
  }
}
