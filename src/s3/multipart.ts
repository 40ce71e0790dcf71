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

  /** Aborts everything still open; best effort, never throws (the run is failing already). */
  async abortAll(): Promise<string[]> {
    const uploads = [...this.#open];
    this.#open.clear();
    const outcomes = await Promise.all(
      uploads.map(async (upload) => {
        try {
          await upload.abort();
          // An upload that never opened a multipart upload (a single PutObject) left nothing.
          return upload.uploadId === undefined ? [] : [`${upload.location.key}#${upload.uploadId}`];
        } catch (error) {
          const name = `${upload.location.key}#${upload.uploadId ?? ''}`;
          // Already completed or aborted (NoSuchUpload) is the outcome we want.
          return errorCodeOf(error) === 'NoSuchUpload' ? [] : [`${name} (abort failed: ${errorCodeOf(error)})`];
        }
      }),
    );
    return outcomes.flat();
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
