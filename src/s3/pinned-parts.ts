import { ValidationError } from '../errors.ts';
import type { Semaphore } from '../limit.ts';
import { backoffDelay, isTransient, sleep } from './backoff.ts';
import { errorCodeOf, httpStatusOf } from './errors.ts';
import type { ObjectStore } from './object-store.ts';
import type { S3Location } from './uri.ts';

// Parallel ranged GETs of one object pinned to its recorded ETag (and version), handed over in
// order: what fetch writes to disk and deep verify hashes.

/** An object as the metadata pins it: what a ranged GET needs, and how messages name it. */
export interface PinnedObject {
  readonly location: S3Location;
  readonly uri: string;
  /** The ETag every ranged GET is pinned to (`If-Match`), and that the answer must carry. */
  readonly etag: string;
  /** The version to read, where the bucket is versioned: those bytes even after the key was overwritten. */
  readonly versionId: string | undefined;
  /** How messages name it. */
  readonly what: string;
}

/** A part of an object: the bytes `first`..`last`, both included. */
export interface Part {
  readonly first: number;
  readonly last: number;
}

/** The parts of the bytes from `offset` to `size`, each at most `partSize` long. */
export function partsFrom(offset: number, size: number, partSize: number): Part[] {
  const parts: Part[] = [];
  for (let first = offset; first < size; first += partSize) parts.push({ first, last: Math.min(first + partSize, size) - 1 });
  return parts;
}

export interface PartSettings {
  /** Shared by every object read at once: one slot per part fetched and not yet handed over, so memory stays at slots × part size. */
  readonly slots: Semaphore;
  /** Attempts per part. */
  readonly maxAttempts: number;
  readonly onBytes: (bytes: number) => void;
}

/** The object is not the one the metadata pins: changed since staging, or gone. */
export class PinnedObjectChangedError extends ValidationError {}

/**
 * Fetches `parts` in parallel (as many as the shared slots allow) and hands each to `write` in
 * order. A launcher takes a slot per part in order and a writer releases it once the part is
 * written, so the part a writer waits for has always been started: no deadlock across downloads.
 * The first failure (a part's or the writer's) is the answer, and stops every GET still in flight
 * at once, a silent one too: nothing waits for the parts before the failed one to land.
 */
export async function fetchParts(
  store: ObjectStore,
  download: PinnedObject,
  parts: readonly Part[],
  settings: PartSettings,
  write: (part: Part, bytes: Buffer) => Promise<void>,
): Promise<void> {
  const stop = new AbortController();
  let failure: { readonly error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    stop.abort(error);
  };
  const landed = parts.map(() => deferred<Buffer>());
  const taken = deferred<Buffer>();
  taken.resolve(Buffer.alloc(0));
  const releases: Array<() => void> = [];
  const launcher = (async () => {
    for (const [index, part] of parts.entries()) {
      const release = await settings.slots.acquire();
      releases.push(release);
      if (stop.signal.aborted) return;
      fetchPart(store, download, part, stop.signal, settings).then(landed[index]!.resolve, (error: unknown) => {
        fail(error);
        landed[index]!.reject(error);
      });
    }
  })();
  try {
    for (const [index, part] of parts.entries()) {
      const bytes = await landed[index]!.promise;
      // A settled promise holds on to its value: without letting go of each part once it is taken,
      // every part of the object would stay in memory until the last one is written.
      landed[index] = taken;
      await write(part, bytes);
      releases[index]?.();
    }
  } catch (error) {
    fail(error);
    // The parts stopped by the failure fail with the abort; the failure itself is the answer.
    throw failure!.error;
  } finally {
    // Parts still in flight end at the abort; their slots go back to the other downloads.
    await Promise.allSettled(landed.slice(0, releases.length).map((part) => part.promise));
    for (const release of releases) release();
    await launcher;
    for (const release of releases) release();
  }
}

/** One part, retried on a broken connection or a transient answer; a changed object is never retried. */
async function fetchPart(
  store: ObjectStore,
  download: PinnedObject,
  part: Part,
  stop: AbortSignal,
  settings: Pick<PartSettings, 'maxAttempts' | 'onBytes'>,
): Promise<Buffer> {
  const expected = part.last - part.first + 1;
  for (let attempt = 1; ; attempt += 1) {
    try {
      // The store adds the run's own signal: a cancelled run, or one past its deadline, stops this GET too.
      const answer = await store.readRange(download.location, { ifMatch: download.etag, versionId: download.versionId, ...part }, stop);
      if (answer.etag !== '' && answer.etag !== download.etag) {
        answer.body.destroy();
        throw changed(download, `its ETag is ${answer.etag}, the metadata records ${download.etag}`);
      }
      const chunks: Buffer[] = [];
      let received = 0;
      for await (const chunk of answer.body) {
        if (stop.aborted) {
          answer.body.destroy();
          throw new Error('The read stopped: another part failed.');
        }
        const buffer = chunk as Buffer;
        chunks.push(buffer);
        received += buffer.length;
        settings.onBytes(buffer.length);
      }
      if (received > expected) throw changed(download, `bytes ${part.first}-${part.last} came back as ${received} bytes`);
      if (received < expected) {
        settings.onBytes(-received);
        throw Object.assign(new Error(`the response ended after ${received} of ${expected} bytes`), { code: 'ECONNRESET' });
      }
      return Buffer.concat(chunks, received);
    } catch (error) {
      if (error instanceof ValidationError || stop.aborted) throw error;
      if (store.signal?.aborted) throw store.describeError(error, `download ${download.what}`, download.location);
      const status = httpStatusOf(error);
      if (status === 412 || errorCodeOf(error) === 'PreconditionFailed') {
        throw changed(download, `it no longer has the ETag ${download.etag} the metadata records`);
      }
      if (status === 404) throw changed(download, download.versionId === undefined ? 'it is missing' : `its version ${download.versionId} is missing`);
      if (!isTransient(error) || attempt >= settings.maxAttempts) {
        throw store.describeError(error, `download ${download.what} (bytes ${part.first}-${part.last}, attempt ${attempt})`, download.location);
      }
      store.retries?.record({ operation: `GetObject ${download.what} bytes ${part.first}-${part.last}`, attempt: attempt + 1, reason: errorCodeOf(error) });
      await sleep(backoffDelay(attempt), store.signal === undefined ? stop : AbortSignal.any([stop, store.signal]));
    }
  }
}

function changed(download: PinnedObject, why: string): PinnedObjectChangedError {
  return new PinnedObjectChangedError(
    `${download.uri} (${download.what}) is not the object the metadata pins: ${why}. ` +
      'It was changed after it was staged; re-stage (or verify) before deploying it.',
  );
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Awaited in order by the writer; one that fails after the writer has stopped must not go unhandled.
  promise.catch(() => {});
  return { promise, resolve, reject };
}
