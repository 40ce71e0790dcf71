import { execFileSync } from 'node:child_process';

/**
 * The end-to-end suite runs `dist/` as the runner does: build it once, before any of its files,
 * from the sources being tested (the unit suite needs no bundle and does not wait for this).
 */
export default function buildBundle(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
}
