import os from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * A module of named tasks that a pool runs. `setup` runs once per worker (start the backend, load
 * the model) and returns the handlers; arguments and results must be structured-cloneable.
 */
export interface TaskModule {
  setup(init: unknown): Promise<Record<string, (args: any) => Promise<unknown>>>;
}

export interface PoolOptions {
  /** URL of the task module (import.meta.url-relative). */
  tasks: URL;
  init: unknown;
  /** Number of worker threads; 0 runs tasks in this thread (tests, debugging). */
  size: number;
}

/** One tfjs instance per core: wasm threads cannot start under Node, so parallelism comes from workers. */
export function defaultWorkerCount(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.ATLAS_WORKERS);
  if (env.ATLAS_WORKERS !== undefined && Number.isInteger(fromEnv) && fromEnv >= 0) return fromEnv;
  return Math.max(1, Math.min(os.availableParallelism(), 4));
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

interface Queued {
  task: string;
  args: unknown;
  pending: Pending;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private readonly pending = new Map<number, Pending>();
  private inline?: Record<string, (args: any) => Promise<unknown>>;
  private nextId = 0;
  private broken?: Error;
  private closing = false;

  private constructor(readonly size: number) {}

  static async start(options: PoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options.size);
    if (options.size === 0) {
      pool.inline = await ((await import(options.tasks.href)) as TaskModule).setup(options.init);
      return pool;
    }
    await Promise.all(Array.from({ length: options.size }, () => pool.spawn(options)));
    return pool;
  }

  private spawn(options: PoolOptions): Promise<void> {
    const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), {
      workerData: { tasks: options.tasks.href, init: options.init },
    });
    const slot: Slot = { worker, busy: true };
    this.slots.push(slot);
    return new Promise((resolve, reject) => {
      worker.on('message', (msg: { ready?: boolean; id?: number; result?: unknown; error?: { name: string; message: string; stack?: string } }) => {
        if (msg.ready) {
          resolve();
        } else {
          this.settle(msg.id!, msg.result, msg.error);
        }
        slot.busy = false;
        this.pump();
      });
      worker.on('error', (error) => {
        reject(error);
        this.fail(error);
      });
      worker.on('exit', (code) => {
        if (code !== 0 && !this.closing) this.fail(new Error(`a pipeline worker exited with code ${code}`));
      });
    });
  }

  private settle(id: number, result: unknown, error?: { name: string; message: string; stack?: string }): void {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    if (!pending) return;
    if (!error) return pending.resolve(result);
    const e = new Error(error.message);
    e.name = error.name;
    e.stack = error.stack;
    pending.reject(e);
  }

  /** A crashed worker loses its job's state: fail everything rather than hang. */
  private fail(error: Error): void {
    this.broken ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    for (const q of this.queue.splice(0)) q.pending.reject(error);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      const { task, args, pending } = this.queue.shift()!;
      const id = this.nextId++;
      this.pending.set(id, pending);
      slot.busy = true;
      slot.worker.postMessage({ id, task, args });
    }
  }

  run<R>(task: string, args: unknown): Promise<R> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.inline) {
      const handler = this.inline[task];
      return handler ? (handler(args) as Promise<R>) : Promise.reject(new Error(`no task "${task}"`));
    }
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ task, args, pending: { resolve: resolve as (v: unknown) => void, reject } });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
