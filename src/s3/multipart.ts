import type { Readable } from 'node:stream';
import { errorCodeOf } from './errors.ts';
import type { ObjectStore, OpenUpload } from './object-store.ts';
import type { S3Location } from './uri.ts';

const MIB = 1024 * 1024;
/** Parts in flight per upload: memory per upload is at most this many parts. */
export const UPLOAD_QUEUE_SIZE = 4;
const MIN_PART_SIZE = 8 * MIB;
// S3 allows 10,000 parts; keep a margin for a size that grows by a header or two.
const MAX_PARTS = 9_000;

/** Parts of at least 8 MiB, larger when needed to stay under S3's 10,000-part limit. */
export function partSizeFor(sizeBytes: number): number {
  return Math.max(MIN_PART_SIZE, Math.ceil(sizeBytes / MAX_PARTS / MIB) * MIB);
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
 * `UPLOAD_QUEUE_SIZE` parts in flight, pulling from `body` only as parts complete.
 */
export async function uploadStream(
  store: ObjectStore,
  uploads: MultipartUploads,
  location: S3Location,
  body: Readable,
  sizeBytes: number,
  what: string,
): Promise<StreamUploadResult> {
  let open: OpenUpload | undefined;
  try {
    const result = await store.uploadStream(location, body, {
      partSize: partSizeFor(sizeBytes),
      queueSize: UPLOAD_QUEUE_SIZE,
      contentType: 'application/octet-stream',
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
