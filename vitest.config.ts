import { defineConfig } from 'vitest/config';

// One test run for the whole repository. Integration suites that need a real server
// (radosgw S3, workerd) start it themselves through globalSetup files listed here.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/services/summary-reporter.ts'],
    globalSetup: ['test/services/radosgw.global-setup.ts'],
  },
});
