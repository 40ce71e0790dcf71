import { createHash, randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/limit.ts';
import { MemoryObjectStore, s3ServiceError } from '../../src/s3/memory-object-store.ts';
import { hashObjectInParts } from '../../src/s3/object-hash.ts';
import type { PinnedRange } from '../../src/s3/object-store.ts';
import { PinnedObjectChangedError, fetchParts, partsFrom } from '../../src/s3/pinned-parts.ts';
import type { S3Location } from '../../src/s3/uri.ts';

const BUCKET = 'hashing';
const KEY = 'model.riva';
const PART = 64 * 1024;

/** A store holding one object, counting the ranged GETs in flight at once. */
function storeWith(body: Buffer) {
  const store = new MemoryObjectStore();
  store.createBucket(BUCKET);
  const etag = store.putObject(BUCKET, KEY, body);
  const counts = { inFlight: 0, mostInFlight: 0, bytes: 0 };
  const readRange = store.readRange.bind(store);
  store.readRange = async (location: S3Location, range: PinnedRange, stop?: AbortSignal) => {
    counts.inFlight += 1;
    counts.mostInFlight = Math.max(counts.mostInFlight, counts.inFlight);
    try {
      // A network's latency: the parts' answers overlap, as they would over a link.
      await new Promise((resolve) => setTimeout(resolve, 2));
      const answer = await readRange(location, range, stop);
      counts.bytes += Math.min(range.last, body.length - 1) - range.first + 1;
      return answer;
    } finally {
      counts.inFlight -= 1;
    }
  };
  const object = { location: { bucket: BUCKET, key: KEY }, uri: `s3://${BUCKET}/${KEY}`, etag, versionId: undefined, what: 'the model', sizeBytes: body.length };
  return { store, object, counts };
}

describe('hashObjectInParts', () => {
  it('hashes an object read in parallel ranged GETs, at most as many at once as the slots, each byte once', async () => {
    const body = randomBytes(16 * PART + 123);
    const { store, object, counts } = storeWith(body);
    let reported = 0;

    const sha256 = await hashObjectInParts(store, object, { slots: new Semaphore(4), partSize: PART, maxAttempts: 3, onBytes: (bytes) => (reported += bytes) });

    expect(sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(store.requests.filter((request) => request.operation === 'readRange')).toHaveLength(17);
    expect(store.requests.filter((request) => request.operation === 'openRead')).toEqual([]);
    expect(counts.mostInFlight).toBeGreaterThan(1);
    expect(counts.mostInFlight).toBeLessThanOrEqual(4);
    expect(counts.bytes).toBe(body.length);
    expect(reported).toBe(body.length);
  });

  it('fetches a part again when its GET fails on the way', async () => {
    const body = randomBytes(4 * PART);
    const { store, object } = storeWith(body);
    store.inject({ operation: 'readRange', error: { status: 503, code: 'SlowDown' } });

    const sha256 = await hashObjectInParts(store, object, { slots: new Semaphore(2), partSize: PART, maxAttempts: 3 });

    expect(sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(store.requests.filter((request) => request.operation === 'readRange')).toHaveLength(5);
  });

  it('fails, without retrying, when the object is no longer the one pinned', async () => {
    const { store, object } = storeWith(randomBytes(4 * PART));
    store.putObject(BUCKET, KEY, randomBytes(4 * PART));

    await expect(hashObjectInParts(store, object, { slots: new Semaphore(2), partSize: PART, maxAttempts: 3 })).rejects.toBeInstanceOf(PinnedObjectChangedError);
  });
});

describe('fetchParts', () => {
  it('stops every GET in flight at the first failure: a part whose server went silent does not hold up the answer', async () => {
    const body = randomBytes(4 * PART);
    const { store, object } = storeWith(body);
    const readRange = store.readRange.bind(store);
    const silent: PassThrough[] = [];
    store.readRange = async (location: S3Location, range: PinnedRange, stop?: AbortSignal) => {
      if (range.first === PART) throw s3ServiceError(412, 'PreconditionFailed');
      if (range.first !== 0) return readRange(location, range, stop);
      // The first part's headers come, then nothing: the connection stays open and silent. As the
      // SDK does, an abort of the GET's signal destroys the request and the body with it.
      const answer = new PassThrough();
      silent.push(answer);
      stop?.addEventListener('abort', () => answer.destroy(Object.assign(new Error('Request aborted'), { name: 'AbortError' })), { once: true });
      return { body: answer, etag: object.etag };
    };
    const written: number[] = [];

    const outcome = fetchParts(store, object, partsFrom(0, body.length, PART), { slots: new Semaphore(2), maxAttempts: 3, onBytes: () => {} }, async (part) => {
      written.push(part.first);
    });

    // The refused part is the answer, not the abort it caused in the silent one.
    await expect(outcome).rejects.toBeInstanceOf(PinnedObjectChangedError);
    expect(silent).toHaveLength(1);
    expect(silent[0]!.destroyed).toBe(true);
    expect(written).toEqual([]);
  });

  it('lets go of each part once it is written: memory stays at the parts in flight, not the object', async () => {
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    const body = randomBytes(32 * PART);
    const { store, object } = storeWith(body);
    const written: Array<WeakRef<Buffer>> = [];
    const alive: number[] = [];

    await fetchParts(store, object, partsFrom(0, body.length, PART), { slots: new Semaphore(2), maxAttempts: 1, onBytes: () => {} }, async (_part, bytes) => {
      collectGarbage();
      alive.push(written.filter((part) => part.deref() !== undefined).length);
      written.push(new WeakRef(bytes));
    });

    // Before a part is written, at most the part just written before it may still be reachable.
    expect(alive).toHaveLength(32);
    expect(Math.max(...alive)).toBeLessThanOrEqual(1);
  });
});
