import { ValidationError } from '../errors.ts';
import { errorCodeOf, httpStatusOf } from './errors.ts';
import type { MultipartUploads } from './multipart.ts';
import type { ByteRange, CompletedPart, CopySource, ObjectStore } from './object-store.ts';
import { formatS3Uri, type S3Location } from './uri.ts';

const GIB = 1024 ** 3;
/** CopyObject copies up to 5 GiB; larger objects are copied part by part. */
export const SINGLE_COPY_LIMIT = 5 * GIB;
const COPY_PART_SIZE = 512 * 1024 ** 2;
const COPY_CONCURRENCY = 4;

export interface CopyOptions {
  /** Objects above this size use multipart UploadPartCopy. */
  readonly singleCopyLimit?: number;
  readonly partSize?: number;
  /** What is copied, for messages ('the model archive' unless said). */
  readonly what?: string;
}

/**
 * Copies an object inside S3 (no bytes through the runner), pinned to the source ETag so a
 * source that changed meanwhile fails the copy instead of staging something else.
 */
export async function serverSideCopy(
  store: ObjectStore,
  uploads: MultipartUploads,
  source: CopySource,
  target: S3Location,
  options: CopyOptions = {},
): Promise<{ etag: string }> {
  const what = options.what ?? 'the model archive';
  const copied = await copyObjectOrParts(store, uploads, source, target, options, what);
  // S3 enforces CopySourceIfMatch and Ceph RGW its own x-amz-copy-if-match (both are sent), but
  // other S3-compatible servers may enforce neither: check that the source still has the ETag
  // the run validated.
  const now = await store.head(source.location, what);
  if (now?.etag !== source.etag) {
    await store.delete(target, `the copy of ${what}`);
    throw new ValidationError(
      `${capitalised(what)} changed while it was copied (ETag ${source.etag} → ${now?.etag ?? 'deleted'}). Re-run once it is settled.`,
    );
  }
  return copied;
}

/**
 * Whether the server copies objects server-side, asked with three small requests (open a
 * multipart upload, copy two bytes of the source into it, abort it), so that a run knows before
 * its download starts whether it must upload the archive's bytes itself.
 */
export async function supportsServerSideCopy(
  store: ObjectStore,
  uploads: MultipartUploads,
  source: CopySource,
  target: S3Location,
  warn: (message: string) => void,
): Promise<boolean> {
  let uploadId: string | undefined;
  let forget = () => {};
  try {
    uploadId = await store.createMultipartUpload(target);
    forget = uploads.opened(store, uploadId, target);
    await store.uploadPartCopy(target, uploadId, 1, { location: source.location, etag: undefined }, probeRange(source.sizeBytes));
    return true;
  } catch (error) {
    if (isNotImplemented(error)) return false;
    throw store.describeError(error, 'check server-side copy into the staging', target);
  } finally {
    if (uploadId !== undefined) {
      // The probe's answer stands either way: a server that cannot abort (the stock embedded
      // server) leaves two bytes behind, which is a warning, not the run's outcome.
      await store.abortMultipartUpload(target, uploadId).catch((error: unknown) => {
        warn(
          `Could not abort the multipart upload ${uploadId} of ${formatS3Uri(target)} that checked server-side copy ` +
            `(${errorCodeOf(error)}): its 2 bytes stay until a lifecycle rule with AbortIncompleteMultipartUpload removes them.`,
        );
      });
      forget();
    }
  }
}

/**
 * The first two bytes (one when that is all there is). Not `bytes=0-0`: a server that reads an
 * end offset of 0 as "no end" (the embedded test server does) would copy the whole archive.
 */
function probeRange(sizeBytes: number): ByteRange {
  return { first: 0, last: Math.min(1, sizeBytes - 1) };
}

async function copyObjectOrParts(
  store: ObjectStore,
  uploads: MultipartUploads,
  source: CopySource,
  target: S3Location,
  options: CopyOptions,
  what: string,
): Promise<{ etag: string }> {
  try {
    if (source.sizeBytes <= (options.singleCopyLimit ?? SINGLE_COPY_LIMIT)) {
      try {
        return await store.copyObject(source, target);
      } catch (error) {
        // A server may copy part by part only (the probe found UploadPartCopy working).
        if (!isNotImplemented(error)) throw error;
      }
    }
    return await multipartCopy(store, uploads, source, target, options.partSize ?? COPY_PART_SIZE);
  } catch (error) {
    if (httpStatusOf(error) === 412 || errorCodeOf(error) === 'PreconditionFailed') {
      throw new ValidationError(`${capitalised(what)} changed before it was copied (its ETag is no longer ${source.etag}). Re-run once it is settled.`);
    }
    throw store.describeError(error, `copy ${what}`, target);
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** 501 NotImplemented, or 405 MethodNotAllowed (how some servers say it): no server-side copy there. */
function isNotImplemented(error: unknown): boolean {
  return [405, 501].includes(httpStatusOf(error) ?? 0) || ['NotImplemented', 'MethodNotAllowed'].includes(errorCodeOf(error));
}

async function multipartCopy(
  store: ObjectStore,
  uploads: MultipartUploads,
  source: CopySource,
  target: S3Location,
  partSize: number,
): Promise<{ etag: string }> {
  // A CopyObject keeps the source's content type; a copy made of parts is a new upload that must be told it.
  const contentType = (await store.head(source.location, 'the copy source'))?.contentType;
  const uploadId = await store.createMultipartUpload(target, contentType === undefined ? {} : { contentType });
  const forget = uploads.opened(store, uploadId, target);
  const ranges: Array<{ partNumber: number; range: ByteRange }> = [];
  for (let first = 0, partNumber = 1; first < source.sizeBytes; first += partSize, partNumber += 1) {
    ranges.push({ partNumber, range: { first, last: Math.min(first + partSize, source.sizeBytes) - 1 } });
  }
  const parts: CompletedPart[] = [];
  let next = 0;
  const worker = async () => {
    while (next < ranges.length) {
      const { partNumber, range } = ranges[next++]!;
      parts.push(await store.uploadPartCopy(target, uploadId, partNumber, source, range));
    }
  };
  await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, ranges.length) }, worker));
  parts.sort((a, b) => a.partNumber - b.partNumber);
  const completed = await store.completeMultipartUpload(target, uploadId, parts);
  forget();
  return completed;
}
