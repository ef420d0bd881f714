import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Objects of several GiB: `npm run test:large` (vitest.large.config.ts), not every run.
    exclude: ['test/large/**', '**/node_modules/**'],
    // Azurite and s3rver start once, in-process, for the whole run (test/support/global-setup.ts).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // 2-core CI machines: a few files at a time keeps the emulators responsive.
    maxWorkers: 2,
    // The default report, then one plain closing line for CI logs.
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
