import { describe, expect, it } from 'vitest';
import { DEFAULT_COLUMNS, progressBarLine } from '../../src/progress-bar.ts';
import { describeProgress, type ProgressSnapshot } from '../../src/transfer-progress.ts';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

const reading: ProgressSnapshot = {
  label: 'Reading the model archive',
  bytes: 1.55 * GIB,
  totalBytes: 3.71 * GIB,
  bytesPerSecond: 85.3 * MIB,
  etaSeconds: 26,
};

/** Which of the optional fields a line shows. */
const fieldsOf = (line: string) => ({
  bytes: line.includes('GiB of'),
  rate: line.includes('MiB/s'),
  eta: line.includes('ETA'),
});

describe('progressBarLine', () => {
  it('shows every field with a full bar on a wide terminal', () => {
    expect(progressBarLine(reading, 200)).toBe(
      '[##########..............] Reading the model archive: 41.8% (1.55 GiB of 3.71 GiB), 85.3 MiB/s, ETA 26 s',
    );
  });

  it.each(Array.from({ length: 181 }, (_, index) => index + 20))('fits a terminal %i columns wide, short of its last column', (columns) => {
    const line = progressBarLine(reading, columns);
    expect(line.length).toBeLessThanOrEqual(columns - 1);
    expect(line).not.toMatch(/[\r\n]/);
    if (columns >= 40) {
      expect(line).toMatch(/^\[[#.]{10,24}\] /);
      expect(line).toContain('41.8%');
    }
  });

  it('drops the byte counts first, then the rate, then the estimate, as the terminal narrows', () => {
    const seen: Array<ReturnType<typeof fieldsOf>> = [];
    for (let columns = 200; columns >= 40; columns -= 1) seen.push(fieldsOf(progressBarLine(reading, columns)));
    // Once a field is gone it stays gone at every narrower width, and in this order.
    const firstWithout = (field: keyof ReturnType<typeof fieldsOf>) => seen.findIndex((fields) => !fields[field]);
    expect(firstWithout('bytes')).toBeGreaterThan(0);
    expect(firstWithout('rate')).toBeGreaterThan(firstWithout('bytes'));
    expect(firstWithout('eta')).toBeGreaterThan(firstWithout('rate'));
    for (const field of ['bytes', 'rate', 'eta'] as const) {
      expect(seen.slice(firstWithout(field)).every((fields) => !fields[field]), field).toBe(true);
    }
    expect(progressBarLine(reading, 80)).toBe('[##########..............] Reading the model archive: 41.8%, ETA 26 s');
  });

  it('shrinks the bar, then shortens the label, once only the percentage is left', () => {
    expect(progressBarLine(reading, 60)).toBe('[##########..............] Reading the model archive: 41.8%');
    expect(progressBarLine(reading, 55)).toBe('[########...........] Reading the model archive: 41.8%');
    expect(progressBarLine(reading, 45)).toBe('[####......] Reading the model archi…: 41.8%');
    expect(progressBarLine(reading, 40)).toBe('[####......] Reading the model…: 41.8%');
  });

  it('fills the bar in proportion, never past full', () => {
    const at = (bytes: number) => progressBarLine({ ...reading, bytes, totalBytes: 100 }, 120);
    expect(at(0)).toMatch(/^\[\.{24}\] .*: 0\.0%/);
    expect(at(50)).toMatch(/^\[#{12}\.{12}\] .*: 50\.0%/);
    expect(at(100)).toMatch(/^\[#{24}\] .*: 100\.0%/);
    expect(at(150)).toMatch(/^\[#{24}\] .*: 100\.0%/);
    expect(progressBarLine({ ...reading, bytes: 0, totalBytes: 0 }, 120)).toMatch(/^\[#{24}\] .*: 100\.0%/);
  });

  it('takes a terminal of unknown width (0 under some pseudo-terminals) as 80 columns', () => {
    expect(progressBarLine(reading, 0)).toBe(progressBarLine(reading, DEFAULT_COLUMNS));
    expect(progressBarLine(reading, undefined)).toBe(progressBarLine(reading, DEFAULT_COLUMNS));
  });

  it('says the estimate is unknown before any byte has moved', () => {
    const start = { ...reading, bytes: 0, bytesPerSecond: 0, etaSeconds: undefined };
    expect(progressBarLine(start, 200)).toContain('ETA unknown');
    expect(describeProgress(start)).toBe('Reading the model archive: 0.0% (0 bytes of 3.71 GiB), 0.0 MiB/s, ETA unknown');
  });
});
