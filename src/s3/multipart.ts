import type { Readable } from 'node:stream';
import { ValidationError } from '../errors.ts';
import { formatBytes } from '../format.ts';
import { errorCodeOf } from './errors.ts';
import type { ObjectStore, OpenUpload } from './object-store.ts';
import type { S3Location } from './uri.ts';

const MIB = 1024 * 1024;
/** Parts in flight per upload while parts are small. */
export const UPLOAD_QUEUE_SIZE = 4;
const MIN_PART_SIZE = 8 * MIB;
/**
 * Part buffers one upload holds at most (lib-storage keeps every part in flight in memory): 4
 * parts of 8 MiB. Larger parts mean fewer of them in flight, never more memory; the README's
 * memory limit rests on this, whatever size an upload is told.
 */
export const UPLOAD_MEMORY_BUDGET = UPLOAD_QUEUE_SIZE * MIN_PART_SIZE;
/**
 * A part costs more than its size: lib-storage copies each part together from the chunks it
 * read, and both wait for a garbage collection. Measured in full mode (peak RSS, one upload):
 * 230 MiB with 8 MiB parts 4 in flight, 244 MiB with 16 MiB parts 2 in flight, but 273 MiB with
 * a single 32 MiB part in flight, too close to the README's 300 MiB. So parts stop at 16 MiB.
 */
const MAX_PART_SIZE = 16 * MIB;
// S3 allows 10,000 parts; keep a margin for a size that grows by a header or two.
const MAX_PARTS = 9_000;
/** The largest body `uploadStream` takes: 9,000 parts of 16 MiB (140.63 GiB). */
export const MAX_STREAM_UPLOAD_BYTES = MAX_PARTS * MAX_PART_SIZE;

/** Parts of at least 8 MiB, larger when needed to stay under S3's 10,000-part limit. */
export function partSizeFor(sizeBytes: number): number {
  return Math.max(MIN_PART_SIZE, Math.ceil(sizeBytes / MAX_PARTS / MIB) * MIB);
}

/** Parts in flight for parts of `partSize`: as many as `UPLOAD_MEMORY_BUDGET` holds, 1 to `UPLOAD_QUEUE_SIZE`. */
export function queueSizeFor(partSize: number): number {
  return Math.max(1, Math.min(UPLOAD_QUEUE_SIZE, Math.floor(UPLOAD_MEMORY_BUDGET / partSize)));
}

/**
 * Every multipart upload a run starts, so that a failing run can abort them all: a failure must
 * never leave parts behind (they cost storage and are invisible in listings).
 */
export class MultipartUploads {
  readonly #open = new Set<OpenUpload>();

  /** An upload the store started for a stream. */
  track(upload: OpenUpload): void {
    this.#open.add(upload);
  }

  /** A multipart upload opened by id (a server-side multipart copy); returns how to forget it once completed. */
  opened(store: ObjectStore, uploadId: string, location: S3Location): () => void {
    const upload: OpenUpload = { location, uploadId, abort: () => store.abortMultipartUpload(location, uploadId) };
    this.#open.add(upload);
    return () => this.#open.delete(upload);
  }

  settled(upload: OpenUpload): void {
    this.#open.delete(upload);
  }

  /**
   * Aborts everything still open; best effort, never throws (the run is failing already). What
   * could not be aborted (a server without AbortMultipartUpload, a denied request) is returned
   * for a warning: its parts stay until a lifecycle rule removes them.
   */
  async abortAll(): Promise<AbortOutcome> {
    const uploads = [...this.#open];
    this.#open.clear();
    const outcomes = await Promise.all(
      uploads.map(async (upload): Promise<AbortOutcome> => {
        const name = `${upload.location.key}#${upload.uploadId ?? ''}`;
        try {
          await upload.abort();
          // An upload that never opened a multipart upload (a single PutObject) left nothing.
          return { aborted: upload.uploadId === undefined ? [] : [name], failed: [] };
        } catch (error) {
          // Already completed or aborted (NoSuchUpload) is the outcome we want.
          if (errorCodeOf(error) === 'NoSuchUpload') return { aborted: [], failed: [] };
          return { aborted: [], failed: [`${name} (${errorCodeOf(error)})`] };
        }
      }),
    );
    return { aborted: outcomes.flatMap((outcome) => outcome.aborted), failed: outcomes.flatMap((outcome) => outcome.failed) };
  }
}

/** What `abortAll` did: `key#uploadId` of each upload aborted, and of each it could not abort (with why). */
export interface AbortOutcome {
  readonly aborted: readonly string[];
  readonly failed: readonly string[];
}

/** Logs what was aborted and warns about what could not be: the cleanup every failing transfer ends with. */
export function reportAborts(outcome: AbortOutcome, log: (message: string) => void, warn: (message: string) => void): void {
  if (outcome.aborted.length > 0) log(`Aborted ${outcome.aborted.length} multipart upload(s): ${outcome.aborted.join(', ')}`);
  if (outcome.failed.length > 0) {
    warn(
      `Could not abort ${outcome.failed.length} multipart upload(s): ${outcome.failed.join(', ')}. Their parts stay (and cost ` +
        'storage) until removed: give the bucket a lifecycle rule with AbortIncompleteMultipartUpload.',
    );
  }
}

export interface StreamUploadResult {
  readonly etag: string;
}

/**
 * Uploads a stream of known size: one PutObject for a small body, else a multipart upload with
 * `queueSizeFor` parts in flight, pulling from `body` only as parts complete. A size over
 * `MAX_STREAM_UPLOAD_BYTES` is refused before anything is read or sent.
 */
export async function uploadStream(
  store: ObjectStore,
  uploads: MultipartUploads,
  location: S3Location,
  body: Readable,
  sizeBytes: number,
  what: string,
  onPartAcknowledged?: () => void,
): Promise<StreamUploadResult> {
  if (sizeBytes > MAX_STREAM_UPLOAD_BYTES) {
    // Nothing will read it now: end it here, quietly (its producer hears of the failure from the caller).
    body.destroy();
    throw new ValidationError(
      `Cannot upload ${what}: it is ${formatBytes(sizeBytes)} (${sizeBytes} bytes), and the largest file this tool uploads is ` +
        `${formatBytes(MAX_STREAM_UPLOAD_BYTES)} (${MAX_PARTS} parts of at most ${formatBytes(MAX_PART_SIZE)}, so that memory stays bounded).`,
    );
  }
  const partSize = partSizeFor(sizeBytes);
  let open: OpenUpload | undefined;
  try {
    const result = await store.uploadStream(location, body, {
      partSize,
      queueSize: queueSizeFor(partSize),
      contentType: 'application/octet-stream',
      onPartAcknowledged,
      onOpen: (upload) => {
        open = upload;
        uploads.track(upload);
      },
    });
    if (open !== undefined) uploads.settled(open);
    return result;
    // A failed upload stays tracked, so that abortAll makes sure its parts are gone.
  } catch (error) {
    throw store.describeError(error, `upload ${what}`, location);
  }
}
