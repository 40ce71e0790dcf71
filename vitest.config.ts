import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/closing-line-reporter.ts'],
    // End-to-end tests start a process and an S3 server; give them room on a loaded machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
