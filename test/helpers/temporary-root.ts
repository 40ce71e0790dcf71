import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

// Every test file gets a temporary root of its own: `os.tmpdir()` (which reads TMPDIR at each
// call) names it for the file's tests, helpers and the processes they start, and it is removed
// once the file is done. Folders a test keeps until its last assertion (an action run's state
// file, a server's objects) go with it, and a test that forgets to clean up leaves nothing behind.
const previous = process.env.TMPDIR;
// Named after the run (run-temporary-roots.ts), which removes any root a file could not.
const root = mkdtempSync(join(tmpdir(), `riva-test-${process.env.RIVA_TEST_RUN ?? 'run'}-`));
process.env.TMPDIR = root;

afterAll(() => {
  // The worker runs other files next: they start from the temporary directory this one found.
  if (previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previous;
  rmSync(root, { recursive: true, force: true });
});
