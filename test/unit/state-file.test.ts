import { mkdtempSync, readFileSync } from 'node:fs';
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
});
