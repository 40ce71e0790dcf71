import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describeS3Error, errorCodeOf, httpStatusOf, isNotFound } from './errors.ts';
import type { RetryLog } from './retry-log.ts';
import { formatS3Uri, type S3Location } from './uri.ts';

/** What S3 says about an object, in the form the metadata records it. */
export interface ObjectInfo {
  readonly size: number;
  /** Without surrounding quotes: servers differ in whether they send them. */
  readonly etag: string;
  readonly lastModified: string | null;
  /** Hex SHA-256 of the whole object when S3 holds a full-object checksum, else null. */
  readonly sha256: string | null;
}

export interface ObjectStoreOptions {
  readonly region: string;
  readonly endpoint: string | undefined;
  /** Aborts every request when the run's deadline passes. */
  readonly signal: AbortSignal | undefined;
  /** Where transfers that retry on their own (resumed downloads) report it. */
  readonly retries?: RetryLog;
}

/**
 * The S3 operations a staging needs, each turning SDK failures into typed errors that name the
 * object and the fix. The only module besides the transfers that sends requests.
 */
export class ObjectStore {
  readonly #client: S3Client;
  readonly #options: ObjectStoreOptions;

  constructor(client: S3Client, options: ObjectStoreOptions) {
    this.#client = client;
    this.#options = options;
  }

  /** For the transfers (download, upload, copy), which send their own requests. */
  get client(): S3Client {
    return this.#client;
  }

  get signal(): AbortSignal | undefined {
    return this.#options.signal;
  }

  get retries(): RetryLog | undefined {
    return this.#options.retries;
  }

  /** The object's facts, or undefined when it does not exist. */
  async head(location: S3Location, what: string): Promise<ObjectInfo | undefined> {
    try {
      const output = await this.#client.send(
        new HeadObjectCommand({ Bucket: location.bucket, Key: location.key, ChecksumMode: 'ENABLED' }),
        { abortSignal: this.#options.signal },
      );
      return objectInfo(output);
    } catch (error) {
      // A HEAD response has no body, so a missing bucket and a missing key both read as 404.
      if (isNotFound(error)) return undefined;
      if (httpStatusOf(error) === 403) throw await this.#explainForbidden(error, location, what);
      throw this.#describe(error, `read ${what}`, location);
    }
  }

  /**
   * A 403 to a HEAD carries no error code, so a wrong secret and a missing permission look the
   * same. A one-byte GET of the same key answers with the code that tells them apart.
   */
  async #explainForbidden(headError: unknown, location: S3Location, what: string): Promise<Error> {
    try {
      const probe = await this.#client.send(
        new GetObjectCommand({ Bucket: location.bucket, Key: location.key, Range: 'bytes=0-0' }),
        { abortSignal: this.#options.signal },
      );
      await probe.Body?.transformToByteArray();
    } catch (error) {
      if (errorCodeOf(error) !== 'UnknownError' && !isNotFound(error)) return this.#describe(error, `read ${what}`, location);
    }
    return this.#describe(headError, `read ${what}`, location);
  }

  /** Like `head`, for an object that must exist. */
  async describe(location: S3Location, what: string): Promise<ObjectInfo> {
    const info = await this.head(location, what);
    if (info === undefined) {
      throw this.#describe({ name: 'NotFound', $metadata: { httpStatusCode: 404 } }, `find ${what}`, location);
    }
    return info;
  }

  /**
   * Writes a small document and returns its ETag. With `onlyIfAbsent`, the write is conditional
   * (`If-None-Match: *`) and an existing object makes it throw ObjectExistsError; servers that
   * ignore the condition simply write.
   */
  async putText(
    location: S3Location,
    body: string,
    contentType: string,
    what: string,
    options: { onlyIfAbsent?: boolean } = {},
  ): Promise<string> {
    try {
      const output = await this.#client.send(
        new PutObjectCommand({
          Bucket: location.bucket,
          Key: location.key,
          Body: body,
          ContentType: contentType,
          ...(options.onlyIfAbsent ? { IfNoneMatch: '*' } : {}),
        }),
        { abortSignal: this.#options.signal },
      );
      return unquote(output.ETag ?? '');
    } catch (error) {
      // 412: the object exists; 409 ConditionalRequestConflict: another conditional write of it is under way.
      if (options.onlyIfAbsent && [409, 412].includes(httpStatusOf(error) ?? 0)) {
        throw new ObjectExistsError(`${formatS3Uri(location)} was written by someone else meanwhile.`);
      }
      throw this.#describe(error, `write ${what}`, location);
    }
  }

  async getText(location: S3Location, what: string): Promise<string> {
    try {
      const output = await this.#client.send(
        new GetObjectCommand({ Bucket: location.bucket, Key: location.key }),
        { abortSignal: this.#options.signal },
      );
      return (await output.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      throw this.#describe(error, `read ${what}`, location);
    }
  }

  async delete(location: S3Location, what: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: location.key }), {
        abortSignal: this.#options.signal,
      });
    } catch (error) {
      throw this.#describe(error, `delete ${what}`, location);
    }
  }

  /** The typed, actionable error for a failed request on `location`. */
  describeError(error: unknown, action: string, location: S3Location): Error {
    return this.#describe(error, action, location);
  }

  #describe(error: unknown, action: string, location: S3Location): Error {
    return describeS3Error(error, {
      action,
      uri: formatS3Uri(location),
      region: this.#options.region,
      endpoint: this.#options.endpoint,
    });
  }
}

/** A conditional write found the object already there. */
export class ObjectExistsError extends Error {
  override readonly name = 'ObjectExistsError';
}

export function unquote(etag: string): string {
  return etag.replace(/^"(.*)"$/, '$1');
}

function objectInfo(output: HeadObjectCommandOutput): ObjectInfo {
  const etag = unquote(output.ETag ?? '');
  return {
    size: output.ContentLength ?? 0,
    etag,
    lastModified: output.LastModified?.toISOString() ?? null,
    sha256: fullObjectSha256(output, etag),
  };
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
