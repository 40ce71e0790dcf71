import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/closing-line-reporter.ts'],
    projects: [
      {
        // Pure modules and the operations against the in-memory store: no bundle, no server.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/operations/**/*.test.ts'], globalSetup: ['./test/helpers/run-temporary-roots.ts'], setupFiles: ['./test/helpers/temporary-root.ts'] },
      },
      {
        // The built bundle against a real S3 server, as the runner and a terminal run it.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['./test/helpers/run-temporary-roots.ts', './test/build-bundle.ts'],
          setupFiles: ['./test/helpers/temporary-root.ts'],
          // End-to-end tests start a process and an S3 server; give them room on a loaded machine.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
