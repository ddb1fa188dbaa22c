import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // tfjs keeps one global engine per process: files run in separate forks, tests inside a file in order.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
