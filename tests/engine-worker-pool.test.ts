import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../pipeline/engine/worker-pool.ts';

const tasks = new URL('./helpers/pool-tasks.ts', import.meta.url);

describe('worker pool', () => {
  let pool: WorkerPool | undefined;
  afterAll(() => pool?.close());

  it('runs jobs on worker threads with per-worker state from setup, and reports task errors', async () => {
    pool = await WorkerPool.start({ tasks, init: { offset: 100 }, size: 2 });
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => pool!.run<{ value: number; thread: number }>('add', n)));
    expect(results.map((r) => r.value)).toEqual([101, 102, 103, 104, 105]);
    expect(new Set(results.map((r) => r.thread)).size).toBe(2);
    expect(results.every((r) => r.thread !== 0)).toBe(true);
    await expect(pool.run('fail', 'bad image')).rejects.toThrow('bad image');
    await expect(pool.run('nope', null)).rejects.toThrow('no task "nope"');
    expect((await pool.run<{ value: number }>('add', 7)).value).toBe(107);
  });

  it('size 0 runs the same tasks in this thread', async () => {
    const inline = await WorkerPool.start({ tasks, init: { offset: 1 }, size: 0 });
    expect(await inline.run('add', 2)).toEqual({ value: 3, thread: 0 });
    await inline.close();
  });
});
