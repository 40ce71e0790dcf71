import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archiveCacheKey, type ArchiveCache } from '../../src/cache/archive-cache.ts';
import { LocalDirectoryCache } from '../../src/cache/local-directory-cache.ts';
import type { ReferencedObject } from '../../src/metadata.ts';
import { openArchiveBytes, type ArchiveBytes } from '../../src/operations/stage/archive-source.ts';
import { MemoryObjectStore, type MemoryObjectStoreOptions } from '../../src/s3/memory-object-store.ts';
import { TransferProgress } from '../../src/transfer-progress.ts';

// openArchiveBytes against the in-memory S3 and a local-directory cache in a temporary folder.
const BUCKET = 'models';
const KEY = 'bintarball/riva-models/archive.tar.gz';
const KIB = 1024;
const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');
/** Bytes that differ from part to part, so a misplaced part changes every hash. */
const bytes = (size: number, seed = 0) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8) + seed) % 251));

const GENUINE = bytes(100 * KIB);
/** Same size, other bytes: only a proof against S3 tells them apart. */
const IMPOSTOR = bytes(100 * KIB, 1);

let directory: string;
let cache: LocalDirectoryCache;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'riva-archive-source-'));
  cache = new LocalDirectoryCache(directory);
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** The archive in S3: one PutObject, or a multipart upload of 32 KiB parts. */
async function sourceIn(options: MemoryObjectStoreOptions & { multipart?: boolean } = {}) {
  const store = new MemoryObjectStore(options);
  store.createBucket(BUCKET);
  const location = { bucket: BUCKET, key: KEY };
  if (options.multipart) {
    const upload = { partSize: 32 * KIB, queueSize: 1, contentType: 'application/gzip', onOpen: () => {} };
    await store.uploadStream(location, Readable.from([GENUINE]), upload);
  } else {
    store.putObject(BUCKET, KEY, GENUINE);
  }
  const source: ReferencedObject = { location, info: await store.describe(location, 'the model archive') };
  return { store, source };
}

/** A cache entry for the source as `commit` writes one: the file and a sidecar naming its SHA-256. */
async function cacheEntry(source: ReferencedObject, body: Buffer): Promise<void> {
  const writer = await cache.begin(archiveCacheKey(source));
  writeFileSync(writer.path, body);
  await writer.commit(sha256(body));
}

/** One streaming pass as full mode makes it: read every byte, then keep what a miss wrote. */
async function pass(store: MemoryObjectStore, source: ReferencedObject, knownSha256: readonly string[] = [], archiveCache: ArchiveCache = cache) {
  const logs: string[] = [];
  const warnings: string[] = [];
  store.requests.length = 0;
  const archive: ArchiveBytes = await openArchiveBytes({
    source,
    store,
    cache: archiveCache,
    maxAttempts: 2,
    progress: new TransferProgress('Reading', source.info.size, () => {}),
    log: (message) => logs.push(message),
    warn: (message) => warnings.push(message),
    knownSha256,
  });
  const read = await buffer(archive.stream);
  await archive.keep(sha256(read));
  const fromS3 = store.requests.some((request) => request.operation === 'openRead');
  return { outcome: archive.cache, read, fromS3, logs, warnings, requests: store.requests.map((request) => request.operation) };
}

describe('openArchiveBytes: a cached archive is used only once shown to be the source object', () => {
  it('uses a genuine entry of a single-part object, proven by recomputing its MD5 ETag', async () => {
    const { store, source } = await sourceIn();
    await cacheEntry(source, GENUINE);

    const run = await pass(store, source);

    expect(run.outcome).toBe('hit');
    expect(run.read.equals(GENUINE)).toBe(true);
    expect(run.fromS3).toBe(false);
    expect(run.logs).toEqual([`Reading the model archive from the local directory ${directory} (100.00 KiB not downloaded; its ETag matches S3's).`]);
    expect(run.warnings).toEqual([]);
  });

  it('refuses a replaced file whose sidecar was replaced to match, reads from S3 and rewrites the entry', async () => {
    const { store, source } = await sourceIn();
    await cacheEntry(source, IMPOSTOR);

    const run = await pass(store, source);

    expect(run.outcome).toBe('miss');
    expect(run.read.equals(GENUINE)).toBe(true);
    expect(run.fromS3).toBe(true);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toMatch(
      /^The cached copy of the model archive is unusable \(its bytes give the ETag [0-9a-f]{32}, S3's is [0-9a-f]{32}\); discarding it and reading from S3\.$/,
    );
    // The miss wrote the genuine bytes back: the next run hits.
    expect((await pass(store, source)).outcome).toBe('hit');
  });

  it('uses a genuine entry of a multipart object, with the part size from a HEAD of part 1', async () => {
    const { store, source } = await sourceIn({ multipart: true });
    expect(source.info.etag).toMatch(/-4$/);
    await cacheEntry(source, GENUINE);

    const run = await pass(store, source);

    expect(run.outcome).toBe('hit');
    expect(run.requests).toEqual(['headPart']);
    expect(run.logs[0]).toContain('its ETag matches S3\'s');

    await cacheEntry(source, IMPOSTOR);
    const replaced = await pass(store, source);
    expect(replaced.outcome).toBe('miss');
    expect(replaced.read.equals(GENUINE)).toBe(true);
    expect(replaced.warnings[0]).toMatch(/its bytes give the ETag [0-9a-f]{32}-4, S3's is/);
  });

  it('passes over an entry of a multipart object it cannot prove, with one log line and no warning', async () => {
    const { store, source } = await sourceIn({ multipart: true, partHeads: false });
    await cacheEntry(source, GENUINE);

    const run = await pass(store, source);

    expect(run.outcome).toBe('miss');
    expect(run.read.equals(GENUINE)).toBe(true);
    expect(run.fromS3).toBe(true);
    expect(run.warnings).toEqual([]);
    expect(run.logs.filter((line) => line.startsWith('Not using'))).toEqual([
      'Not using the cached copy of the model archive: nothing shows its bytes are the source object\'s ' +
        '(its multipart ETag needs the part size, and the server reports no part count for a HEAD of part 1); reading from S3.',
    ]);
    expect(run.logs).toContain(`Saved the model archive to the local directory ${directory}.`);
    expect(readdirSync(directory).sort()).toEqual([`${archiveCacheKey(source)}.json`, `${archiveCacheKey(source)}.tar.gz`]);
  });

  it('passes over an entry when the part HEAD fails, saying why', async () => {
    const { store, source } = await sourceIn({ multipart: true });
    await cacheEntry(source, GENUINE);
    store.inject({ operation: 'headPart', error: { status: 400, code: 'InvalidArgument' } });

    const run = await pass(store, source);

    expect(run.outcome).toBe('miss');
    expect(run.warnings).toEqual([]);
    expect(run.logs.join('\n')).toMatch(/did not answer a HEAD of part 1: .*InvalidArgument/);
  });

  it('passes over an entry of an SSE-KMS object, whose ETag is no MD5', async () => {
    const { store, source } = await sourceIn({ sseKms: true });
    await cacheEntry(source, GENUINE);

    const run = await pass(store, source);

    expect(run.outcome).toBe('miss');
    expect(run.warnings).toEqual([]);
    expect(run.logs.join('\n')).toContain('(the object is encrypted with aws:kms, so its ETag is no MD5 of its bytes)');
  });

  it('uses an entry whose SHA-256 the caller vouches for, where the ETag cannot prove it', async () => {
    for (const options of [{ multipart: true, partHeads: false }, { sseKms: true }]) {
      const { store, source } = await sourceIn(options);
      await cacheEntry(source, GENUINE);

      const run = await pass(store, source, ['0'.repeat(64), sha256(GENUINE).toUpperCase()]);

      expect(run.outcome).toBe('hit');
      expect(run.fromS3).toBe(false);
      expect(run.logs[0]).toContain('its SHA-256 is one this run knows for the archive');
    }
    // A vouched-for hash proves nothing about other bytes.
    const { store, source } = await sourceIn({ sseKms: true });
    await cacheEntry(source, IMPOSTOR);
    expect((await pass(store, source, [sha256(GENUINE)])).outcome).toBe('miss');
  });

  it('uses S3\'s full-object SHA-256 when it has one, and discards an entry that differs from it', async () => {
    const { store, source } = await sourceIn({ fullObjectSha256: true, sseKms: true });
    expect(source.info.sha256).toBe(sha256(GENUINE));
    await cacheEntry(source, GENUINE);
    const run = await pass(store, source);
    expect(run.outcome).toBe('hit');
    expect(run.logs[0]).toContain('its SHA-256 matches S3\'s');

    await cacheEntry(source, IMPOSTOR);
    const replaced = await pass(store, source);
    expect(replaced.outcome).toBe('miss');
    expect(replaced.warnings[0]).toContain('(recorded SHA-256 differs from S3\'s)');
  });

  it('discards an entry of another size, or one whose file no longer matches its sidecar', async () => {
    const { store, source } = await sourceIn();
    await cacheEntry(source, GENUINE.subarray(1));
    expect((await pass(store, source)).warnings[0]).toContain(`(${GENUINE.length - 1} bytes, the archive has ${GENUINE.length})`);

    await cacheEntry(source, GENUINE);
    writeFileSync(join(directory, `${archiveCacheKey(source)}.tar.gz`), IMPOSTOR);
    const corrupt = await pass(store, source);
    expect(corrupt.outcome).toBe('miss');
    expect(corrupt.warnings[0]).toContain(`(its SHA-256 is ${sha256(IMPOSTOR)}, ${sha256(GENUINE)} was recorded)`);
  });
});

describe('openArchiveBytes: the cache reports what it did', () => {
  /** A cache whose copy cannot be kept: written to /dev/full (ENOSPC), or refused when committed. */
  const failingCache = (writer: { path: string; commit: () => Promise<void> }): ArchiveCache => ({
    description: 'local directory /full',
    restore: async () => undefined,
    begin: async () => ({ ...writer, discard: async () => {} }),
    discard: async () => {},
  });

  it.each([
    ['a full disk', { path: '/dev/full', commit: async () => {} }, /: ENOSPC/],
    ['a refused commit', { path: '/dev/null', commit: () => Promise.reject(new Error('EROFS: read-only file system')) }, /: EROFS/],
  ])('a miss it could not save (%s) is unsaved, with one warning, and every byte still streams', async (_, writer, cause) => {
    const { store, source } = await sourceIn();

    const run = await pass(store, source, [], failingCache(writer));

    expect(run.outcome).toBe('unsaved');
    expect(run.read.equals(GENUINE)).toBe(true);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toMatch(/^Could not save the model archive to the local directory \/full/);
    expect(run.warnings[0]).toMatch(cause);
    expect(run.logs.filter((line) => line.startsWith('Saved'))).toEqual([]);
  });

  it('a miss it saved stays a miss', async () => {
    const { store, source } = await sourceIn();
    expect((await pass(store, source)).outcome).toBe('miss');
  });
});

describe('openArchiveBytes: a failed pass', () => {
  it('stops the download when the pass discards the archive, instead of filling the cache file to the end', async () => {
    const size = 8 * 1024 * KIB;
    const store = new MemoryObjectStore();
    store.createBucket(BUCKET);
    store.putObject(BUCKET, KEY, bytes(size));
    const source: ReferencedObject = { location: { bucket: BUCKET, key: KEY }, info: await store.describe({ bucket: BUCKET, key: KEY }, 'the model archive') };
    const progress = new TransferProgress('Reading', size, () => {});
    const archive = await openArchiveBytes({ source, store, cache, maxAttempts: 2, progress, log: () => {}, warn: () => {}, knownSha256: [] });

    // The pass reads a first chunk, then fails (an entry rejected) and tears down as full mode does.
    await new Promise<void>((resolve) => archive.stream.once('data', () => resolve()));
    archive.stream.destroy();
    await archive.discard();
    const bytesAtDiscard = progress.bytes;
    for (let turn = 0; turn < 50; turn += 1) await new Promise((resolve) => setImmediate(resolve));

    expect(bytesAtDiscard).toBeLessThan(size);
    expect(progress.bytes).toBe(bytesAtDiscard);
    expect(readdirSync(directory)).toEqual([]);
  });
});
