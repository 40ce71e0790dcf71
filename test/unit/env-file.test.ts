import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENV_FILE, malformedLines, readEnvFile } from '../../src/config/env-file.ts';

const folder = mkdtempSync(join(tmpdir(), 'riva-env-file-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
writeFileSync(join(folder, '.env'), 'ENV=dev\nnot a line\n');

describe('readEnvFile', () => {
  it('reads no file unless one is named or a fallback is given (the action has none)', () => {
    expect(readEnvFile(undefined, folder)).toEqual({ variables: {}, warnings: [] });
    expect(readEnvFile('.env', folder).variables).toEqual({ ENV: 'dev' });
  });

  it('reads the fallback when present (the command line: ./.env), and nothing when absent', () => {
    const read = readEnvFile(undefined, folder, { fallback: DEFAULT_ENV_FILE });
    expect(read.variables).toEqual({ ENV: 'dev' });
    expect(read.warnings).toEqual([`${join(folder, '.env')} line 2 is not KEY=VALUE, a comment or blank: it was ignored.`]);
    expect(readEnvFile(undefined, join(folder, 'elsewhere'), { fallback: DEFAULT_ENV_FILE })).toEqual({ variables: {}, warnings: [] });
  });
});

describe('malformedLines', () => {
  it('accepts assignments, export, comments, blank lines and CRLF', () => {
    expect(malformedLines('A=1\r\nexport B=2\n# comment\n\n   \nC.D-E = spaced\nEMPTY=\n')).toEqual([]);
  });

  it('names lines that parseEnv would drop, by number', () => {
    expect(malformedLines('A=1\nsecret-value-without-key\n=no key\n1A=digit first\nB=2\nexport\n')).toEqual([2, 3, 4, 6]);
  });

  it('lets a quoted value span lines, and resumes after it', () => {
    expect(malformedLines('KEY="-----BEGIN\nline two\n-----END"\nbad line\nA=\'x\'\n')).toEqual([4]);
    expect(malformedLines("A='one\ntwo'\nB=`three\nfour`\n")).toEqual([]);
  });
});
