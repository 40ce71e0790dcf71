import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The end-to-end suite runs `dist/` as the runner does: build it once, before any of its files,
 * from the sources being tested (the unit suite needs no bundle and does not wait for this).
 */
export default function buildBundle(): void {
  execFileSync('npm', ['run', 'build', '--silent'], {
    stdio: 'inherit',
    // TypeScript keeps Node's compile cache, by default in the system's temporary directory: kept
    // with the project's other caches instead, so a build leaves nothing there.
    env: { ...process.env, NODE_COMPILE_CACHE: fileURLToPath(new URL('../node_modules/.cache/node-compile-cache', import.meta.url)) },
  });
}
