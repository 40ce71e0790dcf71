// `npm run release -- <major|minor|patch|X.Y.Z>`: one release, in one step, on a clean checkout.
// Bumps package.json, package-lock.json and src/version.ts, turns CHANGELOG.md's Unreleased
// section into a `vX.Y.Z` section, rebuilds dist/, commits, tags `vX.Y.Z` (annotated, with the
// changelog section as its message) and moves the major tag `vX` to the same commit. Pushing is
// left to the caller (the release workflow), so a refused or botched run changes nothing remote.
//
// Refuses, changing nothing: a dirty working tree, a version not greater than the current one,
// an empty Unreleased section, an existing tag, and a stale dist/ (a fresh build of the bumped
// sources must equal the committed bundle apart from the version string).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  builtMatchesCommitted,
  formatVersion,
  nextVersion,
  releaseChangelog,
  unreleasedNotes,
  withToolVersion,
} from './release-rules.ts';

const ROOT = join(import.meta.dirname, '..');
const GENERATED = ['dist', 'schema'];
const VERSION_SOURCE = 'src/version.ts';

function git(...args: string[]): string {
  // The bundles are megabytes: room for `git show` of one.
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 }).trim();
}

function read(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

function write(path: string, text: string): void {
  writeFileSync(join(ROOT, path), text);
}

function setJsonVersion(path: string, version: string, alsoRootPackage: boolean): void {
  const json = JSON.parse(read(path)) as { version: string; packages?: Record<string, { version?: string }> };
  json.version = version;
  const rootPackage = json.packages?.[''];
  if (alsoRootPackage && rootPackage) rootPackage.version = version;
  // npm's own layout: two spaces, a final newline.
  write(path, `${JSON.stringify(json, null, 2)}\n`);
}

/** Generated files that differ from HEAD in more than the version string (or were added or deleted). */
function staleGeneratedFiles(from: string, to: string): string[] {
  const stale = git('ls-files', '--others', '--exclude-standard', '--', ...GENERATED)
    .split('\n')
    .filter(Boolean)
    .map((path) => `${path} (added)`);
  for (const line of git('diff', '--name-status', '--no-renames', 'HEAD', '--', ...GENERATED).split('\n').filter(Boolean)) {
    const [status = '', path = ''] = line.split('\t');
    if (status !== 'M') {
      stale.push(`${path} (${status === 'D' ? 'deleted' : status})`);
      continue;
    }
    const committed = git('show', `HEAD:${path}`);
    const built = read(path).trim();
    if (!builtMatchesCommitted(committed, built, from, to)) stale.push(path);
  }
  return stale;
}

function release(request: string): void {
  if (git('status', '--porcelain', '--untracked-files=all')) {
    throw new Error('the working tree has uncommitted or untracked changes: commit or remove them first');
  }
  const packageJson = JSON.parse(read('package.json')) as { version: string };
  const current = packageJson.version;
  const next = nextVersion(current, request);
  const version = formatVersion(next);
  const tag = `v${version}`;
  const majorTag = `v${version.split('.')[0]}`;
  if (git('tag', '--list', tag)) throw new Error(`tag ${tag} already exists`);
  const date = new Date().toISOString().slice(0, 10);
  const changelog = releaseChangelog(read('CHANGELOG.md'), next, date);
  const notes = unreleasedNotes(read('CHANGELOG.md'));
  const versionSource = withToolVersion(read(VERSION_SOURCE), current, version);
  if (!versionSource) throw new Error(`${VERSION_SOURCE} does not declare TOOL_VERSION = '${current}' (package.json's version)`);

  const head = git('rev-parse', 'HEAD');
  try {
    setJsonVersion('package.json', version, false);
    setJsonVersion('package-lock.json', version, true);
    write(VERSION_SOURCE, versionSource);
    write('CHANGELOG.md', changelog);
    console.log(`Building ${tag}…`);
    // From nothing, as check-dist builds: a committed file no build makes any more shows as
    // deleted. schema/ itself stays, its generator writes into it.
    for (const directory of GENERATED) rmSync(join(ROOT, directory), { recursive: true, force: true });
    mkdirSync(join(ROOT, 'schema'));
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    const stale = staleGeneratedFiles(current, version);
    if (stale.length > 0) {
      throw new Error(
        `dist/ or schema/ at HEAD is stale (a build differs in more than the version): ${stale.join(', ')}. ` +
          "Run 'npm run build', commit the result, then release.",
      );
    }
    git('add', '--', 'package.json', 'package-lock.json', VERSION_SOURCE, 'CHANGELOG.md', ...GENERATED);
    git('commit', '--quiet', '-m', `Release ${tag}`);
  } catch (error) {
    // The tree was clean: put it back as it was, so a refused release leaves nothing behind.
    git('reset', '--quiet', '--hard', head);
    git('clean', '--quiet', '-fd', '--', ...GENERATED);
    throw error;
  }
  // Verbatim: the notes' `### Added` headings would otherwise be stripped as comments.
  git('tag', '--annotate', '--cleanup=verbatim', tag, '-m', `${tag}\n\n${notes}\n`);
  // The major tag moves with every release of that major: consumers of @vX get it.
  git('tag', '--annotate', '--force', majorTag, '-m', `${majorTag}: latest ${majorTag}.x release, now ${tag}`);
  const commit = git('rev-parse', 'HEAD');
  console.log(`Released ${tag} at ${commit}; ${majorTag} moved there.`);
  console.log(`Push with: git push --atomic origin HEAD ${tag} +refs/tags/${majorTag}:refs/tags/${majorTag}`);
  if (process.env.GITHUB_OUTPUT) {
    writeFileSync(process.env.GITHUB_OUTPUT, `version=${version}\ntag=${tag}\nmajor-tag=${majorTag}\ncommit=${commit}\n`, { flag: 'a' });
  }
}

const [request, ...extra] = process.argv.slice(2);
if (!request || extra.length > 0) {
  console.error('Usage: npm run release -- <major|minor|patch|X.Y.Z>');
  process.exitCode = 2;
} else {
  try {
    release(request);
  } catch (error) {
    console.error(`release refused: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
