import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPORTER = fileURLToPath(new URL('./peak-rss-reporter.ts', import.meta.url));

/** What a child process's environment needs to report its peak resident memory, and how to read it afterwards. */
export interface PeakRssProbe {
  readonly env: Record<string, string>;
  /** Bytes; throws when the process did not report (it never started, or was killed). */
  peakRssBytes(): number;
}

/**
 * The peak resident memory of a Node process started with `env` (the kernel's maxrss, read by
 * the process itself as it exits): exact, where sampling /proc could miss a short peak.
 */
export function peakRssProbe(): PeakRssProbe {
  const file = join(mkdtempSync(join(tmpdir(), 'riva-rss-')), 'peak-rss');
  return {
    env: { NODE_OPTIONS: `--import=${REPORTER}`, RIVA_TEST_PEAK_RSS_FILE: file },
    peakRssBytes: () => Number(readFileSync(file, 'utf8')),
  };
}
