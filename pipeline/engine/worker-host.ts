import { parentPort, workerData } from 'node:worker_threads';
import type { TaskModule } from './worker-pool.ts';

/**
 * Inside a worker: loads the task module once (its setup loads the backend and the model, which
 * then stay warm across jobs) and answers jobs one at a time.
 */
interface Job {
  id: number;
  task: string;
  args: unknown;
}

const { tasks, init } = workerData as { tasks: string; init: unknown };
const module = (await import(tasks)) as TaskModule;
const handlers = await module.setup(init);
parentPort!.postMessage({ ready: true });

parentPort!.on('message', async ({ id, task, args }: Job) => {
  try {
    const handler = handlers[task];
    if (!handler) throw new Error(`worker has no task "${task}" (has: ${Object.keys(handlers).join(', ')})`);
    parentPort!.postMessage({ id, result: await handler(args) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort!.postMessage({ id, error: { name: e.name, message: e.message, stack: e.stack } });
  }
});
