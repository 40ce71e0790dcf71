import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateFile } from '../../src/state-file.ts';

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('StateFile', () => {
  it('records each phase with its duration, and the phase that failed', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'riva-state-')), 'nested', 'state.json');
    let clock = 0;
    const state = new StateFile(path, { run_id: 'r1' }, () => new Date(Date.UTC(2025, 0, 1) + clock));
    expect(read(path)).toMatchObject({ run_id: 'r1', status: 'running', phases: [] });

    await state.phase('discover', async () => {
      clock += 250;
    });
    await expect(
      state.phase('write', async () => {
        clock += 40;
        throw new Error('access denied');
      }),
    ).rejects.toThrow('access denied');

    expect(read(path)).toMatchObject({
      status: 'failed',
      failed_phase: 'write',
      phases: [
        { name: 'discover', status: 'done', duration_ms: 250 },
        { name: 'write', status: 'failed', duration_ms: 40, error: 'access denied' },
      ],
    });
    expect(state.durations()).toEqual({ discover: 250, write: 40 });
  });

  it('reports a write it cannot make once, naming the path, and lets the run go on', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'riva-state-'));
    // A file where the state file's folder should be: every write fails (ENOTDIR).
    writeFileSync(join(folder, 'occupied'), '');
    const path = join(folder, 'occupied', 'state.json');
    const warnings: string[] = [];
    const state = new StateFile(path, { run_id: 'r1' }, undefined, (message) => warnings.push(message));

    await expect(state.phase('discover', async () => 'found')).resolves.toBe('found');
    await expect(state.phase('write', async () => Promise.reject(new Error('access denied')))).rejects.toThrow('access denied');
    state.record({ status: 'staged' });

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`Could not write the state file ${path}`);
    expect(state.durations()).toMatchObject({ discover: expect.any(Number), write: expect.any(Number) });
  });

  it('gives every write a temporary file of its own, so two runs can share a path', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'riva-state-'));
    const path = join(folder, 'state.json');
    const module = new URL('../../src/state-file.ts', import.meta.url).href;
    // Two processes rewriting one state file as fast as they can: a shared temporary name
    // makes one rename the other's file away (ENOENT).
    const writer = `import { StateFile } from ${JSON.stringify(module)};
      const state = new StateFile(${JSON.stringify(path)}, { run_id: process.argv[1] }, undefined, (message) => { console.error(message); process.exit(3); });
      for (let i = 0; i < 300; i++) state.record({ step: i });`;
    const run = () =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', writer, 'run'], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });

    const runs = await Promise.all([run(), run(), run()]);

    expect(runs).toEqual([{ code: 0, stderr: '' }, { code: 0, stderr: '' }, { code: 0, stderr: '' }]);
    expect(read(path)).toMatchObject({ step: 299 });
    expect(readdirSync(folder)).toEqual(['state.json']);
  });
});
