// `npm run build`: dist/ from the sources. Two ncc bundles, the action's (dist/index.js) and the
// command line's (dist/cli/index.js), each an entry file plus a chunk for every dynamic import, so
// that a run compiles only the code it loads. Then one licenses.txt for every package in every
// file of both, and the metadata document's JSON schema.
//
// The licence list is written here, not by ncc's `--license`: ncc lists the packages of the entry
// chunk alone, and would drop those that only a chunk holds (the Actions cache, lib-storage, tar).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledPackages, type BundleStats } from './build/bundled-packages.ts';
import { licenceEntry } from './build/licence-entry.ts';

const ROOT = join(import.meta.dirname, '..');
const NCC = join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
const BUNDLES = [
  { entry: 'src/index.ts', output: 'dist' },
  { entry: 'src/cli.ts', output: 'dist/cli' },
] as const;

rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
const statsDir = mkdtempSync(join(tmpdir(), 'riva-build-'));
try {
  const stats = BUNDLES.map(({ entry, output }, index) => {
    const statsFile = join(statsDir, `${index}.json`);
    const build = spawnSync(process.execPath, [NCC, 'build', entry, '-o', output, '--stats-out', statsFile, '--quiet'], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (build.status !== 0) throw new Error(`ncc could not bundle ${entry} (exit ${build.status ?? build.signal})`);
    return JSON.parse(readFileSync(statsFile, 'utf8')) as BundleStats;
  });
  const packages = bundledPackages(stats, ROOT);
  writeFileSync(join(ROOT, 'dist', 'licenses.txt'), packages.map(licenceEntry).join('\n'));
} finally {
  rmSync(statsDir, { recursive: true, force: true });
}
await import('./generate-schema.ts');
