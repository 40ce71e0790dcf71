import { describe, expect, it } from 'vitest';
import { resolveConfig, type ConfigSources } from '../../src/config/config.ts';
import { cleanupOnStop } from '../../src/run.ts';
import { complete, sources } from './config-fixtures.ts';

// The line a stopped (cancelled or expired) run ends with says what that operation cleaned up:
// only an operation that writes multipart uploads says it aborted them.

const cleanupOf = (inputs: ConfigSources['inputs']) => cleanupOnStop(resolveConfig(sources({ ...complete, ...inputs })));

describe('cleanupOnStop', () => {
  it('full mode: its multipart uploads aborted, what a re-run could not reuse removed, its lease released', () => {
    const said = cleanupOf({ mode: 'full' });
    expect(said).toContain('without writing a completion marker');
    expect(said).toContain('multipart uploads were aborted');
    expect(said).toContain('a re-run could not reuse removed');
    expect(said).toContain('lease released');
  });

  it.each(['bintarball-reference', 'reference-only'])('%s: no upload to abort, its lease released', (mode) => {
    const said = cleanupOf({ mode });
    expect(said).toContain('without writing a completion marker');
    expect(said).toContain('released its lease');
    expect(said).not.toContain('multipart');
  });

  it('promote: its multipart copies aborted and the target\'s lease released', () => {
    const said = cleanupOf({ mode: 'promote', fromEnvironment: 'dev' });
    expect(said).toContain('multipart copies were aborted');
    expect(said).toContain("target's lease released");
  });

  it('delete: its lease released, no upload; a re-run deletes the rest', () => {
    const said = cleanupOf({ mode: 'delete' });
    expect(said).toContain('released its lease');
    expect(said).toContain('a re-run deletes the rest');
    expect(said).not.toContain('multipart');
  });

  it('fetch: its partly written files removed, nothing said of uploads or a marker', () => {
    const said = cleanupOf({ mode: 'fetch', destination: 'models' });
    expect(said).toContain('removed its partly written files');
    expect(said).not.toMatch(/multipart|marker|lease/);
  });

  it.each([
    ['verify', { mode: 'verify' }],
    ['list', { mode: 'list' }],
    ['a dry run of full mode', { mode: 'full', dryRun: 'true' }],
    ['a dry run of delete', { mode: 'delete', dryRun: 'true' }],
  ] as const)('%s: nothing to clean up, and it says so', (_name, inputs) => {
    const said = cleanupOf(inputs);
    expect(said).toMatch(/nothing to clean up/);
    expect(said).not.toMatch(/multipart|aborted|lease/);
  });
});
