import { threadId } from 'node:worker_threads';

/** Task module for the worker-pool test: state from setup, a slow-ish job, a failing job. */
export async function setup(init: { offset: number }) {
  return {
    add: async (n: number) => {
      await new Promise((r) => setTimeout(r, 30));
      return { value: n + init.offset, thread: threadId };
    },
    fail: async (message: string) => {
      throw new Error(message);
    },
  };
}
