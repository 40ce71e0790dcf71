import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv } from '../helpers/bintarball.ts';
import { CLI_ENTRY } from '../helpers/cli-runner.ts';
import { DEFAULT_MODEL_FILES, makeModelArchive } from '../helpers/fixtures.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';
import { runInTerminal, type TerminalRun } from '../helpers/terminal.ts';

const MIB = 1024 * 1024;

// An archive of a few MiB served at 1 MiB/s: each transfer lasts long enough for the bar to be
// redrawn several times while the screen is captured.
const s3 = useStagingFixture(() => makeModelArchive({ ...DEFAULT_MODEL_FILES, 'parakeet-rnnt/1/parakeet-rnnt-1.1b-en-us.riva': 2 * MIB }));

const BAR_LINE = /^\[[#.]+\] /;

/** The seed pipeline's variables, as a user's shell exports them, through the slow proxy. */
function seedEnv(overrides: Record<string, string> = {}): Record<string, string> {
  s3.proxy.inject({
    // Object reads (GetObject), not listings.
    matches: (request) => request.method === 'GET' && !request.query.includes('list-type'),
    action: { kind: 'slow-response', bytesPerSecond: MIB },
    times: Infinity,
  });
  return {
    ...credentialsEnv(s3.target),
    HOME: mkdtempSync(join(tmpdir(), 'riva-terminal-home-')),
    TMPDIR: tmpdir(),
    RIVA_ASR_MODEL_S3_URI: s3.tree.modelUri,
    NVIDIA_DRIVERS_S3_BUCKET: s3.tree.bucket,
    RIVA_ASR_MODEL_NAME: MODEL_NAME,
    MODEL_VERSION,
    ENV: 'dev',
    AWS_REGION: s3.target.region,
    AWS_ENDPOINT_URL_S3: s3.proxy.endpoint,
    ...overrides,
  };
}

/**
 * What a user sees of the progress bar: on every capture at most one bar line, no wider than the
 * terminal (a wrapped bar shows as a longer joined line, a redraw that is not in place as a
 * second bar line); at least one capture caught the bar labelled `label`; none left at the end.
 */
function expectBarInPlace(terminal: TerminalRun, columns: number, label: RegExp): void {
  const explained = terminal.screens.at(-1)?.join('\n');
  for (const screen of terminal.screens) {
    const bars = screen.filter((line) => BAR_LINE.test(line));
    expect(bars.length, `one bar line at most:\n${screen.join('\n')}`).toBeLessThanOrEqual(1);
    for (const bar of bars) expect(bar.length, bar).toBeLessThanOrEqual(columns);
  }
  const shown = terminal.screens.flatMap((screen) => screen.filter((line) => BAR_LINE.test(line)));
  expect(shown.some((bar) => label.test(bar.replace(BAR_LINE, ''))), `a bar labelled ${label} among those shown:\n${shown.join('\n')}`).toBe(true);
  expect(terminal.screens.at(-1)?.filter((line) => BAR_LINE.test(line)), explained).toEqual([]);
  expect(terminal.exitCode, explained).toBe(0);
}

describe('the progress bar in a real terminal', () => {
  it('fits 80 columns and redraws in place, reading the archive (full) and re-hashing (verify --deep)', async () => {
    const columns = 80;
    const staging = await runInTerminal([CLI_ENTRY, '--full'], seedEnv(), { columns, rows: 24 });
    expectBarInPlace(staging, columns, /^Reading the model archive: \d+\.\d%/);
    expect(staging.screens.at(-1)?.join('\n')).toContain('Riva model staged');

    const verified = await runInTerminal([CLI_ENTRY, '--verify', '--deep'], seedEnv(), { columns, rows: 24 });
    expectBarInPlace(verified, columns, /^Re-hashing 3 objects: \d+\.\d%/);
  });

  it('fits 40 columns and redraws in place, hashing for expected-sha256 and re-hashing (verify --deep)', async () => {
    const columns = 40;
    const sha256 = createHash('sha256').update(s3.tree.archive.bytes).digest('hex');
    const staging = await runInTerminal([CLI_ENTRY, '--bintarball-reference'], seedEnv({ RIVA_ASR_MODEL_SHA256: sha256 }), { columns, rows: 24 });
    expectBarInPlace(staging, columns, /^Hashing the model…: \d+\.\d%/);

    const verified = await runInTerminal([CLI_ENTRY, '--verify', '--deep'], seedEnv(), { columns, rows: 24 });
    expectBarInPlace(verified, columns, /^Re-hashing 1 obje(ct|…): \d+\.\d%/);
  });
});
