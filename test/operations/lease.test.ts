import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConflictError } from '../../src/errors.ts';
import { leaseRecord, stagingLayout, type StagingLayout } from '../../src/layout.ts';
import { leaseOptions, leaseOwner, StagingLease, type LeaseOwner } from '../../src/operations/lease.ts';
import { promoteOperation } from '../../src/operations/promote.ts';
import { stageOperation } from '../../src/operations/stage/stage.ts';
import { CLEANUP_BUDGET_MS, LEASE_RELEASE_SHARE_MS } from '../../src/s3/cleanup-deadline.ts';
import { MemoryObjectStore, type MemoryObjectStoreOptions } from '../../src/s3/memory-object-store.ts';
import { MultipartUploads } from '../../src/s3/multipart.ts';
import type { ObjectStore } from '../../src/s3/object-store.ts';
import {
  BUCKET, GITHUB, MODEL_KEY, MODEL_NAME, MODEL_VERSION, NOW, RUN_ID, clearRequests, keysUnder, promoteConfig, rejectionOf,
  seedMemoryBintarball, stageConfig, textOf, useOperationHarness, type MemoryBintarball,
} from './operation-harness.ts';

/**
 * SPEC §9 rule 3 in process: one writer per staging prefix, through `staging_lease.json`.
 * Several runs share one in-memory server; each has its own client (its own write guard), as
 * each run is its own process. Time is virtual: the server's clock (LastModified, Date) and the
 * runs' monotonic clock move only when a test says so.
 */
const harness = useOperationHarness();

const TTL = 120;
const T0 = NOW.getTime();
const PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const LEASE_KEY = `${PREFIX}staging_lease.json`;
const LAYOUT: StagingLayout = stagingLayout({
  mode: 'reference-only',
  model: { bucket: BUCKET, key: MODEL_KEY },
  bucket: BUCKET,
  environment: 'dev',
  modelName: MODEL_NAME,
  modelVersion: MODEL_VERSION,
});

const FIRST: LeaseOwner = { runId: 'run-first', workflowRun: 'org/release/41', attempt: '1', host: 'runner-a', pid: 101 };
const SECOND: LeaseOwner = { runId: 'run-second', workflowRun: 'org/release/77', attempt: '1', host: 'runner-b', pid: 202 };
const THIRD: LeaseOwner = { runId: 'run-third', workflowRun: 'org/release/78', attempt: '1', host: 'runner-c', pid: 303 };
/** FIRST's workflow run, re-run: a later attempt. */
const RETRY: LeaseOwner = { runId: 'run-retry', workflowRun: 'org/release/41', attempt: '2', host: 'runner-d', pid: 404 };

const iso = (milliseconds: number) => new Date(milliseconds).toISOString();

/** The server's clock and the runs' monotonic clock, moved together (a stopped process sees the gap). */
class VirtualTime {
  elapsed = 0;
  readonly server = () => T0 + this.elapsed;
  readonly monotonic = () => this.elapsed;
  advance(seconds: number): void {
    this.elapsed += seconds * 1000;
  }
}

const WRITE_REQUESTS: ReadonlySet<PropertyKey> = new Set([
  'putText', 'delete', 'copyObject', 'createMultipartUpload', 'uploadPartCopy', 'completeMultipartUpload', 'uploadStream',
]);

/**
 * One run's client of the shared server: every request goes to `server`, but the write guard is
 * this client's own, so one run's lease neither guards nor unguards another run's requests.
 */
function clientOf(server: MemoryObjectStore): ObjectStore {
  let guard: (() => void) | undefined;
  return new Proxy(server, {
    get(target, property) {
      if (property === 'guardWrites') return (check: (() => void) | undefined) => void (guard = check);
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!WRITE_REQUESTS.has(property)) return value.bind(target);
      return async (...args: unknown[]) => {
        guard?.();
        return value.apply(target, args);
      };
    },
  });
}

/**
 * `store`, whose cleanup views (what a release goes through) run `meanwhile`, once opened, right
 * after a HEAD of the lease record has answered: another run's write lands between a release's
 * HEAD and its DELETE.
 */
function releaseWindow(store: ObjectStore): { readonly store: ObjectStore; open(meanwhile: () => Promise<void>): void } {
  let meanwhile: (() => Promise<void>) | undefined;
  const bound = <T extends object>(target: T, property: PropertyKey) => {
    const value: unknown = Reflect.get(target, property, target);
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
  };
  const view = (cleanup: ObjectStore): ObjectStore =>
    new Proxy(cleanup, {
      get(target, property) {
        if (property !== 'head') return bound(target, property);
        return async (...args: Parameters<ObjectStore['head']>) => {
          const info = await target.head(...args);
          const once = args[0].key === LEASE_KEY ? meanwhile : undefined;
          if (once !== undefined) {
            meanwhile = undefined;
            await once();
          }
          return info;
        };
      },
    });
  return {
    store: new Proxy(store, {
      get(target, property) {
        if (property === 'cleanupView') return (...args: Parameters<ObjectStore['cleanupView']>) => view(target.cleanupView(...args));
        return bound(target, property);
      },
    }),
    open: (run) => void (meanwhile = run),
  };
}

/** Every lease a test took, released afterwards so that no refresh timer outlives it. */
const taken: StagingLease[] = [];
afterEach(async () => {
  for (const lease of taken.splice(0)) await lease.release().catch(() => undefined);
  vi.useRealTimers();
});

interface Run {
  readonly owner: LeaseOwner;
  readonly store: ObjectStore;
  readonly log: string[];
  acquire(): Promise<StagingLease>;
}

/** A run against `server`, with its own client (unless it is given the server itself) and log. */
function runOf(server: MemoryObjectStore, owner: LeaseOwner, time: Pick<VirtualTime, 'server' | 'monotonic'>, store: ObjectStore = clientOf(server)): Run {
  const log: string[] = [];
  return {
    owner,
    store,
    log,
    async acquire() {
      const lease = await StagingLease.acquire(store, LAYOUT, owner, {
        ttlSeconds: TTL,
        log: (line) => log.push(line),
        monotonic: time.monotonic,
        now: time.server,
      });
      taken.push(lease);
      return lease;
    },
  };
}

function serverOf(time: Pick<VirtualTime, 'server'>, options: MemoryObjectStoreOptions = {}): MemoryObjectStore {
  const server = new MemoryObjectStore({ clock: time.server, ...options });
  server.createBucket(BUCKET);
  return server;
}

/** The lease record as stored, parsed. */
function recordOf(server: MemoryObjectStore, key = LEASE_KEY): Record<string, unknown> {
  return JSON.parse(textOf(server, key)) as Record<string, unknown>;
}

/** A lease record as another run writes it (taken at `at`). */
function recordText(owner: LeaseOwner, at: number): string {
  const time = iso(at);
  const record = {
    schema_version: 1,
    run_id: owner.runId,
    workflow_run: owner.workflowRun,
    run_attempt: owner.attempt,
    host: owner.host,
    pid: owner.pid,
    acquired_at: time,
    refreshed_at: time,
    ttl_seconds: TTL,
  };
  return `${JSON.stringify(record, null, 2)}\n`;
}

async function leaseInfo(server: MemoryObjectStore) {
  const info = await server.head(leaseRecord(LAYOUT), 'the staging lease');
  if (info === undefined) throw new Error(`${LEASE_KEY} is not in the store`);
  return info;
}

const leasePuts = (server: MemoryObjectStore) => server.requests.filter((request) => request.operation === 'putText' && request.key === `${BUCKET}/${LEASE_KEY}`);

/**
 * The message of a write refused by the lease's guard. Both stores report it as the failed write
 * ("Could not write …: ConflictError: This run lost its lease …"), so the test reads the message.
 */
async function refusalOf(write: Promise<unknown>): Promise<string> {
  const error = await rejectionOf(write);
  expect(error).toBeInstanceOf(Error);
  return (error as Error).message;
}

/** A write of an ordinary staging object through `store`: what a run's next upload would be. */
const writeThrough = (store: ObjectStore, name = 'models/late.riva') => store.putText({ bucket: BUCKET, key: `${PREFIX}${name}` }, 'late bytes', 'text/plain', name);

describe('acquire and release', () => {
  it('acquire creates staging_lease.json under the staging prefix, naming the run; release deletes it', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    const first = runOf(server, FIRST, time);

    const lease = await first.acquire();

    expect(leaseRecord(LAYOUT)).toEqual({ bucket: BUCKET, key: LEASE_KEY });
    expect(recordOf(server)).toEqual({
      schema_version: 1,
      run_id: 'run-first',
      workflow_run: 'org/release/41',
      run_attempt: '1',
      host: 'runner-a',
      pid: 101,
      acquired_at: iso(T0),
      refreshed_at: iso(T0),
      ttl_seconds: TTL,
    });
    // Created with If-None-Match, then written once more the same way to see the server refuse it.
    expect(server.writes()).toEqual([
      { operation: 'putText', key: `${BUCKET}/${LEASE_KEY}` },
      { operation: 'putText', key: `${BUCKET}/${LEASE_KEY}` },
    ]);
    expect(first.log).toEqual([]);

    await lease.release();

    expect(server.keys(BUCKET)).not.toContain(LEASE_KEY);
    expect(server.writes().at(-1)).toEqual({ operation: 'delete', key: `${BUCKET}/${LEASE_KEY}` });
    // Released, the lease guards nothing: the run's client writes again.
    await expect(writeThrough(first.store)).resolves.toEqual(expect.any(String));
  });

  it('leaseOwner names this process and its workflow run; leaseOptions carries the configured TTL', () => {
    const { deps } = harness.dependencies(new MemoryObjectStore());

    expect(leaseOwner(deps)).toEqual({ runId: RUN_ID, workflowRun: `${GITHUB.repository}/${GITHUB.run_id}`, attempt: GITHUB.run_attempt, host: hostname(), pid: process.pid });
    expect(leaseOwner({ ...deps, github: null })).toEqual({ runId: RUN_ID, workflowRun: null, attempt: null, host: hostname(), pid: process.pid });
    expect(leaseOptions({ leaseTtlSeconds: 90 }, deps)).toEqual({ ttlSeconds: 90, log: deps.log, warn: deps.warn });
  });

  it('release leaves a record that is no longer its own', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    const lease = await runOf(server, FIRST, time).acquire();
    const replacement = recordText(SECOND, T0);
    server.putObject(BUCKET, LEASE_KEY, replacement);
    clearRequests(server);

    await lease.release();

    expect(textOf(server, LEASE_KEY)).toBe(replacement);
    expect(server.writes()).toEqual([]);
  });

  /** FIRST releases an expired lease while SECOND takes it over, between the release's HEAD and its DELETE. */
  async function takenOverDuringRelease(options: MemoryObjectStoreOptions = {}) {
    const time = new VirtualTime();
    const server = serverOf(time, options);
    const window = releaseWindow(clientOf(server));
    const lease = await runOf(server, FIRST, time, window.store).acquire();
    time.advance(TTL + 1);
    const second = runOf(server, SECOND, time);
    let taken: StagingLease | undefined;
    window.open(async () => void (taken = await second.acquire()));

    await lease.release();

    if (taken === undefined) throw new Error('the second run did not take the lease over during the release');
    return { server, taken };
  }

  it('release leaves the record of a run that took the lease over between its HEAD and its DELETE (If-Match on the DELETE)', async () => {
    const { server, taken } = await takenOverDuringRelease();

    expect(recordOf(server)).toMatchObject({ run_id: SECOND.runId });
    await expect(taken.confirm()).resolves.toBeUndefined();
  });

  it('on a server that ignores If-Match on a DELETE (Ceph RGW 16, the embedded server), the window costs the new holder its lease, before any marker', async () => {
    const { server, taken } = await takenOverDuringRelease({ conditionalDeletes: false });

    expect(server.keys(BUCKET)).not.toContain(LEASE_KEY);
    // Its confirm before the marker rewrites the record If-Match its ETag: gone, so the lease is lost and nothing is marked.
    await expect(taken.confirm()).rejects.toBeInstanceOf(ConflictError);
  });

  it('release of a lease whose record is gone does nothing and does not fail', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    const lease = await runOf(server, FIRST, time).acquire();
    await server.delete(leaseRecord(LAYOUT), 'the staging lease');
    clearRequests(server);

    await expect(lease.release()).resolves.toBeUndefined();
    expect(server.writes()).toEqual([]);
  });
});

describe('a run that fails or is stopped lets go of its lease', () => {
  it('a failure right after the record is created (its If-None-Match probe) does not leave the record behind', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    // The create succeeds; the second write, that tests whether the server enforces If-None-Match, fails.
    let leaseWrites = 0;
    server.inject({ operation: 'putText', matches: (location) => location.key === LEASE_KEY && (leaseWrites += 1) === 2, error: { status: 500, code: 'InternalError' } });

    const error = await rejectionOf(runOf(server, FIRST, time).acquire());

    expect((error as Error).message).toContain('InternalError');
    // The run failed before it held a lease it could release: another run must not wait out its TTL.
    expect(server.keys(BUCKET)).not.toContain(LEASE_KEY);
  });

  it('a run stopped by its deadline (or cancelled) still deletes its lease record', async () => {
    const time = new VirtualTime();
    const deadline = new AbortController();
    const server = serverOf(time, { signal: deadline.signal });
    const first = runOf(server, FIRST, time);
    const lease = await first.acquire();

    deadline.abort();
    await lease.release();

    expect(server.keys(BUCKET)).not.toContain(LEASE_KEY);
    expect(first.log).toEqual([]);
  });
});

describe('a stopped run cleans up within one budget, counted from the stop', () => {
  /** A run holding the lease, on a client bound to `deadline`; timers are virtual, to spend the budget. */
  async function stoppableRun() {
    vi.useFakeTimers();
    const time = new VirtualTime();
    const deadline = new AbortController();
    const server = serverOf(time, { signal: deadline.signal });
    const first = runOf(server, FIRST, time);
    const lease = await first.acquire();
    return { deadline, server, first, lease };
  }

  it('aborting its uploads gets what is left before the lease\'s share: an abort after it is not sent, and the lease is still released', async () => {
    const { deadline, server, first, lease } = await stoppableRun();
    const location = { bucket: BUCKET, key: `${PREFIX}models/a.riva` };
    const uploads = new MultipartUploads();
    uploads.opened(server, await server.createMultipartUpload(location), location);

    deadline.abort();
    // The steps before it (waiting for writes in flight, removing a partial staging) took the writes' whole share.
    vi.advanceTimersByTime(CLEANUP_BUDGET_MS - LEASE_RELEASE_SHARE_MS);
    const aborted = await uploads.abortAll();
    await lease.release();

    expect(aborted.failed).toEqual([expect.stringContaining(`${PREFIX}models/a.riva#`)]);
    expect(server.requests.filter((request) => request.operation === 'abortMultipartUpload')).toEqual([]);
    expect(server.keys(BUCKET)).not.toContain(LEASE_KEY);
    expect(first.log).toEqual([]);
  });

  it('releasing the lease gets what is left of the budget: once it is spent, the release sends nothing and says the lease expires', async () => {
    const { deadline, server, first, lease } = await stoppableRun();
    clearRequests(server);

    deadline.abort();
    vi.advanceTimersByTime(CLEANUP_BUDGET_MS);
    await lease.release();

    expect(server.requests).toEqual([]);
    expect(server.keys(BUCKET)).toContain(LEASE_KEY);
    expect(first.log).toEqual([expect.stringContaining(`it expires ${TTL} s after its last refresh`)]);
  });
});

describe('another run holds the lease', () => {
  it('a second run is refused, naming the holder and its expiry by the server clock; the lease is untouched', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    const first = runOf(server, FIRST, time);
    const lease = await first.acquire();
    time.advance(TTL / 2 - 10);
    const before = { body: textOf(server, LEASE_KEY), info: await leaseInfo(server) };
    clearRequests(server);

    const second = runOf(server, SECOND, time);
    const error = await rejectionOf(second.acquire());

    expect(error).toBeInstanceOf(ConflictError);
    const message = (error as Error).message;
    expect(message).toContain('run run-first (host runner-a, pid 101, workflow run org/release/41 attempt 1)');
    expect(message).toContain(`until ${iso(T0 + TTL * 1000)} (by the server's clock)`);
    expect(message).toContain(`s3://${BUCKET}/${LEASE_KEY}`);
    // Its one write was the refused If-None-Match create.
    expect(server.writes()).toEqual([{ operation: 'putText', key: `${BUCKET}/${LEASE_KEY}` }]);
    expect(textOf(server, LEASE_KEY)).toBe(before.body);
    expect((await leaseInfo(server)).etag).toBe(before.info.etag);
    expect(second.log).toEqual([]);
    // The holder still holds it and writes on.
    await expect(lease.confirm()).resolves.toBeUndefined();
    await expect(writeThrough(first.store)).resolves.toEqual(expect.any(String));
  });

  it('two runs outside Actions (no workflow run) exclude each other', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    await runOf(server, { ...FIRST, workflowRun: null, attempt: null }, time).acquire();

    const error = await rejectionOf(runOf(server, { ...SECOND, workflowRun: null, attempt: null }, time).acquire());

    expect(error).toBeInstanceOf(ConflictError);
    expect(recordOf(server).run_id).toBe('run-first');
  });

  it('a killed holder\'s lease keeps others out until LastModified + TTL by the server\'s clock, then is taken over', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    // Left by a run that was killed: nobody refreshes or releases it.
    server.putObject(BUCKET, LEASE_KEY, recordText(FIRST, T0));
    time.advance(TTL - 1);

    const error = await rejectionOf(runOf(server, SECOND, time).acquire());
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain(`until ${iso(T0 + TTL * 1000)}`);

    time.advance(1);
    const second = runOf(server, SECOND, time);
    await second.acquire();
    expect(recordOf(server).run_id).toBe('run-second');
    expect(second.log).toEqual([expect.stringMatching(/^Took over .* from run run-first .*: its lease had expired\.$/)]);
  });

  it('expiry counts from the last refresh: a holder that keeps refreshing is never taken over', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    const lease = await runOf(server, FIRST, time).acquire();
    // Refreshed every 25 s (within TTL/4) for longer than the TTL.
    for (let step = 0; step < 8; step += 1) {
      time.advance(25);
      await lease.confirm();
    }

    const error = await rejectionOf(runOf(server, SECOND, time).acquire());

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain(`until ${iso(T0 + (200 + TTL) * 1000)}`);
    expect(recordOf(server)).toMatchObject({ run_id: 'run-first', acquired_at: iso(T0), refreshed_at: iso(T0 + 200_000) });
  });
});

describe('an expired lease', () => {
  it('is taken over by another run; the stalled holder can write nothing more and leaves the new record alone', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    const first = runOf(server, FIRST, time);
    const stalled = await first.acquire();
    // The holder stops (SIGSTOP) past the TTL: the server's clock and its own move on.
    time.advance(TTL + 1);

    const second = runOf(server, SECOND, time);
    const lease = await second.acquire();

    expect(second.log).toEqual([
      `Took over s3://${BUCKET}/${LEASE_KEY} from run run-first (host runner-a, pid 101, workflow run org/release/41 attempt 1): its lease had expired.`,
    ]);
    expect(recordOf(server)).toMatchObject({ run_id: 'run-second', workflow_run: 'org/release/77', acquired_at: iso(T0 + (TTL + 1) * 1000) });
    const taken = textOf(server, LEASE_KEY);

    // The old holder resumes: its next write is refused before it is sent, and so is its marker.
    clearRequests(server);
    const refused = await rejectionOf(writeThrough(first.store));
    expect((refused as Error).message).toMatch(/lost its lease .*could not be refreshed for half its TTL/);
    expect(server.keys(BUCKET)).not.toContain(`${PREFIX}models/late.riva`);
    expect(server.requests).toEqual([]);
    expect(await rejectionOf(stalled.confirm())).toBeInstanceOf(ConflictError);

    await stalled.release();
    expect(textOf(server, LEASE_KEY)).toBe(taken);
    expect(server.writes()).toEqual([]);

    // The new holder writes, and its release deletes its record.
    await expect(writeThrough(second.store, 'models/new.riva')).resolves.toEqual(expect.any(String));
    await lease.release();
    expect(server.keys(BUCKET)).not.toContain(LEASE_KEY);
  });

  it('is taken over even when the holder never learns it: its next refresh is refused and it stops', async () => {
    // The holder's own clock did not move (it did not stall), only the server's did.
    const time = new VirtualTime();
    const server = serverOf(time);
    const first = runOf(server, FIRST, { server: time.server, monotonic: () => 0 });
    const unaware = await first.acquire();
    time.advance(TTL + 1);
    await runOf(server, SECOND, time).acquire();
    const taken = textOf(server, LEASE_KEY);

    const error = await rejectionOf(unaware.confirm());

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain('another run took it over');
    expect(await refusalOf(writeThrough(first.store))).toContain((error as Error).message);
    await unaware.release();
    expect(textOf(server, LEASE_KEY)).toBe(taken);
  });

  it('of two runs racing to take it over, exactly one wins', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    await runOf(server, FIRST, time).acquire();
    time.advance(TTL + 1);
    const contenders = [runOf(server, SECOND, time), runOf(server, THIRD, time)];

    const outcomes = await Promise.allSettled(contenders.map((run) => run.acquire()));

    const won = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [contenders[index]?.owner.runId] : []));
    const lost = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(ConflictError);
    expect(recordOf(server).run_id).toBe(won[0]);
  });
});

describe('a later attempt of the same workflow run', () => {
  it('takes over at once, though the lease has not expired; the earlier attempt stops', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    const first = runOf(server, FIRST, time);
    const earlier = await first.acquire();
    time.advance(5);

    const retry = runOf(server, RETRY, time);
    await retry.acquire();

    expect(retry.log).toEqual([
      `Took over s3://${BUCKET}/${LEASE_KEY} from run run-first (host runner-a, pid 101, workflow run org/release/41 attempt 1): an earlier attempt of this workflow run.`,
    ]);
    expect(recordOf(server)).toMatchObject({ run_id: 'run-retry', workflow_run: 'org/release/41', run_attempt: '2', host: 'runner-d', pid: 404 });
    const taken = textOf(server, LEASE_KEY);
    // The earlier attempt, should it still be running, learns it at its next refresh.
    const error = await rejectionOf(earlier.confirm());
    expect(error).toBeInstanceOf(ConflictError);
    expect(await refusalOf(writeThrough(first.store))).toContain((error as Error).message);
    await earlier.release();
    expect(textOf(server, LEASE_KEY)).toBe(taken);
  });

  // Two jobs of one workflow attempt (a matrix mistake) share run id and attempt: neither is a
  // later attempt of the other, and README promises that such a run "fails at once".
  it('two jobs of the same attempt (a matrix mistake) do not take over each other\'s live lease', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    await runOf(server, FIRST, time).acquire();
    time.advance(5);

    const sibling = runOf(server, { ...FIRST, runId: 'run-sibling-job', host: 'runner-e', pid: 505 }, time);
    const error = await rejectionOf(sibling.acquire());

    expect(error).toBeInstanceOf(ConflictError);
    expect(recordOf(server).run_id).toBe('run-first');
  });
});

describe('a holder that cannot refresh', () => {
  it('stops writing once it has not refreshed for half the TTL: writes and confirm throw, release keeps the record', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    // The holder on the server object itself: MemoryObjectStore's own write guard.
    const lease = await runOf(server, FIRST, time, server).acquire();
    const record = textOf(server, LEASE_KEY);

    time.advance(TTL / 2);
    await expect(writeThrough(server, 'models/in-time.riva')).resolves.toEqual(expect.any(String));
    time.advance(0.001);
    clearRequests(server);
    const refused = await refusalOf(writeThrough(server));

    expect(refused).toContain(`lost its lease on s3://${BUCKET}/${LEASE_KEY} (it could not be refreshed for half its TTL of ${TTL} s)`);
    // Refused before it was sent.
    expect(server.requests).toEqual([]);
    expect(server.keys(BUCKET)).not.toContain(`${PREFIX}models/late.riva`);
    const error = await rejectionOf(lease.confirm());
    expect(error).toBeInstanceOf(ConflictError);
    expect(refused).toContain((error as Error).message);
    expect(await refusalOf(server.delete({ bucket: BUCKET, key: `${PREFIX}models/in-time.riva` }, 'a staged file'))).toContain((error as Error).message);
    expect(server.keys(BUCKET)).toContain(`${PREFIX}models/in-time.riva`);
    // Nothing was refreshed, and the late confirm did not revive it.
    expect(textOf(server, LEASE_KEY)).toBe(record);
    expect(server.writes()).toEqual([]);

    await lease.release();
    expect(textOf(server, LEASE_KEY)).toBe(record);
    expect(server.writes()).toEqual([]);
  });

  it('once lost, every kind of write request to the server is refused unsent (uploads too)', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    server.putObject(BUCKET, `${PREFIX}source.bin`, 'source bytes');
    const source = await server.describe({ bucket: BUCKET, key: `${PREFIX}source.bin` }, 'a source');
    await runOf(server, FIRST, time, server).acquire();
    time.advance(TTL);
    const at = (name: string) => ({ bucket: BUCKET, key: `${PREFIX}${name}` });
    clearRequests(server);

    const writes: Record<string, () => Promise<unknown>> = {
      putText: () => writeThrough(server),
      delete: () => server.delete(at('source.bin'), 'a source'),
      copyObject: () => server.copyObject({ location: at('source.bin'), etag: source.etag, sizeBytes: source.size }, at('copied.bin')),
      createMultipartUpload: () => server.createMultipartUpload(at('multipart.bin')),
      uploadStream: () =>
        server.uploadStream(at('uploaded.bin'), Readable.from([Buffer.from('uploaded bytes')]), {
          partSize: 5 * 1024 * 1024,
          queueSize: 1,
          contentType: 'application/octet-stream',
          onOpen: () => undefined,
        }),
    };
    const refused: Record<string, boolean> = {};
    for (const [name, write] of Object.entries(writes)) {
      refused[name] = await write().then(
        () => false,
        (error: unknown) => (error as Error).message.includes('lost its lease'),
      );
    }

    expect(refused).toEqual({ putText: true, delete: true, copyObject: true, createMultipartUpload: true, uploadStream: true });
    expect(keysUnder(server, PREFIX).sort()).toEqual(['source.bin', 'staging_lease.json']);
    expect(server.openUploads()).toEqual([]);
    expect(server.writes()).toEqual([]);
  });

  it('rides out refreshes that fail for less than half the TTL', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    const lease = await runOf(server, FIRST, time, server).acquire();
    server.inject({ operation: 'putText', matches: (location) => location.key === LEASE_KEY, times: 2, error: { status: 503, code: 'SlowDown' } });

    time.advance(25);
    await lease.confirm();
    time.advance(25);
    await lease.confirm();
    expect(recordOf(server).refreshed_at).toBe(iso(T0));
    time.advance(5);
    await lease.confirm();
    expect(recordOf(server).refreshed_at).toBe(iso(T0 + 55_000));

    // Half the TTL is counted from that refresh.
    time.advance(TTL / 2);
    await expect(writeThrough(server)).resolves.toEqual(expect.any(String));
  });

  it('is lost when every refresh fails for half the TTL', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    const lease = await runOf(server, FIRST, time, server).acquire();
    server.inject({ operation: 'putText', matches: (location) => location.key === LEASE_KEY, times: 100, error: { status: 500, code: 'InternalError' } });

    time.advance(25);
    await lease.confirm();
    time.advance(25);
    await lease.confirm();
    time.advance(15);
    const error = await rejectionOf(lease.confirm());

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain('half its TTL');
    expect(await refusalOf(writeThrough(server))).toContain((error as Error).message);
  });
});

describe('refreshing', () => {
  it('confirm() rewrites the record conditionally: a new ETag and refreshed_at, acquired_at kept', async () => {
    const time = new VirtualTime();
    const server = serverOf(time);
    const lease = await runOf(server, FIRST, time).acquire();
    const before = await leaseInfo(server);
    time.advance(20);

    await lease.confirm();

    const after = await leaseInfo(server);
    expect(after.etag).not.toBe(before.etag);
    expect(after.lastModified).toBe(iso(T0 + 20_000));
    expect(recordOf(server)).toMatchObject({ run_id: 'run-first', acquired_at: iso(T0), refreshed_at: iso(T0 + 20_000) });
  });

  it('the timer refreshes every quarter of the TTL; a refresh answered 412 (another run replaced it) loses the lease', async () => {
    vi.useFakeTimers({ now: T0 });
    const server = serverOf({ server: () => Date.now() });
    const clock = { server: () => Date.now(), monotonic: () => Date.now() };
    const first = runOf(server, FIRST, clock);
    const lease = await first.acquire();
    const created = await leaseInfo(server);
    expect(leasePuts(server)).toHaveLength(2);

    await vi.advanceTimersByTimeAsync((TTL / 4) * 1000);

    expect(leasePuts(server)).toHaveLength(3);
    const refreshed = await leaseInfo(server);
    expect(refreshed.etag).not.toBe(created.etag);
    expect(refreshed.lastModified).toBe(iso(T0 + 30_000));
    expect(recordOf(server)).toMatchObject({ acquired_at: iso(T0), refreshed_at: iso(T0 + 30_000) });

    // Kept alive by its timer well past one TTL, the lease still keeps another run out.
    await vi.advanceTimersByTimeAsync(2 * TTL * 1000);
    expect(recordOf(server).refreshed_at).toBe(iso(T0 + 30_000 + 2 * TTL * 1000));
    expect(await rejectionOf(runOf(server, SECOND, clock).acquire())).toBeInstanceOf(ConflictError);

    // Another run replaces the record: the next refresh's If-Match is answered 412.
    const replacement = recordText(SECOND, Date.now());
    server.putObject(BUCKET, LEASE_KEY, replacement);
    await vi.advanceTimersByTimeAsync((TTL / 4) * 1000);

    const error = await rejectionOf(lease.confirm());
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain('another run took it over');
    expect(await refusalOf(writeThrough(first.store))).toContain((error as Error).message);
    // No more refreshes once it is lost.
    const puts = leasePuts(server).length;
    await vi.advanceTimersByTimeAsync(2 * TTL * 1000);
    expect(leasePuts(server)).toHaveLength(puts);
    await lease.release();
    expect(textOf(server, LEASE_KEY)).toBe(replacement);
  });
});

describe('a server that ignores If-None-Match', () => {
  it('acquire succeeds and warns that concurrent runs are not excluded', async () => {
    const time = new VirtualTime();
    const server = serverOf(time, { conditionalWrites: false });
    const first = runOf(server, FIRST, time);

    const lease = await first.acquire();

    expect(recordOf(server).run_id).toBe('run-first');
    expect(first.log).toEqual([expect.stringMatching(/^Warning: This S3 server ignores If-None-Match .*cannot exclude another run/)]);
    await lease.release();
    expect(server.keys(BUCKET)).not.toContain(LEASE_KEY);
  });
});

describe('two runs racing for a fresh staging', () => {
  it.each([
    ['first', [FIRST, SECOND]],
    ['second', [SECOND, FIRST]],
  ] as const)('exactly one wins, the other gets a ConflictError (%s started first)', async (_, owners) => {
    const time = new VirtualTime();
    const server = serverOf(time);
    const runs = owners.map((owner) => runOf(server, owner, time));

    const outcomes = await Promise.allSettled(runs.map((run) => run.acquire()));

    const winners = runs.filter((_run, index) => outcomes[index]?.status === 'fulfilled');
    const refusals = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    expect(winners).toHaveLength(1);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toBeInstanceOf(ConflictError);
    expect(recordOf(server).run_id).toBe(winners[0]?.owner.runId);
    expect(runs.flatMap((run) => run.log)).toEqual([]);
  });
});

describe('stage and promote under the lease', () => {
  const MODES = ['reference-only', 'full'] as const;

  /** Another run (its own client) holding the lease of `layout` in real time. */
  function holder(tree: MemoryBintarball, layout: StagingLayout): Promise<StagingLease> {
    const log: string[] = [];
    return StagingLease.acquire(clientOf(tree.store), layout, SECOND, { ttlSeconds: TTL, log: (line) => log.push(line) }).then((lease) => {
      taken.push(lease);
      return lease;
    });
  }

  it.each(MODES)('%s is refused while another run holds the lease, and stages once it is released', async (mode) => {
    const tree = await seedMemoryBintarball();
    const config = stageConfig(tree, mode);
    const layout = stagingLayout(config);
    const other = await holder(tree, layout);
    clearRequests(tree.store);

    const error = await rejectionOf(stageOperation.run(config, harness.dependencies(tree.store).deps));

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain('run run-second');
    expect(keysUnder(tree.store, layout.prefix.key)).toEqual(['staging_lease.json']);
    expect(tree.store.writes()).toEqual([{ operation: 'putText', key: `${BUCKET}/${layout.prefix.key}staging_lease.json` }]);
    expect(recordOf(tree.store, `${layout.prefix.key}staging_lease.json`).run_id).toBe('run-second');

    await other.release();
    const result = await stageOperation.run(config, harness.dependencies(tree.store).deps);

    expect(result.status).toBe('staged');
    const keys = keysUnder(tree.store, layout.prefix.key);
    expect(keys).toContain(layout.marker.key.slice(layout.prefix.key.length));
    expect(keys).not.toContain('staging_lease.json');
  });

  it.each(MODES)('%s whose lease is taken over mid-run fails without its marker and leaves the new holder\'s lease', async (mode) => {
    const tree = await seedMemoryBintarball();
    const config = stageConfig(tree, mode);
    const layout = stagingLayout(config);
    const leaseKey = `${layout.prefix.key}staging_lease.json`;
    const replacement = recordText(SECOND, Date.now());
    let replaced = false;
    // As the metadata document is written, another run replaces the lease record.
    tree.store.inject({
      operation: 'putText',
      matches: (location) => {
        if (!replaced && location.key === layout.metadata.key) {
          replaced = true;
          tree.store.putObject(BUCKET, leaseKey, replacement);
        }
        return false;
      },
    });

    const error = await rejectionOf(stageOperation.run(config, harness.dependencies(tree.store).deps));

    expect(replaced).toBe(true);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toMatch(/lost its lease .*another run took it over/);
    expect(tree.store.keys(BUCKET)).not.toContain(layout.marker.key);
    expect(textOf(tree.store, leaseKey)).toBe(replacement);
    // Its last write was the refresh that found the lease gone: no marker, no release.
    expect(tree.store.writes().at(-1)).toEqual({ operation: 'putText', key: `${BUCKET}/${leaseKey}` });
  });

  it('a re-run attempt continues at once over the lease its killed first attempt left', async () => {
    const tree = await seedMemoryBintarball();
    const config = stageConfig(tree, 'full');
    const layout = stagingLayout(config);
    const leaseKey = `${layout.prefix.key}staging_lease.json`;
    const killed: LeaseOwner = { runId: 'run-killed', workflowRun: `${GITHUB.repository}/${GITHUB.run_id}`, attempt: '1', host: 'runner-k', pid: 9 };
    tree.store.putObject(BUCKET, leaseKey, recordText(killed, Date.now()));

    const run = harness.dependencies(tree.store);
    const result = await stageOperation.run(config, { ...run.deps, github: { ...GITHUB, run_attempt: '2' } });

    expect(result.status).toBe('staged');
    expect(run.logLines).toContainEqual(expect.stringMatching(/^Took over .* from run run-killed .*an earlier attempt of this workflow run\.$/));
    expect(keysUnder(tree.store, layout.prefix.key)).not.toContain('staging_lease.json');
  });

  it('promote is refused while another run holds the target\'s lease, writing nothing there', async () => {
    const tree = await seedMemoryBintarball();
    await stageOperation.run(stageConfig(tree, 'reference-only'), harness.dependencies(tree.store).deps);
    const target = stagingLayout(stageConfig(tree, 'reference-only', { environment: 'prod' }));
    await holder(tree, target);
    clearRequests(tree.store);

    const error = await rejectionOf(promoteOperation.run(promoteConfig(tree), harness.dependencies(tree.store).deps));

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain('run run-second');
    expect(keysUnder(tree.store, target.prefix.key)).toEqual(['staging_lease.json']);
    expect(tree.store.writes()).toEqual([{ operation: 'putText', key: `${BUCKET}/${target.prefix.key}staging_lease.json` }]);
  });
});
