import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLEANUP_BUDGET_MS, CleanupDeadline, LEASE_RELEASE_SHARE_MS } from '../../src/s3/cleanup-deadline.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('CleanupDeadline', () => {
  it('keeps within the runner\'s 7.5 s between SIGINT and SIGTERM, with the lease\'s share inside it', () => {
    expect(CLEANUP_BUDGET_MS).toBeLessThan(7500);
    expect(LEASE_RELEASE_SHARE_MS).toBeGreaterThan(0);
    expect(LEASE_RELEASE_SHARE_MS).toBeLessThan(CLEANUP_BUDGET_MS);
  });

  it('runs no clock while the run has not been stopped', () => {
    vi.useFakeTimers();
    const deadline = new CleanupDeadline(new AbortController().signal, 1000, 400);

    vi.advanceTimersByTime(60_000);

    expect(deadline.signal('writes').aborted).toBe(false);
    expect(deadline.signal('lease').aborted).toBe(false);
  });

  it('counts one budget from the stop: the writes end before the lease\'s share, the lease at the whole budget', () => {
    vi.useFakeTimers();
    const stop = new AbortController();
    const deadline = new CleanupDeadline(stop.signal, 1000, 400);
    vi.advanceTimersByTime(5000);

    stop.abort();
    vi.advanceTimersByTime(599);
    expect(deadline.signal('writes').aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal('writes').aborted).toBe(true);
    expect(deadline.signal('lease').aborted).toBe(false);
    vi.advanceTimersByTime(399);
    expect(deadline.signal('lease').aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal('lease').aborted).toBe(true);
    expect(String(deadline.signal('lease').reason)).toContain('cleanup budget of 1 s ran out');
  });

  it('starts the clock at once for a run stopped before the deadline was made', () => {
    vi.useFakeTimers();
    const deadline = new CleanupDeadline(AbortSignal.abort(), 1000, 400);

    vi.advanceTimersByTime(1000);

    expect(deadline.signal('writes').aborted).toBe(true);
    expect(deadline.signal('lease').aborted).toBe(true);
  });
});
