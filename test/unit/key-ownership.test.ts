import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SOURCE = new URL('../../src/', import.meta.url).pathname;

/** Pieces of staging keys: folder and document names that only layout.ts may put into a key. */
const KEY_FRAGMENTS = [
  'models/',
  'source/',
  'deployment-metadata',
  'riva-models',
  'deployment.json',
  'artifact.json',
  'deployment_ready.txt',
  'staging_complete.txt',
  'checksums.sha256',
  'staging_in_progress.json',
];

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The code of a file without its comments, and without the schema's descriptions (documentation, not keys). */
function codeOf(text: string): string[] {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ''))
    .split('\n')
    .map((line) => line.replace(/(^|\s)\/\/.*$/, ''))
    .map((line) => (/\.describe\(|description:/.test(line) ? '' : line));
}

describe('key ownership', () => {
  it('builds every staging key in layout.ts: no other module of src/ spells a key fragment', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(SOURCE)) {
      const name = relative(SOURCE, file);
      if (name === 'layout.ts') continue;
      codeOf(readFileSync(file, 'utf8')).forEach((line, index) => {
        for (const fragment of KEY_FRAGMENTS) if (line.includes(fragment)) offenders.push(`src/${name}:${index + 1}: ${fragment}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('finds a fragment where one is spelled (the check itself works)', () => {
    expect(codeOf("const key = `${prefix}models/${path}`; // models/ here is a comment").join('')).toContain('models/');
    expect(codeOf('// models/ only in a comment').join('')).not.toContain('models/');
  });
});
