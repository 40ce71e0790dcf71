import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SANDBOX = fileURLToPath(new URL('../../scripts/sandbox.ts', import.meta.url));

it('npm run sandbox -- --check: every command the sandbox prints exits 0 with the variables it prints, and Ctrl-C removes its folder', async () => {
  // dist/ is built by the suite's global setup.
  const check = spawn(process.execPath, [SANDBOX, '--check', '--no-build'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  check.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  check.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve) => check.on('close', resolve));

  expect(exitCode, output).toBe(0);
  expect(output).toMatch(/│ export AWS_ENDPOINT_URL_S3=http:\/\/127\.0\.0\.1:\d+\n/);
  expect(output.match(/^\$ npx node dist\/cli\/index\.js /gm)).toHaveLength(3);
  expect(output.match(/^\(exit 0\)$/gm)).toHaveLength(3);
  expect(output).toContain('Riva model staged');
  expect(output).toContain('Riva deployment verified (deep: 1 object re-hashed)');
  expect(output).toContain('Riva stagings: 1 staging');
  expect(output).toContain('sandbox check: 3 commands exited 0; the sandbox stopped on SIGINT and removed its folder.');
});
