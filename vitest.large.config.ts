import { defineConfig } from 'vitest/config';

/**
 * `npm run test:large`: tests of objects of several GiB, outside the default suite (minutes
 * and GiB of disk each). Each starts its own servers; no global setup.
 */
export default defineConfig({
  test: {
    include: ['test/large/**/*.test.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 600_000,
    maxWorkers: 1,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
