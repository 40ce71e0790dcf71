import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArchiveCache } from '../../src/cache/archive-cache.ts';
import type { InputKey } from '../../src/config/inputs.ts';
import { AccessDeniedError, ValidationError } from '../../src/errors.ts';
import { stageOperation } from '../../src/operations/stage/stage.ts';
import type { MemoryObjectStore } from '../../src/s3/memory-object-store.ts';
import type { ObjectStore, StreamUploadOptions } from '../../src/s3/object-store.ts';
import type { S3Location } from '../../src/s3/uri.ts';
import { makeRawArchive, type RawEntry } from '../helpers/fixtures.ts';
import {
  ARCHIVE_NAME, MODEL_NAME, MODEL_VERSION, keysUnder, rejectionOf, seedMemoryBintarball, sha256, stageConfig, useOperationHarness,
  type MemoryBintarball,
} from './operation-harness.ts';

/**
 * SPEC §9 rule 4 in process: every failure of a full-mode pass is clean. A rejected archive
 * leaves nothing under the staging prefix whatever the order in which its server-side copy, its
 * uploads and the rejection happen; a refused upload leaves what landed for the re-run and no
 * open upload; a cancelled run aborts its uploads and lets go of its lease.
 *
 * The order is set on the "server": a held write reaches it and waits there (a copy before it is
 * carried out, an upload with every byte sent but not completed) until the test lets it land.
 */
const harness = useOperationHarness();

const MIB = 1024 * 1024;
const PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const SOURCE_COPY = `${PREFIX}source/${ARCHIVE_NAME}`;
const modelFile = (path: string) => `${PREFIX}models/${path}`;
/** How long a failing pass waits for its writes in flight (SETTLE_WAIT_MS in pass-writes.ts). */
const SETTLE_BUDGET_MS = 2000;

interface Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** A write held on the server: `reached` once it got there, `release()` lets it land. */
interface HeldWrite {
  readonly reached: Promise<void>;
  release(): void;
}

/** Which writes the server holds, and when each landed. */
class ServerTimeline {
  readonly #held = new Map<string, { reached: Deferred; released: Deferred }>();
  readonly #landed = new Map<string, Deferred>();
  readonly #landedKeys = new Set<string>();

  hold(key: string): HeldWrite {
    const gate = { reached: deferred(), released: deferred() };
    this.#held.set(key, gate);
    return { reached: gate.reached.promise, release: () => gate.released.resolve() };
  }

  /** Resolves when a write to `key` has landed on the server. */
  landed(key: string): Promise<void> {
    return this.#landedGate(key).promise;
  }

  /** Called by the server for a write to `key`: waits while it is held (or `stop` resolves first). */
  async arrive(key: string, stop?: Promise<void>): Promise<void> {
    const gate = this.#held.get(key);
    if (gate === undefined) return;
    gate.reached.resolve();
    await Promise.race([gate.released.promise, ...(stop ? [stop] : [])]);
  }

  land(key: string): void {
    this.#landedGate(key).resolve();
    this.#landedKeys.add(key);
  }

  /** Whether a write to `key` landed: the interleaving a test set up did happen. */
  hasLanded(key: string): boolean {
    return this.#landedKeys.has(key);
  }

  #landedGate(key: string): Deferred {
    let gate = this.#landed.get(key);
    if (gate === undefined) {
      gate = deferred();
      this.#landed.set(key, gate);
    }
    return gate;
  }
}

/**
 * The run's client of `store`, whose copies and uploads go through `timeline`; the archive's GET
 * waits for `readAfter` when given. Cleanup views and everything else go straight to the store.
 */
function clientOf(store: MemoryObjectStore, timeline: ServerTimeline, readAfter?: Promise<void>): ObjectStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'copyObject') {
        return async (...args: Parameters<ObjectStore['copyObject']>) => {
          await timeline.arrive(args[1].key);
          const copied = await target.copyObject(...args);
          timeline.land(args[1].key);
          return copied;
        };
      }
      if (property === 'uploadStream') {
        return (location: S3Location, body: Readable, options: StreamUploadOptions) => heldUpload(target, timeline, location, body, options);
      }
      if (property === 'openRead' && readAfter !== undefined) {
        return async (...args: Parameters<ObjectStore['openRead']>) => {
          await readAfter;
          return target.openRead(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * An upload that sends every byte as it comes (so a multipart upload opens as on S3), then waits
 * on the server before it completes while its key is held.
 */
function heldUpload(
  store: MemoryObjectStore,
  timeline: ServerTimeline,
  location: S3Location,
  body: Readable,
  options: StreamUploadOptions,
): Promise<{ etag: string }> {
  const relay = new PassThrough();
  const upload = store.uploadStream(location, relay, options);
  const closed = new Promise<void>((resolve) => relay.once('close', () => resolve()));
  void (async () => {
    try {
      for await (const chunk of body) {
        if (relay.destroyed) return;
        if (!relay.write(chunk)) await Promise.race([new Promise((resolve) => relay.once('drain', resolve)), closed]);
      }
      await timeline.arrive(location.key, closed);
      relay.end();
    } catch (error) {
      relay.destroy(error as Error);
    }
  })();
  return upload.then((result) => {
    timeline.land(location.key);
    return result;
  });
}

/** A cache that keeps nothing, through which the test sees the moment a failing pass starts tearing down. */
function cacheSeeingTheFailure(folder: string, failed: () => void): ArchiveCache {
  return {
    description: 'test cache',
    restore: async () => undefined,
    begin: async (key) => ({ path: join(folder, key), commit: async () => {}, discard: async () => failed() }),
    discard: async () => {},
  };
}

let cacheFolder = '';
beforeEach(() => {
  cacheFolder = mkdtempSync(join(tmpdir(), 'riva-failure-cache-'));
});
afterEach(() => {
  rmSync(cacheFolder, { recursive: true, force: true });
});

/** One full-mode run against `tree`'s store through `timeline`; `passFailed` resolves as its failing pass starts tearing down. */
function startRun(tree: MemoryBintarball, timeline: ServerTimeline, options: { inputs?: Partial<Record<InputKey, string>>; readAfter?: Promise<void> } = {}) {
  const run = harness.dependencies(tree.store);
  const passFailed = deferred();
  const deps = {
    ...run.deps,
    store: clientOf(tree.store, timeline, options.readAfter),
    cache: cacheSeeingTheFailure(cacheFolder, () => passFailed.resolve()),
  };
  const outcome = stageOperation.run(stageConfig(tree, 'full', options.inputs), deps);
  // Observed by the test through `rejectionOf`; never an unhandled rejection meanwhile.
  outcome.catch(() => undefined);
  return { run, outcome, passFailed: passFailed.promise };
}

const riva = (path: string, bytes: number): RawEntry => ({ path, content: randomBytes(bytes) });

/** The gzip'd tar of `entries` with one byte of the `index`th header changed: its checksum no longer holds. */
function withBrokenHeader(entries: readonly RawEntry[], index: number): Buffer {
  const tar = Buffer.from(gunzipSync(makeRawArchive(entries)));
  let offset = 0;
  for (const entry of entries.slice(0, index)) {
    const size = 'content' in entry ? entry.content.length : 0;
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  tar[offset] = (tar[offset] ?? 0) ^ 0x20;
  return gzipSync(tar);
}

/** An archive the pass rejects while reading it, and the words its error says why. */
interface RejectedArchive {
  readonly name: string;
  readonly bytes: () => Buffer;
  readonly error: RegExp;
  /** The `.riva` entries it stages before the rejection, whose uploads a test may hold. */
  readonly stagedFirst: readonly string[];
  /** An entry whose multipart upload is open when the archive is rejected: the failure must abort it. */
  readonly openAtRejection?: string;
}

const REJECTED_WHILE_READ: readonly RejectedArchive[] = [
  {
    name: 'a symbolic link as its first entry',
    bytes: () => makeRawArchive([{ path: 'm/link.riva', link: 'SymbolicLink', target: '/etc/passwd' }, riva('m/a.riva', 9 * MIB)]),
    error: /symbolic link/,
    stagedFirst: [],
  },
  {
    name: 'an entry climbing out with ".." after one .riva file',
    bytes: () => makeRawArchive([riva('m/a.riva', 9 * MIB), riva('../escape.riva', 4096)]),
    error: /climbs out of the archive/,
    stagedFirst: ['m/a.riva'],
  },
  {
    name: 'a hard link after two .riva files',
    bytes: () => makeRawArchive([riva('m/a.riva', 9 * MIB), riva('m/b.riva', 64 * 1024), { path: 'm/c.riva', link: 'Link', target: 'm/a.riva' }]),
    error: /hard link/,
    stagedFirst: ['m/a.riva', 'm/b.riva'],
  },
  {
    name: 'a broken header checksum after a large .riva file',
    bytes: () => withBrokenHeader([riva('m/a.riva', 9 * MIB), riva('m/b.riva', 4096)], 1),
    error: /not a valid tar/,
    stagedFirst: ['m/a.riva'],
  },
  {
    name: 'a gzip stream cut off in the middle of its second .riva file',
    bytes: () => {
      const whole = makeRawArchive([riva('m/a.riva', 2 * MIB), riva('m/b.riva', 16 * MIB)]);
      // About 12 MiB of m/b.riva arrive: its upload has opened a multipart upload when the archive ends.
      return whole.subarray(0, 14 * MIB);
    },
    error: /truncated/,
    stagedFirst: ['m/a.riva'],
    openAtRejection: 'm/b.riva',
  },
];

/** When the archive's server-side copy lands, relative to the rejection. */
type CopyTiming = 'before the archive is read' | 'as the failing pass tears down' | 'while the failing pass waits for its writes';
const COPY_TIMINGS: readonly CopyTiming[] = ['before the archive is read', 'as the failing pass tears down', 'while the failing pass waits for its writes'];
/** When the .riva uploads before the bad entry complete: at once, or held until after the parser has seen it. */
type UploadTiming = 'at once' | 'after the bad entry is read';
const UPLOAD_TIMINGS: readonly UploadTiming[] = ['at once', 'after the bad entry is read'];

/** Nothing of the run is left: no object under the staging prefix, no open upload, the state file says where it failed. */
function expectNothingLeft(tree: MemoryBintarball, run: ReturnType<typeof harness.dependencies>): void {
  expect(keysUnder(tree.store, PREFIX)).toEqual([]);
  expect(tree.store.openUploads()).toEqual([]);
  expect(run.state()).toMatchObject({ status: 'failed', failed_phase: 'write' });
  // A healthy server lets the run clean up everything: nothing to warn about.
  expect(run.warningLines).toEqual([]);
}

describe('a rejected archive leaves nothing, in every interleaving of copy, uploads and rejection', () => {
  const archives = new Map<string, Buffer>();
  const bytesOf = (archive: RejectedArchive) => {
    const bytes = archives.get(archive.name) ?? archive.bytes();
    archives.set(archive.name, bytes);
    return bytes;
  };
  const cases = REJECTED_WHILE_READ.flatMap((archive) =>
    COPY_TIMINGS.flatMap((copy) =>
      UPLOAD_TIMINGS.filter((upload) => upload === 'at once' || archive.stagedFirst.length > 0).map((upload) => [archive.name, copy, upload, archive] as const),
    ),
  );

  it.each(cases)('%s; the copy lands %s; uploads complete %s', async (_name, copyTiming, uploadTiming, archive) => {
    const tree = await seedMemoryBintarball({ archive: bytesOf(archive) });
    const timeline = new ServerTimeline();
    const copy = copyTiming === 'before the archive is read' ? undefined : timeline.hold(SOURCE_COPY);
    const uploads = uploadTiming === 'at once' ? [] : archive.stagedFirst.map((path) => timeline.hold(modelFile(path)));

    const { run, outcome, passFailed } = startRun(tree, timeline, {
      readAfter: copyTiming === 'before the archive is read' ? timeline.landed(SOURCE_COPY) : undefined,
    });
    for (const upload of uploads) {
      // Held with every byte sent; the parser reads on to the bad entry meanwhile.
      await upload.reached;
      await sleep(50);
      upload.release();
    }
    if (copy !== undefined) {
      await passFailed;
      if (copyTiming === 'while the failing pass waits for its writes') await sleep(SETTLE_BUDGET_MS / 4);
      copy.release();
    }
    const error = await rejectionOf(outcome);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(archive.error);
    // The interleaving happened: the copy and every upload before the bad entry landed, and were removed.
    expect(timeline.hasLanded(SOURCE_COPY)).toBe(true);
    for (const path of archive.stagedFirst) expect(timeline.hasLanded(modelFile(path)), path).toBe(true);
    if (archive.openAtRejection !== undefined) {
      expect(tree.store.requests).toContainEqual({ operation: 'abortMultipartUpload', key: `${tree.bucket}/${modelFile(archive.openAtRejection)}` });
    }
    expectNothingLeft(tree, run);
  }, 20_000);

  it.each(['before the archive is read', 'after every file is staged'] as const)(
    'an archive found not to hash to expected-sha256 at the end; the copy lands %s',
    async (copyTiming) => {
      const archive = makeRawArchive([riva('m/a.riva', 9 * MIB), riva('m/b.riva', 64 * 1024)]);
      const tree = await seedMemoryBintarball({ archive });
      const timeline = new ServerTimeline();
      const copy = copyTiming === 'before the archive is read' ? undefined : timeline.hold(SOURCE_COPY);

      const { run, outcome } = startRun(tree, timeline, {
        inputs: { expectedSha256: 'a'.repeat(64) },
        readAfter: copy === undefined ? timeline.landed(SOURCE_COPY) : undefined,
      });
      if (copy !== undefined) {
        // The archive has been read and every file staged; the hash check waits for the copy.
        await Promise.all([timeline.landed(modelFile('m/a.riva')), timeline.landed(modelFile('m/b.riva'))]);
        await sleep(100);
        copy.release();
      }
      const error = await rejectionOf(outcome);

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain(sha256(archive));
      expectNothingLeft(tree, run);
    },
    20_000,
  );

  it('a copy that lands after the failing pass stopped waiting for it (a large CopyObject) is removed too', async () => {
    // On S3 a CopyObject of a multi-GiB archive takes far longer than the pass waits for its
    // writes once an entry is rejected: the copy lands after the run gave up on it.
    const tree = await seedMemoryBintarball({ archive: bytesOf(REJECTED_WHILE_READ[0]!) });
    const timeline = new ServerTimeline();
    const copy = timeline.hold(SOURCE_COPY);

    const { run, outcome, passFailed } = startRun(tree, timeline);
    await passFailed;
    await sleep(SETTLE_BUDGET_MS + 1000);
    copy.release();
    const error = await rejectionOf(outcome);
    await timeline.landed(SOURCE_COPY);

    expect(error).toBeInstanceOf(ValidationError);
    expectNothingLeft(tree, run);
  }, 20_000);
});

describe('a refused upload part-way through several .riva files', () => {
  it('ends in an AccessDeniedError, no uncaught exception, uploads aborted, what landed kept for the re-run, no marker', async () => {
    const files = { 'm/a.riva': 9 * MIB, 'm/b.riva': 9 * MIB, 'm/c.riva': 9 * MIB, 'm/d.riva': 64 * 1024 };
    const tree = await seedMemoryBintarball({ archive: makeRawArchive(Object.entries(files).map(([path, size]) => riva(path, size))) });
    const timeline = new ServerTimeline();
    const first = timeline.hold(modelFile('m/a.riva'));
    const second = timeline.hold(modelFile('m/b.riva'));
    // The in-memory server refuses the upload as a whole; on S3 it is one of its part PUTs.
    tree.store.inject({ operation: 'uploadStream', matches: (location) => location.key === modelFile('m/a.riva'), error: { status: 403, code: 'AccessDenied' } });
    const uncaught: string[] = [];
    const record = (kind: string) => (error: unknown) => uncaught.push(`${kind}: ${String(error)}`);
    const onException = record('uncaught exception');
    const onRejection = record('unhandled rejection');
    process.on('uncaughtException', onException);
    process.on('unhandledRejection', onRejection);
    try {
      const { run, outcome } = startRun(tree, timeline);
      // Both upload slots are busy, and m/c.riva waits for one: the failure strikes an entry
      // whose consumer has not started reading it.
      await first.reached;
      await second.reached;
      await sleep(100);
      first.release();
      await sleep(50);
      second.release();
      const ended = await Promise.race([outcome.then(() => 'staged', (error: unknown) => error), sleep(5000).then(() => 'still running')]);

      expect(uncaught).toEqual([]);
      expect(ended).not.toBe('still running');
      const error = await rejectionOf(outcome);
      expect(error).toBeInstanceOf(AccessDeniedError);
      expect((error as Error).message).toContain('models/m/a.riva');
      expect(tree.store.openUploads()).toEqual([]);
      const keys = keysUnder(tree.store, PREFIX);
      expect(keys).not.toContain('staging_complete.txt');
      expect(keys).not.toContain('artifact.json');
      expect(keys).not.toContain('staging_lease.json');
      expect(keys).not.toContain('models/m/a.riva');
      // Not a rejected archive: what landed stays, recorded for the re-run to continue from.
      expect(keys).toEqual(expect.arrayContaining(['models/m/b.riva', 'staging_in_progress.json']));
      expect(run.state()).toMatchObject({ status: 'failed', failed_phase: 'write' });
    } finally {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    }

    const rerun = harness.dependencies(tree.store);
    const result = await stageOperation.run(stageConfig(tree, 'full'), rerun.deps);
    expect(result.status).toBe('staged');
    expect(result.content?.reused).toContain('models/m/b.riva');
  }, 20_000);
});

describe('cancellation in process', () => {
  it('aborting the run mid-upload rejects the run, aborts its uploads and releases its lease', async () => {
    const cancel = new AbortController();
    const archive = makeRawArchive([riva('m/a.riva', 9 * MIB), riva('m/b.riva', 9 * MIB)]);
    const tree = await seedMemoryBintarball({ archive, store: { signal: cancel.signal } });
    const timeline = new ServerTimeline();
    const upload = timeline.hold(modelFile('m/a.riva'));

    const { run, outcome } = startRun(tree, timeline);
    // Every byte of m/a.riva sent, its multipart upload open, not completed.
    await upload.reached;
    expect(tree.store.openUploads()).toEqual([expect.stringContaining('models/m/a.riva#')]);
    cancel.abort(new Error('Cancelled by SIGINT'));
    const error = await rejectionOf(outcome);

    expect(error).toBeInstanceOf(Error);
    expect(tree.store.openUploads()).toEqual([]);
    const keys = keysUnder(tree.store, PREFIX);
    expect(keys).not.toContain('staging_lease.json');
    expect(keys).not.toContain('staging_complete.txt');
    expect(keys).not.toContain('artifact.json');
    expect(run.state()).toMatchObject({ status: 'failed', failed_phase: 'write' });
  }, 20_000);
});
