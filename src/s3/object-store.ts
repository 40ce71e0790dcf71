import type { Readable } from 'node:stream';
import { httpStatusOf } from './errors.ts';
import type { CleanupStep } from './cleanup-deadline.ts';
import type { RetryLog } from './retry-log.ts';
import { formatS3Uri, type S3Location } from './uri.ts';

/** What S3 says about an object, in the form the metadata records it. */
export interface ObjectInfo {
  readonly size: number;
  /** Without surrounding quotes: servers differ in whether they send them. */
  readonly etag: string;
  /** The Content-Type the object was stored with, where the server reports one. */
  readonly contentType?: string;
  readonly lastModified: string | null;
  /** Hex SHA-256 of the whole object when S3 holds a full-object checksum, else null. */
  readonly sha256: string | null;
  /** The server's clock when it answered (its Date header), where it sent one: a lease expires by it, not by the runner's. */
  readonly serverDate?: string;
  /**
   * The server-side encryption HEAD reports (`AES256`, `aws:kms`, `aws:kms:dsse`, or `SSE-C` for
   * a customer key); absent when none is reported. SSE-KMS and SSE-C ETags are no MD5 of the bytes.
   */
  readonly encryption?: string;
  /** The version HEAD reports in a versioned bucket (absent otherwise, and for the `null` version). */
  readonly versionId?: string;
}

/** One pinned ranged GET: the object's bytes `first`..`last` as they were when staged. */
export interface PinnedRange {
  /** The recorded ETag (without quotes), sent as `If-Match`. */
  readonly ifMatch: string;
  /** The recorded version, when the bucket is versioned: the bytes of that version, whatever was written since. */
  readonly versionId?: string | undefined;
  readonly first: number;
  readonly last: number;
}

/** What a HEAD of one part (`partNumber`) says: that part's size and how many the object has. */
export interface PartInfo {
  readonly size: number;
  /** Undefined when the server reports none: a single-part object, or a server that ignores `partNumber`. */
  readonly partsCount: number | undefined;
  /** The whole object's ETag, without quotes. */
  readonly etag: string;
}

/** One object of a listing. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

/** A delimiter listing under a prefix: the objects directly under it and the "folders" below. */
export interface Listing {
  readonly objects: readonly ListedObject[];
  /** Full keys of the common prefixes, each ending in the delimiter. */
  readonly prefixes: readonly string[];
}

/** An object to copy from, pinned to the ETag the run validated. */
export interface CopySource {
  readonly location: S3Location;
  readonly etag: string;
  readonly sizeBytes: number;
}

/** A byte range, both ends included (as `bytes=first-last`). */
export interface ByteRange {
  readonly first: number;
  readonly last: number;
}

export interface CompletedPart {
  readonly partNumber: number;
  /** As the server returned it: S3 wants it back unchanged. */
  readonly etag: string;
}

/** Something a failing run must abort: an open multipart upload. */
export interface OpenUpload {
  readonly location: S3Location;
  readonly uploadId: string | undefined;
  abort(): Promise<void>;
}

export interface StreamUploadOptions {
  readonly partSize: number;
  /** Parts in flight at once: memory per upload is at most this many parts. */
  readonly queueSize: number;
  readonly contentType: string;
  /** Told about the upload as soon as it starts, so a failing run can abort it. */
  readonly onOpen: (upload: OpenUpload) => void;
  /** Told each time a part (or the one PutObject) has been acknowledged: completing the upload may take the server a while longer. */
  readonly onPartAcknowledged?: () => void;
}

/**
 * Every S3 request a run makes goes through this interface: one place to add a header, a
 * condition or a fault. Two implementations: the SDK-backed `S3ObjectStore` and the in-memory
 * `MemoryObjectStore` that the in-process tests run the operations against.
 *
 * The document methods (`head` … `list`) turn failures into typed errors that name the object
 * and the fix. The transfer methods (`openRead`, copies, multipart) throw the server's error as
 * it came (`httpStatusOf`/`errorCodeOf` read it), because the transfers decide what a 412 or a
 * 501 means before describing it with `describeError`.
 */
export interface ObjectStore {
  /** Aborts every request when the run's deadline passes. */
  readonly signal: AbortSignal | undefined;
  /** Where transfers that retry on their own (resumed downloads) report it. */
  readonly retries: RetryLog | undefined;

  /** The object's facts, or undefined when it does not exist. */
  head(location: S3Location, what: string): Promise<ObjectInfo | undefined>;
  /** Like `head`, for an object that must exist. */
  describe(location: S3Location, what: string): Promise<ObjectInfo>;
  /**
   * HEAD of one part of the object (`partNumber`, from 1), as S3 answers it for an object
   * uploaded in parts; servers that do not support it fail or report no part count.
   */
  headPart(location: S3Location, partNumber: number, what: string): Promise<PartInfo>;
  getText(location: S3Location, what: string): Promise<string>;
  /**
   * Writes a small document and returns its ETag. With `onlyIfAbsent`, the write is conditional
   * (`If-None-Match: *`) and an existing object makes it throw ObjectExistsError; with
   * `ifMatch`, it replaces only the object with that ETag (`If-Match`), and any other object,
   * or none, makes it throw ObjectExistsError. Servers that ignore the conditions simply write.
   */
  putText(location: S3Location, body: string, contentType: string, what: string, options?: ConditionalWrite): Promise<string>;
  /**
   * Deletes the object (a missing one is no error). With `ifMatch`, only the object with that
   * ETag (`If-Match` on DeleteObject, as AWS honours it): another object, or none, makes it throw
   * ObjectExistsError. Servers that ignore the condition simply delete.
   */
  delete(location: S3Location, what: string, options?: ConditionalDelete): Promise<void>;
  /**
   * HeadBucket: resolves when the bucket exists and the credentials reach it. A missing bucket
   * is a NotFoundError naming it; wrong region, access denied and an unreachable endpoint are
   * their typed errors, as for objects.
   */
  checkBucket(bucket: string, what: string): Promise<void>;
  /** One page after another of a delimiter listing under `prefix` (a key ending in `/`). */
  list(prefix: S3Location, what: string, options?: { delimiter?: string }): Promise<Listing>;

  /** One GET of the object from `offset` on, pinned to `ifMatch` (an ETag without quotes). */
  openRead(location: S3Location, options: { ifMatch: string; offset: number }): Promise<Readable>;
  /**
   * One ranged GET pinned to an ETag (and a version, when given), with the ETag the server
   * answered with: a server that ignores `If-Match` still says which object it sent. `stop` (as
   * well as the run's signal) aborts this GET alone, its body too, however silent the server.
   */
  readRange(location: S3Location, range: PinnedRange, stop?: AbortSignal): Promise<{ body: Readable; etag: string }>;
  /** CopyObject, pinned to the source's ETag. */
  copyObject(source: CopySource, target: S3Location): Promise<{ etag: string }>;
  createMultipartUpload(target: S3Location, options?: { contentType?: string }): Promise<string>;
  uploadPartCopy(
    target: S3Location,
    uploadId: string,
    partNumber: number,
    source: { readonly location: S3Location; readonly etag: string | undefined },
    range: ByteRange,
  ): Promise<CompletedPart>;
  completeMultipartUpload(target: S3Location, uploadId: string, parts: readonly CompletedPart[]): Promise<{ etag: string }>;
  abortMultipartUpload(target: S3Location, uploadId: string): Promise<void>;
  /**
   * Uploads a stream of known size: one PutObject for a small body, else a multipart upload with
   * `queueSize` parts in flight, pulling from `body` only as parts complete.
   */
  uploadStream(target: S3Location, body: Readable, options: StreamUploadOptions): Promise<{ etag: string }>;

  /** The typed, actionable error for a failed request on `location`. */
  describeError(error: unknown, action: string, location: S3Location): Error;

  /**
   * From now on every request that writes or deletes first calls `check`, which throws to stop
   * it: a run that may have lost its lease must not write another byte. Undefined lifts it.
   */
  guardWrites(check: (() => void) | undefined): void;

  /**
   * The same store (same server, same write guard) with requests bound to `step`'s share of the
   * run's one cleanup deadline (CleanupDeadline) instead of the run's signal: how a cancelled or
   * expired run still aborts its uploads, removes a partial staging and releases its lease after
   * its own signal has fired, all within one budget counted from the stop.
   */
  cleanupView(step: CleanupStep): ObjectStore;
}

/** The condition of a document write. */
export interface ConditionalWrite {
  readonly onlyIfAbsent?: boolean;
  /** The ETag (without quotes) the object must still have. */
  readonly ifMatch?: string;
}

/** A conditional write found the object already there. */
export class ObjectExistsError extends Error {
  override readonly name = 'ObjectExistsError';
}

/**
 * A conditional write's refusal as ObjectExistsError: 412 (the object exists, or no longer has
 * the ETag) or 409 ConditionalRequestConflict (another conditional write of it is under way),
 * and for `ifMatch` a 404 (the object is gone). Undefined for any other failure, and for a
 * write that was not conditional.
 */
export function lostConditionalWrite(error: unknown, location: S3Location, condition: ConditionalWrite = {}): ObjectExistsError | undefined {
  const status = httpStatusOf(error) ?? 0;
  const lost = (condition.onlyIfAbsent && [409, 412].includes(status)) || (condition.ifMatch !== undefined && [404, 409, 412].includes(status));
  return lost ? new ObjectExistsError(`${formatS3Uri(location)} was written by someone else meanwhile.`) : undefined;
}

/** The condition of a delete. */
export interface ConditionalDelete {
  /** The ETag (without quotes) the object must still have. */
  readonly ifMatch?: string;
}

/** What a failed delete throws, in either store: a lost condition as ObjectExistsError, else the typed error. */
export function failedDelete(store: ObjectStore, error: unknown, location: S3Location, what: string, condition: ConditionalDelete): Error {
  return lostConditionalWrite(error, location, condition) ?? store.describeError(error, `delete ${what}`, location);
}

/** `describe` for either store: its `head`, with a missing object as the typed error that names it. */
export async function describeExisting(store: ObjectStore, location: S3Location, what: string): Promise<ObjectInfo> {
  const info = await store.head(location, what);
  // What a HEAD of a missing object answers: a bodiless 404.
  if (info === undefined) throw store.describeError({ name: 'NotFound', $metadata: { httpStatusCode: 404 } }, `find ${what}`, location);
  return info;
}

/** `checkBucket`'s answer to a bucket that does not exist (a bodiless 404 to HeadBucket). */
export function missingBucket(store: ObjectStore, bucket: string, what: string): Error {
  return store.describeError({ name: 'NoSuchBucket', Code: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } }, `find ${what}`, { bucket, key: '' });
}

export function unquote(etag: string): string {
  return etag.replace(/^"(.*)"$/, '$1');
}
