import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { ValidationError } from '../../errors.ts';
import { Semaphore } from '../../limit.ts';
import { backoffDelay, isTransient, sleep } from '../../s3/backoff.ts';
import { errorCodeOf, httpStatusOf } from '../../s3/errors.ts';
import type { ObjectStore } from '../../s3/object-store.ts';
import { partsFrom, type Part, type PinnedDownload } from './plan.ts';

export interface DownloadSettings {
  readonly partSize: number;
  /** Shared by every download of a fetch: one slot per part fetched and not yet written, so memory stays at slots × partSize. */
  readonly slots: Semaphore;
  readonly maxAttempts: number;
  readonly onBytes: (bytes: number) => void;
  readonly log: (message: string) => void;
}

/** What a ranged GET needs of a pinned object, and how messages name it. */
export type PinnedObject = Pick<PinnedDownload, 'location' | 'uri' | 'etag' | 'versionId' | 'what'>;

/** The object is not the one the metadata pins: changed since staging, or gone. */
export class PinnedObjectChangedError extends ValidationError {}

/**
 * Downloads one pinned object into `path` from byte `resumeFrom` (the bytes before it are
 * already there, and are hashed from disk), with parallel ranged GETs each pinned by `If-Match`
 * to the recorded ETag (and to the recorded version, when there is one). Parts are appended and
 * hashed in order as they land; the answer to every GET must carry the recorded ETag, so a
 * server that ignores `If-Match` still cannot hand over another object. Returns the SHA-256 of
 * the whole file; comparing it with the recorded one is the caller's.
 */
export async function downloadPinned(
  store: ObjectStore,
  download: PinnedDownload,
  path: string,
  resumeFrom: number,
  settings: DownloadSettings,
): Promise<string> {
  const hash = createHash('sha256');
  if (resumeFrom > 0) {
    // The hash state is not kept between runs; the bytes on disk are, and re-reading them is cheap.
    await updateFromFile(hash, path, resumeFrom);
    settings.log(`Continuing ${download.what} from byte ${resumeFrom} of ${download.sizeBytes}.`);
  }
  const file = await open(path, resumeFrom > 0 ? 'r+' : 'w');
  try {
    await fetchParts(store, download, partsFrom(resumeFrom, download.sizeBytes, settings.partSize), settings, async (part, bytes) => {
      hash.update(bytes);
      await file.write(bytes, 0, bytes.length, part.first);
    });
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}

/**
 * Fetches `parts` in parallel (as many as the shared slots allow) and hands each to `write` in
 * order. A launcher takes a slot per part in order and a writer releases it once the part is
 * written, so the part a writer waits for has always been started: no deadlock across downloads.
 */
export async function fetchParts(
  store: ObjectStore,
  download: PinnedObject,
  parts: readonly Part[],
  settings: Pick<DownloadSettings, 'slots' | 'maxAttempts' | 'onBytes'>,
  write: (part: Part, bytes: Buffer) => Promise<void>,
): Promise<void> {
  const stop = new AbortController();
  const landed = parts.map(() => deferred<Buffer>());
  const taken = deferred<Buffer>();
  taken.resolve(Buffer.alloc(0));
  const releases: Array<() => void> = [];
  const launcher = (async () => {
    for (const [index, part] of parts.entries()) {
      const release = await settings.slots.acquire();
      releases.push(release);
      if (stop.signal.aborted) return;
      fetchPart(store, download, part, stop.signal, settings).then(landed[index]!.resolve, landed[index]!.reject);
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
    stop.abort();
    throw error;
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
  settings: Pick<DownloadSettings, 'maxAttempts' | 'onBytes'>,
): Promise<Buffer> {
  const expected = part.last - part.first + 1;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const answer = await store.readRange(download.location, { ifMatch: download.etag, versionId: download.versionId, ...part });
      if (answer.etag !== '' && answer.etag !== download.etag) {
        answer.body.destroy();
        throw changed(download, `its ETag is ${answer.etag}, the metadata records ${download.etag}`);
      }
      const chunks: Buffer[] = [];
      let received = 0;
      for await (const chunk of answer.body) {
        if (stop.aborted) {
          answer.body.destroy();
          throw new Error('The fetch stopped.');
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
      await sleep(backoffDelay(attempt), store.signal);
    }
  }
}

function changed(download: PinnedObject, why: string): PinnedObjectChangedError {
  return new PinnedObjectChangedError(
    `${download.uri} (${download.what}) is not the object the metadata pins: ${why}. ` +
      'It was changed after it was staged; re-stage (or verify) before deploying it.',
  );
}

async function updateFromFile(hash: Hash, path: string, endBytes: number): Promise<void> {
  const file = await open(path, 'r');
  try {
    for await (const chunk of file.createReadStream({ start: 0, end: endBytes - 1, autoClose: false })) hash.update(chunk as Buffer);
  } finally {
    await file.close();
  }
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
