import { describe, expect, it } from 'vitest';
import {
  builtMatchesCommitted,
  formatVersion,
  nextVersion,
  releaseChangelog,
  withToolVersion,
} from '../../scripts/release-rules.ts';

const CHANGELOG = `# Changelog

Intro.

## Unreleased

### Added
- A new mode.

## v1.0.0 - 2026-01-02

### Added
- Everything.
`;

describe('nextVersion', () => {
  it.each([
    ['major', '2.0.0'],
    ['minor', '1.5.0'],
    ['patch', '1.4.3'],
    ['1.4.10', '1.4.10'],
    ['v2.0.0', '2.0.0'],
  ])('from 1.4.2, %s is %s', (request, expected) => {
    expect(formatVersion(nextVersion('1.4.2', request))).toBe(expected);
  });

  it.each(['1.4.2', '1.4.1', '0.9.9', 'v1.4.2'])('refuses %s, not greater than 1.4.2', (request) => {
    expect(() => nextVersion('1.4.2', request)).toThrow('is not greater than the current 1.4.2');
  });

  it.each(['1.5', 'next', '01.2.3', '1.2.3-rc.1'])('refuses %s, not a version or a step', (request) => {
    expect(() => nextVersion('1.4.2', request)).toThrow('neither major, minor, patch nor a version');
  });
});

describe('releaseChangelog', () => {
  it('moves the Unreleased notes under the version and leaves an empty Unreleased section', () => {
    expect(releaseChangelog(CHANGELOG, { major: 1, minor: 1, patch: 0 }, '2026-11-26')).toBe(`# Changelog

Intro.

## Unreleased

## v1.1.0 - 2026-11-26

### Added
- A new mode.

## v1.0.0 - 2026-01-02

### Added
- Everything.
`);
  });

  it('works when Unreleased is the last section', () => {
    const first = '# Changelog\n\n## Unreleased\n- One.\n';
    expect(releaseChangelog(first, { major: 0, minor: 1, patch: 0 }, '2026-11-26')).toBe(
      '# Changelog\n\n## Unreleased\n\n## v0.1.0 - 2026-11-26\n\n- One.\n',
    );
  });

  it('refuses an Unreleased section holding only subsection headings', () => {
    const empty = CHANGELOG.replace('- A new mode.\n', '');
    expect(() => releaseChangelog(empty, { major: 1, minor: 1, patch: 0 }, '2026-11-26')).toThrow('section is empty');
  });

  it('refuses a changelog without an Unreleased section', () => {
    expect(() => releaseChangelog('# Changelog\n\n## v1.0.0\n- x\n', { major: 1, minor: 1, patch: 0 }, '2026-11-26')).toThrow(
      'no "## Unreleased" section',
    );
  });
});

describe('the stale-bundle check', () => {
  const committed = "line\nconst TOOL_VERSION = '1.0.0';\nmore\n";

  it('sets the version declaration of src/version.ts and of a bundle', () => {
    expect(withToolVersion("export const TOOL_VERSION = '1.0.0';\n", '1.0.0', '1.1.0')).toBe("export const TOOL_VERSION = '1.1.0';\n");
    expect(withToolVersion("const TOOL_VERSION = '0.9.0';\n", '1.0.0', '1.1.0')).toBeUndefined();
  });

  it('accepts a build that differs from the committed bundle only in the version', () => {
    expect(builtMatchesCommitted(committed, committed.replace('1.0.0', '1.1.0'), '1.0.0', '1.1.0')).toBe(true);
    expect(builtMatchesCommitted('{"schema": 1}', '{"schema": 1}', '1.0.0', '1.1.0')).toBe(true);
  });

  it('refuses a build with any other difference', () => {
    const built = committed.replace('1.0.0', '1.1.0').replace('more', 'changed');
    expect(builtMatchesCommitted(committed, built, '1.0.0', '1.1.0')).toBe(false);
    expect(builtMatchesCommitted('{"schema": 1}', '{"schema": 2}', '1.0.0', '1.1.0')).toBe(false);
  });

  it('refuses a committed bundle that carried another version than package.json', () => {
    const older = "line\nconst TOOL_VERSION = '0.9.0';\nmore\n";
    expect(builtMatchesCommitted(older, committed.replace('1.0.0', '1.1.0'), '1.0.0', '1.1.0')).toBe(false);
  });
});
