import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/limit.ts';
import { TransferProgress } from '../../src/transfer-progress.ts';
import { backoffDelay, isTransient } from '../../src/s3/backoff.ts';

const MIB = 1024 * 1024;

describe('backoff', () => {
  it('grows exponentially under full jitter, capped at 20 s', () => {
    expect(backoffDelay(1, () => 0.999)).toBe(399);
    expect(backoffDelay(3, () => 0.5)).toBe(800);
    expect(backoffDelay(30, () => 0.999)).toBe(19_980);
    expect(backoffDelay(4, () => 0)).toBe(0);
  });

  it('retries throttling, server errors and broken connections, not client errors', () => {
    const response = (status: number, name: string) => ({ name, $metadata: { httpStatusCode: status } });
    expect(isTransient(response(503, 'SlowDown'))).toBe(true);
    expect(isTransient(response(500, 'InternalError'))).toBe(true);
    expect(isTransient(response(429, 'TooManyRequests'))).toBe(true);
    expect(isTransient(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(response(403, 'AccessDenied'))).toBe(false);
    expect(isTransient(response(404, 'NoSuchKey'))).toBe(false);
  });
});

describe('TransferProgress', () => {
  it('logs percent, rate and ETA at most once per interval', () => {
    let now = 0;
    const lines: string[] = [];
    const progress = new TransferProgress('Reading', 100 * MIB, (line) => lines.push(line), () => now, 5000);
    now = 1000;
    progress.add(10 * MIB);
    expect(lines).toEqual([]);
    now = 5000;
    progress.add(15 * MIB);
    now = 6000;
    progress.add(1 * MIB);
    expect(lines).toEqual(['Reading: 25.0% (25.00 MiB of 100.00 MiB), 5.0 MiB/s, ETA 15 s']);
  });
});

describe('Semaphore', () => {
  it('lets at most `limit` holders in and hands slots on in order', async () => {
    const semaphore = new Semaphore(2);
    const order: string[] = [];
    const first = await semaphore.acquire();
    const second = await semaphore.acquire();
    const third = semaphore.acquire().then((release) => {
      order.push('third');
      return release;
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    first();
    (await third)();
    second();
    expect(order).toEqual(['third']);
    const again = await semaphore.acquire();
    const andAgain = await semaphore.acquire();
    again();
    andAgain();
  });
});
