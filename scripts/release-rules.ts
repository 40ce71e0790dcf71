// The decisions of a release, apart from git and the file system (scripts/release.ts does those):
// which version comes next, what CHANGELOG.md becomes, and whether a fresh build of the bumped
// sources is the committed bundle with nothing but its version changed.

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

const VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function parseVersion(text: string): Version | undefined {
  const match = VERSION.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

export function formatVersion(version: Version): string {
  return `${version.major}.${version.minor}.${version.patch}`;
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * The version to release: `major`, `minor` or `patch` steps from the current one; an explicit
 * X.Y.Z must be greater than it (a tag that moves backwards would confuse every consumer).
 */
export function nextVersion(current: string, request: string): Version {
  const from = parseVersion(current);
  if (!from) throw new Error(`package.json's version "${current}" is not X.Y.Z`);
  if (request === 'major') return { major: from.major + 1, minor: 0, patch: 0 };
  if (request === 'minor') return { major: from.major, minor: from.minor + 1, patch: 0 };
  if (request === 'patch') return { major: from.major, minor: from.minor, patch: from.patch + 1 };
  const to = parseVersion(request);
  if (!to) throw new Error(`"${request}" is neither major, minor, patch nor a version X.Y.Z`);
  if (compareVersions(to, from) <= 0) {
    throw new Error(`version ${formatVersion(to)} is not greater than the current ${current}`);
  }
  return to;
}

const UNRELEASED = /^## Unreleased[ \t]*$/m;
const NEXT_SECTION = /^## /m;

/** The text under `## Unreleased`, up to the next `## ` heading, trimmed. */
export function unreleasedNotes(changelog: string): string {
  const heading = UNRELEASED.exec(changelog);
  if (!heading) throw new Error('CHANGELOG.md has no "## Unreleased" section');
  const rest = changelog.slice(heading.index + heading[0].length);
  const end = NEXT_SECTION.exec(rest);
  return (end ? rest.slice(0, end.index) : rest).trim();
}

/**
 * CHANGELOG.md with its Unreleased notes moved under `## vX.Y.Z - DATE` and an empty
 * Unreleased section above them. Refuses when there is nothing to release: subsection headings
 * (`### Added`) alone do not count.
 */
export function releaseChangelog(changelog: string, version: Version, date: string): string {
  const notes = unreleasedNotes(changelog);
  const entries = notes.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  if (entries.length === 0) {
    throw new Error('CHANGELOG.md\'s "## Unreleased" section is empty: describe the changes before releasing');
  }
  const heading = UNRELEASED.exec(changelog);
  if (!heading) throw new Error('CHANGELOG.md has no "## Unreleased" section');
  const before = changelog.slice(0, heading.index);
  const rest = changelog.slice(heading.index + heading[0].length);
  const end = NEXT_SECTION.exec(rest);
  const after = end ? `\n\n${rest.slice(end.index)}` : '\n';
  return `${before}## Unreleased\n\n## v${formatVersion(version)} - ${date}\n\n${notes}${after}`;
}

const VERSION_DECLARATION = /(const TOOL_VERSION\S* = )(['"])([^'"]*)\2;/g;

/** src/version.ts (or a bundle) with the TOOL_VERSION literal set to `to`; undefined when absent. */
export function withToolVersion(source: string, from: string, to: string): string | undefined {
  let found = false;
  const result = source.replace(VERSION_DECLARATION, (whole, prefix: string, quote: string, value: string) => {
    if (value !== from) return whole;
    found = true;
    return `${prefix}${quote}${to}${quote};`;
  });
  return found ? result : undefined;
}

/**
 * Whether a bundle built from the bumped sources is the committed one with only the version
 * changed: then the committed dist/ was built from the released sources (it was not stale).
 * Files without a version (the schema, licences) must be identical.
 */
export function builtMatchesCommitted(committed: string, built: string, from: string, to: string): boolean {
  if (committed === built) return true;
  return withToolVersion(committed, from, to) === built;
}
