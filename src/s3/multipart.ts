import type { Readable } from 'node:stream';
import { AbortMultipartUploadCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { errorCodeOf } from './errors.ts';
import { unquote, type ObjectStore } from './object-store.ts';
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
  readonly #uploads = new Set<Upload>();
  readonly #open = new Map<string, S3Location>();

  track(upload: Upload): void {
    this.#uploads.add(upload);
  }

  /** A multipart upload started outside lib-storage (a server-side multipart copy). */
  opened(uploadId: string, location: S3Location): void {
    this.#open.set(uploadId, location);
  }

  closed(uploadId: string): void {
    this.#open.delete(uploadId);
  }

  settled(upload: Upload): void {
    this.#uploads.delete(upload);
  }

  /** Aborts everything still open; best effort, never throws (the run is failing already). */
  async abortAll(store: ObjectStore): Promise<string[]> {
    const aborted: string[] = [];
    const uploads = [...this.#uploads];
    await Promise.allSettled(uploads.map((upload) => upload.abort()));
    for (const upload of uploads) {
      const uploadId = upload.uploadId;
      const params = (upload as unknown as { params?: { Bucket?: string; Key?: string } }).params;
      if (uploadId && params?.Bucket && params.Key) this.#open.set(uploadId, { bucket: params.Bucket, key: params.Key });
    }
    for (const [uploadId, location] of this.#open) {
      try {
        await store.client.send(
          new AbortMultipartUploadCommand({ Bucket: location.bucket, Key: location.key, UploadId: uploadId }),
        );
        aborted.push(`${location.key}#${uploadId}`);
      } catch (error) {
        // Already completed or aborted (NoSuchUpload) is the outcome we want.
        if (errorCodeOf(error) !== 'NoSuchUpload') aborted.push(`${location.key}#${uploadId} (abort failed: ${errorCodeOf(error)})`);
      }
    }
    this.#open.clear();
    this.#uploads.clear();
    return aborted;
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
  const abortController = new AbortController();
  const onAbort = () => abortController.abort(store.signal?.reason);
  store.signal?.addEventListener('abort', onAbort, { once: true });
  const upload = new Upload({
    client: store.client,
    params: { Bucket: location.bucket, Key: location.key, Body: body, ContentType: 'application/octet-stream' },
    partSize: partSizeFor(sizeBytes),
    queueSize: UPLOAD_QUEUE_SIZE,
    leavePartsOnError: false,
    abortController,
  });
  uploads.track(upload);
  try {
    const output = await upload.done();
    uploads.settled(upload);
    return { etag: unquote(output.ETag ?? '') };
    // A failed upload stays tracked, so that abortAll makes sure its parts are gone.
  } catch (error) {
    throw store.describeError(error, `upload ${what}`, location);
  } finally {
    store.signal?.removeEventListener('abort', onAbort);
  }
}
