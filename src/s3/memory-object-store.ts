import { createHash, randomUUID } from 'node:crypto';
import { Readable, addAbortSignal } from 'node:stream';
import { describeS3Error, isNotFound } from './errors.ts';
import { multipartEtag } from './etag.ts';
import {
  describeExisting,
  failedDelete,
  lostConditionalWrite,
  missingBucket,
  unquote,
  type ByteRange,
  type CompletedPart,
  type ConditionalDelete,
  type ConditionalWrite,
  type CopySource,
  type ListedObject,
  type Listing,
  type ObjectInfo,
  type ObjectStore,
  type OpenUpload,
  type PartInfo,
  type PinnedRange,
  type StreamUploadOptions,
} from './object-store.ts';
import { CleanupDeadline, type CleanupStep } from './cleanup-deadline.ts';
import type { RetryLog } from './retry-log.ts';
import { formatS3Uri, type S3Location } from './uri.ts';
import type { ObjectWriteOptions } from './write-options.ts';

/** The requests a fault can strike: the ObjectStore methods that send one (`describe` sends a `head`). */
export type RequestName =
  | 'head' | 'headBucket' | 'headPart' | 'getText' | 'putText' | 'delete' | 'list' | 'openRead' | 'readRange' | 'copyObject' | 'createMultipartUpload'
  | 'uploadPartCopy' | 'completeMultipartUpload' | 'abortMultipartUpload' | 'uploadStream';

/** A failure the next matching request(s) answer with instead of doing their work. */
export interface Fault {
  readonly operation: RequestName;
  /** Which locations fail (the target of a copy or upload, the prefix of a listing); all when absent. */
  readonly matches?: (location: S3Location) => boolean;
  /** How many matching requests fail; 1 when absent. */
  readonly times?: number;
  /** A server answer (status and S3 code) or an error to throw as is; 500 InternalError when absent. */
  readonly error?: { readonly status: number; readonly code: string } | Error;
}

/** One request the store received; `key` is `bucket/key`. */
export interface StoreRequest {
  readonly operation: RequestName;
  readonly key: string;
}

export interface MemoryObjectStoreOptions {
  /** For describeError, as S3ObjectStore has them; 'us-east-1' and 'memory://' by default. */
  readonly region?: string;
  readonly endpoint?: string;
  readonly signal?: AbortSignal;
  readonly retries?: RetryLog;
  /** HEAD reports a SHA-256 for single-part objects, as S3 does for uploads made with a checksum. */
  readonly fullObjectSha256?: boolean;
  /** false: ignore `If-None-Match: *`, as some S3-compatible servers do. */
  readonly conditionalWrites?: boolean;
  /** false: DeleteObject ignores `If-Match` and deletes, as Ceph RGW 16 and the embedded test server do (AWS honours it). */
  readonly conditionalDeletes?: boolean;
  /** false: CopyObject and UploadPartCopy answer 501 NotImplemented. */
  readonly serverSideCopy?: boolean;
  /** How objects are written (encryption, ACL, class, tags): recorded with each object the store writes. */
  readonly writes?: ObjectWriteOptions;
  /** false: AbortMultipartUpload answers 405 MethodNotAllowed (the embedded test server does). */
  readonly abortMultipartUpload?: boolean;
  /** false: a HEAD ignores `partNumber` and answers for the whole object, with no part count. */
  readonly partHeads?: boolean;
  /** true: objects are stored with SSE-KMS, so HEAD reports `aws:kms` and no ETag is an MD5 of the bytes. */
  readonly sseKms?: boolean;
  /** true: the bucket keeps versions, as a versioned S3 bucket does: every write makes a new one, and HEAD reports it. */
  readonly versioned?: boolean;
  /** The server's clock (ms since the epoch) for LastModified and the Date of its answers; `Date.now` by default. */
  readonly clock?: () => number;
}

/** What the in-memory "server" holds. */
interface ServerState {
  readonly buckets: Set<string>;
  /** By `bucket/key`: bucket names cannot contain a slash, so the first one splits them. */
  readonly objects: Map<string, StoredObject>;
  /** Every version written to a versioned bucket, by `bucket/key#versionId`. */
  readonly versions: Map<string, StoredObject>;
  readonly uploads: Map<string, MultipartUpload>;
  readonly faults: Array<{ readonly fault: Fault; remaining: number }>;
  writeGuard: (() => void) | undefined;
}

interface StoredObject {
  readonly body: Buffer;
  readonly etag: string;
  /** The size of each part of an object a multipart upload completed; undefined for a single-part one. */
  readonly partSizes: readonly number[] | undefined;
  readonly contentType: string;
  readonly lastModified: string;
  /** The write options of the request that wrote it; undefined for objects a test put directly. */
  readonly writtenWith: ObjectWriteOptions | undefined;
  readonly versionId: string | undefined;
}

interface MultipartUpload {
  readonly location: S3Location;
  readonly contentType: string;
  readonly parts: Map<number, { readonly body: Buffer; readonly etag: string }>;
}

/** Small enough that streaming code sees an object of a few hundred KiB in several chunks. */
const CHUNK_SIZE = 64 * 1024;
const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
const WRITES: ReadonlySet<RequestName> = new Set<RequestName>([
  'putText', 'delete', 'copyObject', 'createMultipartUpload', 'uploadPartCopy', 'completeMultipartUpload', 'abortMultipartUpload', 'uploadStream',
]);

/** An error shaped like an AWS SDK v3 service error, so `httpStatusOf`/`errorCodeOf` read it as a server's answer. */
export function s3ServiceError(status: number, code: string, message: string = code): Error {
  return Object.assign(new Error(message), { name: code, Code: code, $metadata: { httpStatusCode: status } });
}

/**
 * The object store as an S3 server in memory, for in-process tests of the operations: the same
 * ETags, conditions, listings and error shapes the product sees from S3, plus hooks to inject
 * faults and to see which requests were made.
 */
export class MemoryObjectStore implements ObjectStore {
  /** Every request the "server" received, in order (not the test-side helpers below). */
  readonly requests: StoreRequest[] = [];
  readonly #options: MemoryObjectStoreOptions;
  /** The "server": shared with cleanup views of this store. */
  readonly #server: ServerState;
  /** Shared with cleanup views of this store, as S3ObjectStore's is. */
  readonly #cleanup: CleanupDeadline;

  /** `view` is for `cleanupView` only: a view shares the server, its requests and the cleanup deadline. */
  constructor(options: MemoryObjectStoreOptions = {}, view?: { server: ServerState; requests: StoreRequest[]; cleanup: CleanupDeadline }) {
    this.#options = options;
    this.#server = view?.server ?? { buckets: new Set(), objects: new Map(), versions: new Map(), uploads: new Map(), faults: [], writeGuard: undefined };
    this.#cleanup = view?.cleanup ?? new CleanupDeadline(options.signal);
    if (view !== undefined) this.requests = view.requests;
  }

  cleanupView(step: CleanupStep): MemoryObjectStore {
    return new MemoryObjectStore({ ...this.#options, signal: this.#cleanup.signal(step) }, { server: this.#server, requests: this.requests, cleanup: this.#cleanup });
  }

  get signal(): AbortSignal | undefined {
    return this.#options.signal;
  }

  get retries(): RetryLog | undefined {
    return this.#options.retries;
  }

  createBucket(name: string): void {
    this.#server.buckets.add(name);
  }

  /** Writes an object directly (not a request); returns its ETag. */
  putObject(bucket: string, key: string, body: Buffer | string): string {
    if (!this.#server.buckets.has(bucket)) throw new TypeError(`MemoryObjectStore: create the bucket ${bucket} first`);
    const bytes = Buffer.from(body);
    return this.#store({ bucket, key }, bytes, singlePart(bytes), DEFAULT_CONTENT_TYPE, undefined).etag;
  }

  /** The write options an object was written with, and its content type (not a request). */
  storedAs(bucket: string, key: string): { readonly writtenWith: ObjectWriteOptions | undefined; readonly contentType: string } | undefined {
    return this.#server.objects.get(idOf({ bucket, key }));
  }

  getObject(bucket: string, key: string): Buffer | undefined {
    return this.#server.objects.get(idOf({ bucket, key }))?.body;
  }

  keys(bucket: string): string[] {
    const start = `${bucket}/`;
    return [...this.#server.objects.keys()].filter((id) => id.startsWith(start)).map((id) => id.slice(start.length)).sort(byteOrder);
  }

  /** Multipart uploads neither completed nor aborted, as `key#uploadId`. */
  openUploads(): string[] {
    return [...this.#server.uploads].map(([uploadId, upload]) => `${upload.location.key}#${uploadId}`);
  }

  writes(): StoreRequest[] {
    return this.requests.filter((request) => WRITES.has(request.operation));
  }

  inject(fault: Fault): void {
    this.#server.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  async head(location: S3Location, what: string): Promise<ObjectInfo | undefined> {
    try {
      this.#request('head', location);
      const object = this.#object(location);
      const singlePart = !object.etag.includes('-');
      return {
        size: object.body.length,
        etag: object.etag,
        contentType: object.contentType,
        lastModified: object.lastModified,
        sha256: this.#options.fullObjectSha256 && singlePart ? createHash('sha256').update(object.body).digest('hex') : null,
        serverDate: new Date(this.#now()).toISOString(),
        ...(this.#options.sseKms ? { encryption: 'aws:kms' } : {}),
        ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
      };
    } catch (error) {
      // As on S3: a HEAD of a missing key or bucket is a bodiless 404.
      if (isNotFound(error)) return undefined;
      throw this.describeError(error, `read ${what}`, location);
    }
  }

  async headPart(location: S3Location, partNumber: number, what: string): Promise<PartInfo> {
    try {
      this.#request('headPart', location);
      const object = this.#object(location);
      if (this.#options.partHeads === false) return { size: object.body.length, partsCount: undefined, etag: object.etag };
      // As S3: part 1 of a single-part object is the whole object, with no part count.
      const sizes = object.partSizes ?? [object.body.length];
      const size = sizes[partNumber - 1];
      if (size === undefined) throw s3ServiceError(416, 'InvalidPartNumber', 'The requested partnumber is not satisfiable');
      return { size, partsCount: object.partSizes?.length, etag: object.etag };
    } catch (error) {
      throw this.describeError(error, `read part ${partNumber} of ${what}`, location);
    }
  }

  describe(location: S3Location, what: string): Promise<ObjectInfo> {
    return describeExisting(this, location, what);
  }

  async getText(location: S3Location, what: string): Promise<string> {
    try {
      this.#request('getText', location);
      return this.#object(location).body.toString('utf8');
    } catch (error) {
      throw this.describeError(error, `read ${what}`, location);
    }
  }

  async putText(location: S3Location, body: string, contentType: string, what: string, options: ConditionalWrite = {}): Promise<string> {
    try {
      this.#request('putText', location);
      this.#bucket(location);
      if (this.#options.conditionalWrites !== false) {
        const existing = this.#server.objects.get(idOf(location));
        if (options.onlyIfAbsent && existing !== undefined) throw s3ServiceError(412, 'PreconditionFailed');
        if (options.ifMatch !== undefined && existing === undefined) throw s3ServiceError(404, 'NoSuchKey');
        if (options.ifMatch !== undefined && existing?.etag !== unquote(options.ifMatch)) throw s3ServiceError(412, 'PreconditionFailed');
      }
      const bytes = Buffer.from(body, 'utf8');
      return this.#store(location, bytes, singlePart(bytes), contentType).etag;
    } catch (error) {
      // The same mapping as S3ObjectStore, so an injected 409 ConditionalRequestConflict reads as S3's would.
      throw lostConditionalWrite(error, location, options) ?? this.describeError(error, `write ${what}`, location);
    }
  }

  async delete(location: S3Location, what: string, options: ConditionalDelete = {}): Promise<void> {
    try {
      this.#request('delete', location);
      this.#bucket(location);
      if (options.ifMatch !== undefined && this.#options.conditionalDeletes !== false) {
        const existing = this.#server.objects.get(idOf(location));
        if (existing === undefined) throw s3ServiceError(404, 'NoSuchKey');
        if (existing.etag !== unquote(options.ifMatch)) throw s3ServiceError(412, 'PreconditionFailed');
      }
      // S3 answers 204 for a key that is not there.
      this.#server.objects.delete(idOf(location));
    } catch (error) {
      throw failedDelete(this, error, location, what, options);
    }
  }

  async checkBucket(bucket: string, what: string): Promise<void> {
    const location = { bucket, key: '' };
    try {
      this.#request('headBucket', location);
      this.#bucket(location);
    } catch (error) {
      // As on S3: a HEAD of a missing bucket is a bodiless 404.
      throw isNotFound(error) ? missingBucket(this, bucket, what) : this.describeError(error, `reach ${what}`, location);
    }
  }

  async list(prefix: S3Location, what: string, options: { delimiter?: string } = {}): Promise<Listing> {
    try {
      this.#request('list', prefix);
      this.#bucket(prefix);
      const delimiter = options.delimiter ?? '';
      const objects: ListedObject[] = [];
      const prefixes = new Set<string>();
      for (const key of this.keys(prefix.bucket).filter((key) => key.startsWith(prefix.key))) {
        const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.key.length);
        if (cut >= 0) {
          prefixes.add(key.slice(0, cut + delimiter.length));
        } else {
          const object = this.#object({ bucket: prefix.bucket, key });
          objects.push({ key, size: object.body.length, etag: object.etag });
        }
      }
      // keys() is in byte order already, and so are the prefixes found in it.
      return { objects, prefixes: [...prefixes] };
    } catch (error) {
      throw this.describeError(error, `list ${what}`, prefix);
    }
  }

  async openRead(location: S3Location, options: { ifMatch: string; offset: number }): Promise<Readable> {
    this.#request('openRead', location);
    const object = this.#object(location);
    if (object.etag !== unquote(options.ifMatch)) throw s3ServiceError(412, 'PreconditionFailed');
    if (options.offset > 0 && options.offset >= object.body.length) throw s3ServiceError(416, 'InvalidRange');
    return Readable.from(chunksOf(object.body.subarray(options.offset)), { objectMode: false });
  }

  async readRange(location: S3Location, range: PinnedRange, stop?: AbortSignal): Promise<{ body: Readable; etag: string }> {
    // The SDK rejects a request on an aborted signal with an error of this name.
    if (stop?.aborted) throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    this.#request('readRange', location);
    const object = range.versionId === undefined ? this.#object(location) : this.#version(location, range.versionId);
    if (object.etag !== unquote(range.ifMatch)) throw s3ServiceError(412, 'PreconditionFailed');
    if (range.first >= object.body.length) throw s3ServiceError(416, 'InvalidRange');
    const bytes = object.body.subarray(range.first, Math.min(range.last, object.body.length - 1) + 1);
    const body = Readable.from(chunksOf(bytes), { objectMode: false });
    // As the SDK does, an abort ends the body being read too.
    const signals = [this.#options.signal, stop].filter((signal) => signal !== undefined);
    return { body: signals.length === 0 ? body : addAbortSignal(AbortSignal.any(signals), body), etag: object.etag };
  }

  async copyObject(source: CopySource, target: S3Location): Promise<{ etag: string }> {
    this.#request('copyObject', target);
    this.#requireCopy();
    this.#bucket(target);
    const object = this.#object(source.location);
    if (object.etag !== source.etag) throw s3ServiceError(412, 'PreconditionFailed');
    // A CopyObject writes a new single-part object, whatever the source's ETag was.
    return { etag: this.#store(target, object.body, singlePart(object.body), object.contentType).etag };
  }

  async createMultipartUpload(target: S3Location, options: { contentType?: string } = {}): Promise<string> {
    this.#request('createMultipartUpload', target);
    this.#bucket(target);
    const uploadId = randomUUID();
    this.#server.uploads.set(uploadId, { location: target, contentType: options.contentType ?? DEFAULT_CONTENT_TYPE, parts: new Map() });
    return uploadId;
  }

  async uploadPartCopy(
    target: S3Location,
    uploadId: string,
    partNumber: number,
    source: { readonly location: S3Location; readonly etag: string | undefined },
    range: ByteRange,
  ): Promise<CompletedPart> {
    this.#request('uploadPartCopy', target);
    this.#requireCopy();
    const upload = this.#upload(target, uploadId);
    const object = this.#object(source.location);
    if (source.etag !== undefined && object.etag !== source.etag) throw s3ServiceError(412, 'PreconditionFailed');
    if (range.first < 0 || range.first > range.last || range.last >= object.body.length) {
      throw s3ServiceError(400, 'InvalidArgument', `Range specified is not valid for source object of size: ${object.body.length}`);
    }
    const body = Buffer.from(object.body.subarray(range.first, range.last + 1));
    const etag = md5Hex(body);
    upload.parts.set(partNumber, { body, etag });
    // S3 sends part ETags quoted and wants them back as sent.
    return { partNumber, etag: `"${etag}"` };
  }

  async completeMultipartUpload(target: S3Location, uploadId: string, parts: readonly CompletedPart[]): Promise<{ etag: string }> {
    this.#request('completeMultipartUpload', target);
    const upload = this.#upload(target, uploadId);
    if (parts.length === 0) throw s3ServiceError(400, 'MalformedXML');
    if (parts.some((part, index) => index > 0 && part.partNumber <= (parts[index - 1]?.partNumber ?? 0))) {
      throw s3ServiceError(400, 'InvalidPartOrder');
    }
    const bodies: Buffer[] = [];
    // S3's 5 MiB minimum for all but the last part is not enforced, so tests can use small parts.
    for (const { partNumber, etag } of parts) {
      const part = upload.parts.get(partNumber);
      if (part === undefined || part.etag !== unquote(etag)) throw s3ServiceError(400, 'InvalidPart');
      bodies.push(part.body);
    }
    this.#server.uploads.delete(uploadId);
    return { etag: this.#store(target, Buffer.concat(bodies), multipart(bodies), upload.contentType).etag };
  }

  async abortMultipartUpload(target: S3Location, uploadId: string): Promise<void> {
    // Bound to the writes' share of the cleanup deadline, not to the run's signal, as in S3ObjectStore:
    // aborting is the cleanup an expired run still does.
    if (this.#cleanup.signal('writes').aborted) throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    this.#record('abortMultipartUpload', target);
    this.#fail('abortMultipartUpload', target);
    if (this.#options.abortMultipartUpload === false) throw s3ServiceError(405, 'MethodNotAllowed');
    this.#upload(target, uploadId);
    this.#server.uploads.delete(uploadId);
  }

  async uploadStream(target: S3Location, body: Readable, options: StreamUploadOptions): Promise<{ etag: string }> {
    this.#server.writeGuard?.();
    let uploadId: string | undefined;
    let aborted = false;
    options.onOpen({
      location: target,
      get uploadId() {
        return uploadId;
      },
      abort: async () => {
        aborted = true;
        if (uploadId !== undefined) await this.abortMultipartUpload(target, uploadId);
      },
    } satisfies OpenUpload);
    this.#checkSignal();
    this.#record('uploadStream', target);
    this.#bucket(target);
    const chunks: Buffer[] = [];
    let size = 0;
    // Like the SDK's upload, the deadline interrupts the body it is reading.
    const signal = this.#options.signal;
    for await (const chunk of signal === undefined ? body : addAbortSignal(signal, body)) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      chunks.push(buffer);
      size += buffer.length;
      // lib-storage opens a multipart upload once the body outgrows one part; a failure leaves it open until aborted.
      if (uploadId === undefined && size > options.partSize) {
        uploadId = randomUUID();
        this.#server.uploads.set(uploadId, { location: target, contentType: options.contentType, parts: new Map() });
      }
    }
    // Faults strike once the body is read, as a failed PutObject or completion would.
    this.#fail('uploadStream', target);
    this.#checkSignal();
    // lib-storage's own abort makes its upload fail, whether or not it had opened a multipart upload.
    if (aborted) throw Object.assign(new Error('Upload aborted.'), { name: 'AbortError' });
    const whole = Buffer.concat(chunks);
    options.onPartAcknowledged?.();
    if (uploadId === undefined) return { etag: this.#store(target, whole, singlePart(whole), options.contentType).etag };
    // Aborted by id meanwhile: the completion finds no upload.
    if (!this.#server.uploads.delete(uploadId)) throw s3ServiceError(404, 'NoSuchUpload');
    const parts: Buffer[] = [];
    for (let first = 0; first < whole.length; first += options.partSize) parts.push(whole.subarray(first, first + options.partSize));
    return { etag: this.#store(target, whole, multipart(parts), options.contentType).etag };
  }

  describeError(error: unknown, action: string, location: S3Location): Error {
    return describeS3Error(error, {
      action,
      uri: formatS3Uri(location),
      region: this.#options.region ?? 'us-east-1',
      endpoint: this.#options.endpoint ?? 'memory://',
    });
  }

  /** A request as the server sees it: refused unsent after the deadline, then recorded, then maybe faulted. */
  guardWrites(check: (() => void) | undefined): void {
    this.#server.writeGuard = check;
  }

  #request(operation: RequestName, location: S3Location): void {
    this.#checkSignal();
    if (WRITES.has(operation) && operation !== 'abortMultipartUpload') this.#server.writeGuard?.();
    this.#record(operation, location);
    this.#fail(operation, location);
  }

  #record(operation: RequestName, location: S3Location): void {
    this.requests.push({ operation, key: idOf(location) });
  }

  #fail(operation: RequestName, location: S3Location): void {
    const entry = this.#server.faults.find(({ fault }) => fault.operation === operation && (fault.matches?.(location) ?? true));
    if (entry === undefined) return;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#server.faults.splice(this.#server.faults.indexOf(entry), 1);
    const error = entry.fault.error ?? { status: 500, code: 'InternalError' };
    throw error instanceof Error ? error : s3ServiceError(error.status, error.code);
  }

  #now(): number {
    return (this.#options.clock ?? Date.now)();
  }

  #checkSignal(): void {
    // The SDK rejects a request on an aborted signal with an error of this name.
    if (this.#options.signal?.aborted) throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
  }

  #requireCopy(): void {
    if (this.#options.serverSideCopy === false) throw s3ServiceError(501, 'NotImplemented');
  }

  #bucket(location: S3Location): void {
    if (!this.#server.buckets.has(location.bucket)) throw s3ServiceError(404, 'NoSuchBucket', 'The specified bucket does not exist');
  }

  #object(location: S3Location): StoredObject {
    this.#bucket(location);
    const object = this.#server.objects.get(idOf(location));
    if (object === undefined) throw s3ServiceError(404, 'NoSuchKey', 'The specified key does not exist.');
    return object;
  }

  #version(location: S3Location, versionId: string): StoredObject {
    this.#bucket(location);
    const object = this.#server.versions.get(`${idOf(location)}#${versionId}`);
    if (object === undefined) throw s3ServiceError(404, 'NoSuchVersion', 'The specified version does not exist.');
    return object;
  }

  #upload(target: S3Location, uploadId: string): MultipartUpload {
    this.#bucket(target);
    const upload = this.#server.uploads.get(uploadId);
    // An upload id belongs to one key: for any other, S3 knows no such upload.
    if (upload === undefined || idOf(upload.location) !== idOf(target)) throw s3ServiceError(404, 'NoSuchUpload');
    return upload;
  }

  #store(location: S3Location, body: Buffer, layout: Layout, contentType: string, writtenWith = this.#options.writes): StoredObject {
    // HTTP dates carry whole seconds, so that is what a HEAD reports.
    const lastModified = new Date(Math.floor(this.#now() / 1000) * 1000).toISOString();
    // SSE-KMS ETags keep their shape (a part count for multipart objects) but are no MD5 of the bytes.
    const etag = this.#options.sseKms ? layout.etag.replace(/^[0-9a-f]{32}/, md5Hex(Buffer.from(randomUUID()))) : layout.etag;
    const versionId = this.#options.versioned ? randomUUID() : undefined;
    const object = { body, etag, partSizes: layout.partSizes, contentType, lastModified, writtenWith, versionId };
    this.#server.objects.set(idOf(location), object);
    if (versionId !== undefined) this.#server.versions.set(`${idOf(location)}#${versionId}`, object);
    return object;
  }
}

function idOf(location: S3Location): string {
  return `${location.bucket}/${location.key}`;
}

function md5Hex(body: Buffer): string {
  return createHash('md5').update(body).digest('hex');
}

/** How an object was written: its ETag as S3 computes it, and its part sizes when it has parts. */
interface Layout {
  readonly etag: string;
  readonly partSizes: readonly number[] | undefined;
}

function singlePart(body: Buffer): Layout {
  return { etag: md5Hex(body), partSizes: undefined };
}

function multipart(parts: readonly Buffer[]): Layout {
  const etag = multipartEtag(parts.map((part) => createHash('md5').update(part).digest()));
  return { etag, partSizes: parts.map((part) => part.length) };
}

/** S3 orders keys by their UTF-8 bytes, not by UTF-16 code units as `sort()` does. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function* chunksOf(body: Buffer): Generator<Buffer> {
  for (let first = 0; first < body.length; first += CHUNK_SIZE) yield body.subarray(first, first + CHUNK_SIZE);
}
