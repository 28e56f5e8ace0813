import { defineConfig } from 'vitest/config';

// Tests run one file at a time: many of them drive a real Docker engine or a real
// Chromium, and this project is meant to pass on a 2-core machine.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'server/**/*.test.ts', 'test/**/*.test.ts'],
    fileParallelism: false,
    // Only the course CI runs tests concurrently (three labs, three clusters at a time).
    maxConcurrency: 3,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: ['default'],
  },
});
