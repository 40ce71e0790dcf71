import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCopyCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type {
  BuildMiddleware,
  DeserializeMiddleware,
  FinalizeHandler,
  FinalizeHandlerArguments,
  HandlerExecutionContext,
  HttpRequest,
  MetadataBearer,
} from '@smithy/types';
import { describeS3Error, errorCodeOf, httpStatusOf, isNotFound } from './errors.ts';
import {
  failedDelete,
  lostConditionalWrite,
  describeExisting,
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
  type PartInfo,
  type PinnedRange,
  type StreamUploadOptions,
} from './object-store.ts';
import { CleanupDeadline, type CleanupStep } from './cleanup-deadline.ts';
import type { RetryLog } from './retry-log.ts';
import { protectUploads } from './transfer-checksums.ts';
import { formatS3Uri, type S3Location } from './uri.ts';
import { BUCKET_DEFAULTS, copyFields, multipartCopyFields, tagSet, uploadFields, type ObjectWriteOptions } from './write-options.ts';

export interface S3ObjectStoreOptions {
  readonly region: string;
  readonly endpoint: string | undefined;
  /** Aborts every request when the run's deadline passes. */
  readonly signal: AbortSignal | undefined;
  /** Where transfers that retry on their own (resumed downloads) report it. */
  readonly retries?: RetryLog;
  /** How every object the run writes is stored and checksummed; the bucket's defaults and no checksum unless given. */
  readonly writes?: ObjectWriteOptions;
}

/** The object store on a real S3 (or S3-compatible) server, through the AWS SDK: the only module that sends requests. */
export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client;
  readonly #options: S3ObjectStoreOptions;

  /** Shared with cleanup views: one client, one write guard, one cleanup deadline. */
  readonly #guard: { check: (() => void) | undefined };
  readonly #cleanup: CleanupDeadline;

  constructor(client: S3Client, options: S3ObjectStoreOptions, view?: { guard: { check: (() => void) | undefined }; cleanup: CleanupDeadline }) {
    this.#client = client;
    this.#options = options;
    if (view !== undefined) {
      this.#guard = view.guard;
      this.#cleanup = view.cleanup;
      return;
    }
    this.#cleanup = new CleanupDeadline(options.signal);
    const shared: { check: (() => void) | undefined } = { check: undefined };
    this.#guard = shared;
    // On the client, so that lib-storage's own requests (parts, completion) are guarded too, and
    // inside the retry loop, so that every attempt is checked: a retry sent after the process
    // was stopped past its lease's TTL must not land.
    client.middlewareStack.addRelativeTo(
      (next: FinalizeHandler<object, MetadataBearer>, context: HandlerExecutionContext) => (args: FinalizeHandlerArguments<object>) => {
        if (WRITE_COMMANDS.has(context.commandName ?? '')) shared.check?.();
        return next(args);
      },
      { relation: 'after', toMiddleware: 'retryMiddleware', name: 'rivaWriteGuard', override: true },
    );
    protectUploads(client, this.#writes.checksum);
  }

  get #writes(): ObjectWriteOptions {
    return this.#options.writes ?? BUCKET_DEFAULTS;
  }

  guardWrites(check: (() => void) | undefined): void {
    this.#guard.check = check;
  }

  cleanupView(step: CleanupStep): ObjectStore {
    return new S3ObjectStore(this.#client, { ...this.#options, signal: this.#cleanup.signal(step) }, { guard: this.#guard, cleanup: this.#cleanup });
  }

  get signal(): AbortSignal | undefined {
    return this.#options.signal;
  }

  get retries(): RetryLog | undefined {
    return this.#options.retries;
  }

  async head(location: S3Location, what: string): Promise<ObjectInfo | undefined> {
    try {
      const command = new HeadObjectCommand({ Bucket: location.bucket, Key: location.key, ChecksumMode: 'ENABLED' });
      let serverDate: string | undefined;
      command.middlewareStack.add(responseDate((date) => (serverDate = date)), RESPONSE_DATE);
      const output = await this.#client.send(command, this.#bound());
      return { ...objectInfo(output), ...(serverDate === undefined ? {} : { serverDate }) };
    } catch (error) {
      // A HEAD response has no body, so a missing bucket and a missing key both read as 404.
      if (isNotFound(error)) return undefined;
      if (httpStatusOf(error) === 403) throw await this.#explainForbidden(error, location, what);
      throw this.describeError(error, `read ${what}`, location);
    }
  }

  /**
   * A 403 to a HEAD carries no error code, so a wrong secret and a missing permission look the
   * same. A one-byte GET of the same key answers with the code that tells them apart.
   */
  async #explainForbidden(headError: unknown, location: S3Location, what: string): Promise<Error> {
    try {
      const probe = await this.#client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key, Range: 'bytes=0-0' }), this.#bound());
      await probe.Body?.transformToByteArray();
    } catch (error) {
      if (errorCodeOf(error) !== 'UnknownError' && !isNotFound(error)) return this.describeError(error, `read ${what}`, location);
    }
    return this.describeError(headError, `read ${what}`, location);
  }

  describe(location: S3Location, what: string): Promise<ObjectInfo> {
    return describeExisting(this, location, what);
  }

  async headPart(location: S3Location, partNumber: number, what: string): Promise<PartInfo> {
    try {
      const output = await this.#client.send(
        new HeadObjectCommand({ Bucket: location.bucket, Key: location.key, PartNumber: partNumber }),
        this.#bound(),
      );
      return { size: output.ContentLength ?? 0, partsCount: output.PartsCount, etag: unquote(output.ETag ?? '') };
    } catch (error) {
      throw this.describeError(error, `read part ${partNumber} of ${what}`, location);
    }
  }

  async putText(
    location: S3Location,
    body: string,
    contentType: string,
    what: string,
    options: ConditionalWrite = {},
  ): Promise<string> {
    try {
      const output = await this.#client.send(
        new PutObjectCommand({
          Bucket: location.bucket,
          Key: location.key,
          Body: body,
          ContentType: contentType,
          ...uploadFields(this.#writes),
          ...(options.onlyIfAbsent ? { IfNoneMatch: '*' } : {}),
          // Unquoted: AWS accepts it either way, Ceph RGW 16 honours it on PutObject only so.
          ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch }),
        }),
        this.#bound(),
      );
      return unquote(output.ETag ?? '');
    } catch (error) {
      throw lostConditionalWrite(error, location, options) ?? this.describeError(error, `write ${what}`, location);
    }
  }

  async getText(location: S3Location, what: string): Promise<string> {
    try {
      const output = await this.#client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }), this.#bound());
      return (await output.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      throw this.describeError(error, `read ${what}`, location);
    }
  }

  async delete(location: S3Location, what: string, options: ConditionalDelete = {}): Promise<void> {
    try {
      await this.#client.send(
        // Unquoted, as for PutObject: AWS accepts it either way.
        new DeleteObjectCommand({ Bucket: location.bucket, Key: location.key, ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch }) }),
        this.#bound(),
      );
    } catch (error) {
      throw failedDelete(this, error, location, what, options);
    }
  }

  async checkBucket(bucket: string, what: string): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: bucket }), this.#bound());
    } catch (error) {
      throw isNotFound(error) ? missingBucket(this, bucket, what) : this.describeError(error, `reach ${what}`, { bucket, key: '' });
    }
  }

  async list(prefix: S3Location, what: string, options: { delimiter?: string } = {}): Promise<Listing> {
    const objects: ListedObject[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.#client.send(
          new ListObjectsV2Command({ Bucket: prefix.bucket, Prefix: prefix.key, Delimiter: options.delimiter, ContinuationToken: token }),
          this.#bound(),
        );
        for (const object of page.Contents ?? []) {
          objects.push({ key: object.Key ?? '', size: object.Size ?? 0, etag: unquote(object.ETag ?? '') });
        }
        for (const common of page.CommonPrefixes ?? []) if (common.Prefix) prefixes.push(common.Prefix);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw this.describeError(error, `list ${what}`, prefix);
    }
    return { objects, prefixes };
  }

  async openRead(location: S3Location, options: { ifMatch: string; offset: number }): Promise<Readable> {
    const output = await this.#client.send(
      new GetObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        IfMatch: `"${options.ifMatch}"`,
        Range: options.offset > 0 ? `bytes=${options.offset}-` : undefined,
      }),
      this.#bound(),
    );
    return output.Body as Readable;
  }

  async readRange(location: S3Location, range: PinnedRange, stop?: AbortSignal): Promise<{ body: Readable; etag: string }> {
    const run = this.#options.signal;
    // The SDK destroys the request on abort, the body it is still streaming included.
    const abortSignal = stop === undefined ? run : run === undefined ? stop : AbortSignal.any([run, stop]);
    const output = await this.#client.send(
      new GetObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        IfMatch: `"${range.ifMatch}"`,
        VersionId: range.versionId,
        Range: `bytes=${range.first}-${range.last}`,
      }),
      { abortSignal },
    );
    return { body: output.Body as Readable, etag: unquote(output.ETag ?? '') };
  }

  async copyObject(source: CopySource, target: S3Location): Promise<{ etag: string }> {
    const command = new CopyObjectCommand({
      Bucket: target.bucket,
      Key: target.key,
      CopySource: copySourceOf(source.location),
      CopySourceIfMatch: `"${source.etag}"`,
      ...copyFields(this.#writes),
    });
    command.middlewareStack.add(rgwCopyIfMatch(source.etag), RGW_COPY_IF_MATCH);
    const output = await this.#client.send(command, this.#bound());
    // Ceph RGW 16 ignores TaggingDirective REPLACE and keeps the source's tags.
    await this.#retag(target);
    return { etag: unquote(output.CopyObjectResult?.ETag ?? '') };
  }

  async createMultipartUpload(target: S3Location, options: { contentType?: string } = {}): Promise<string> {
    const created = await this.#client.send(
      new CreateMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, ContentType: options.contentType, ...multipartCopyFields(this.#writes) }),
      this.#bound(),
    );
    return created.UploadId ?? '';
  }

  /**
   * Sets the configured tags on an object already written, where the write's own tags may not
   * have stuck: Ceph RGW 16 drops the tags of a multipart upload and of a copy. On S3 it sets the
   * same tags again (the ETag does not change). Nothing without tags.
   */
  async #retag(target: S3Location): Promise<void> {
    const tags = this.#writes.tags;
    if (tags === undefined) return;
    await this.#client.send(
      new PutObjectTaggingCommand({ Bucket: target.bucket, Key: target.key, Tagging: { TagSet: tagSet(tags) } }),
      this.#bound(),
    );
  }

  async uploadPartCopy(
    target: S3Location,
    uploadId: string,
    partNumber: number,
    source: { readonly location: S3Location; readonly etag: string | undefined },
    range: ByteRange,
  ): Promise<CompletedPart> {
    const command = new UploadPartCopyCommand({
      Bucket: target.bucket,
      Key: target.key,
      UploadId: uploadId,
      PartNumber: partNumber,
      CopySource: copySourceOf(source.location),
      CopySourceIfMatch: source.etag === undefined ? undefined : `"${source.etag}"`,
      CopySourceRange: `bytes=${range.first}-${range.last}`,
    });
    if (source.etag !== undefined) command.middlewareStack.add(rgwCopyIfMatch(source.etag), RGW_COPY_IF_MATCH);
    const output = await this.#client.send(command, this.#bound());
    // Some servers return the part ETag unquoted; S3 wants it as it was given back.
    return { partNumber, etag: output.CopyPartResult?.ETag ?? '' };
  }

  async completeMultipartUpload(target: S3Location, uploadId: string, parts: readonly CompletedPart[]): Promise<{ etag: string }> {
    const completed = await this.#client.send(
      new CompleteMultipartUploadCommand({
        Bucket: target.bucket,
        Key: target.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })) },
      }),
      this.#bound(),
    );
    await this.#retag(target);
    return { etag: unquote(completed.ETag ?? '') };
  }

  async abortMultipartUpload(target: S3Location, uploadId: string): Promise<void> {
    // Not bound to the run's signal: aborting is the cleanup an expired or cancelled run still has
    // to do, within the writes' share of its cleanup deadline so that it ends before the runner's SIGTERM.
    await this.#client.send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }), {
      abortSignal: this.#cleanup.signal('writes'),
    });
  }

  async uploadStream(target: S3Location, body: Readable, options: StreamUploadOptions): Promise<{ etag: string }> {
    // Loaded by the first upload: the runs that upload no stream never compile nor evaluate lib-storage.
    const { Upload } = await import('@aws-sdk/lib-storage');
    const abortController = new AbortController();
    const signal = this.#options.signal;
    const onAbort = () => abortController.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: target.bucket, Key: target.key, Body: body, ContentType: options.contentType, ...uploadFields(this.#writes) },
      partSize: options.partSize,
      queueSize: options.queueSize,
      // The run's own abort (MultipartUploads.abortAll) removes the parts and warns when it cannot;
      // lib-storage's would throw its abort's failure over the part's (a server without abort).
      leavePartsOnError: true,
      abortController,
    });
    // lib-storage reports progress once a part is acknowledged.
    const { onPartAcknowledged } = options;
    if (onPartAcknowledged !== undefined) upload.on('httpUploadProgress', () => onPartAcknowledged());
    options.onOpen({
      location: target,
      get uploadId() {
        return upload.uploadId;
      },
      abort: async () => {
        // lib-storage's own abort fails when it has nothing to abort yet; the explicit one below is what counts.
        await upload.abort().catch(() => undefined);
        // lib-storage aborts the upload only if its own part failed; make sure its parts are gone.
        if (upload.uploadId) await this.abortMultipartUpload(target, upload.uploadId);
      },
    });
    try {
      const output = await upload.done();
      if (upload.uploadId !== undefined) await this.#retag(target);
      return { etag: unquote(output.ETag ?? '') };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  describeError(error: unknown, action: string, location: S3Location): Error {
    return describeS3Error(error, {
      action,
      uri: formatS3Uri(location),
      region: this.#options.region,
      endpoint: this.#options.endpoint,
    });
  }

  /** Every request is bound to the run's deadline. */
  #bound(): { abortSignal: AbortSignal | undefined } {
    return { abortSignal: this.#options.signal };
  }
}

/**
 * Ceph RGW ignores `x-amz-copy-source-if-match` and honours its own `x-amz-copy-if-match`; S3
 * ignores the latter. Sending both pins the copy's source on either server. Added in the build
 * step, before signing, so the header is signed like the rest.
 */
function rgwCopyIfMatch<Input extends object, Output extends MetadataBearer>(etag: string): BuildMiddleware<Input, Output> {
  return (next) => (args) => {
    // By the build step the request is the HTTP request the signer will sign.
    const request = args.request as Partial<HttpRequest>;
    if (request.headers !== undefined) request.headers['x-amz-copy-if-match'] = `"${etag}"`;
    return next(args);
  };
}

const RGW_COPY_IF_MATCH = { step: 'build', name: 'rgwCopyIfMatch' } as const;

function copySourceOf(location: S3Location): string {
  return `${location.bucket}/${encodeURIComponent(location.key).replace(/%2F/g, '/')}`;
}

/** The requests that change a bucket: what a run that lost its lease must no longer send. */
const WRITE_COMMANDS: ReadonlySet<string> = new Set([
  'PutObjectCommand', 'CopyObjectCommand', 'CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCopyCommand',
  'CompleteMultipartUploadCommand', 'DeleteObjectCommand', 'DeleteObjectsCommand', 'PutObjectTaggingCommand',
]);

const RESPONSE_DATE = { step: 'deserialize', name: 'rivaResponseDate' } as const;

/** Reads the response's Date header: the server's clock, by which a lease expires. */
function responseDate<Input extends object, Output extends MetadataBearer>(onDate: (date: string) => void): DeserializeMiddleware<Input, Output> {
  return (next) => async (args) => {
    const result = await next(args);
    const date = (result.response as { headers?: Record<string, string> } | undefined)?.headers?.date;
    if (date !== undefined && !Number.isNaN(Date.parse(date))) onDate(new Date(date).toISOString());
    return result;
  };
}

function objectInfo(output: HeadObjectCommandOutput): ObjectInfo {
  const etag = unquote(output.ETag ?? '');
  return {
    size: output.ContentLength ?? 0,
    etag,
    ...(output.ContentType === undefined ? {} : { contentType: output.ContentType }),
    lastModified: output.LastModified?.toISOString() ?? null,
    sha256: fullObjectSha256(output, etag),
    ...encryptionOf(output),
    // `null` is the version of an object written while the bucket was not versioned: no version to pin.
    ...(output.VersionId !== undefined && output.VersionId !== 'null' ? { versionId: output.VersionId } : {}),
  };
}

function encryptionOf(output: HeadObjectCommandOutput): { encryption?: string } {
  const encryption = output.SSECustomerAlgorithm !== undefined ? 'SSE-C' : output.ServerSideEncryption;
  return encryption === undefined ? {} : { encryption };
}

/**
 * S3 keeps a SHA-256 of the whole object only for single-part uploads with a checksum and for
 * multipart uploads made with full-object checksums; a composite checksum (of the parts) is not
 * the archive's hash and must not be recorded as one.
 */
function fullObjectSha256(output: HeadObjectCommandOutput, etag: string): string | null {
  const checksum = output.ChecksumSHA256;
  if (checksum === undefined || checksum.includes('-')) return null;
  const fullObject =
    output.ChecksumType === 'FULL_OBJECT' || (output.ChecksumType === undefined && !etag.includes('-'));
  return fullObject ? Buffer.from(checksum, 'base64').toString('hex') : null;
}
