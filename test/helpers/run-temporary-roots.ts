import { randomUUID } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Global setup of each test project: names this run, so that the per-file temporary roots
 * (temporary-root.ts) carry the name, and removes what is left of them when the run ends. A file
 * whose tests are all skipped runs no afterAll, so its root is only removed here.
 */
export default function nameTheRun(): () => void {
  const parent = tmpdir();
  const run = randomUUID().slice(0, 8);
  process.env.RIVA_TEST_RUN = run;
  return () => {
    for (const name of readdirSync(parent)) {
      if (name.startsWith(`riva-test-${run}-`)) rmSync(join(parent, name), { recursive: true, force: true });
    }
  };
}
