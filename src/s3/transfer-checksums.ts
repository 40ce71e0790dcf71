import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type {
  BuildHandler,
  BuildHandlerArguments,
  FinalizeHandler,
  FinalizeHandlerArguments,
  HandlerExecutionContext,
  HttpRequest,
  MetadataBearer,
} from '@smithy/types';
import { errorCodeOf } from './errors.ts';
import type { ChecksumAlgorithm } from './write-options.ts';

/** The requests that carry an object's bytes from the runner: what a checksum protects. */
const BODY_UPLOADS: ReadonlySet<string> = new Set(['PutObjectCommand', 'UploadPartCommand']);

/**
 * Makes the client protect uploads as `checksum` says. The SDK computes the flexible checksums
 * itself (from each request's `ChecksumAlgorithm`); MD5 it does not, so with `MD5` every
 * PutObject and UploadPart gets a `Content-MD5` of its body here. Either way a server that finds
 * the bytes damaged answers 400 BadDigest, and the request is sent again: its body is in memory
 * (a whole document, or one part), so resending it costs one part, not the upload.
 */
export function protectUploads(client: S3Client, checksum: ChecksumAlgorithm): void {
  if (checksum === 'MD5') {
    client.middlewareStack.add(
      (next: BuildHandler<object, MetadataBearer>, context: HandlerExecutionContext) => (args: BuildHandlerArguments<object>) => {
        if (BODY_UPLOADS.has(context.commandName ?? '')) addContentMd5(args.request as Partial<HttpRequest>);
        return next(args);
      },
      // The build step runs before signing, so the header is signed like the rest.
      { step: 'build', name: 'rivaContentMd5', override: true },
    );
  }
  // Inside the retry loop, where each attempt's failure is seen before the retry strategy judges it.
  client.middlewareStack.addRelativeTo(
    (next: FinalizeHandler<object, MetadataBearer>, context: HandlerExecutionContext) => async (args: FinalizeHandlerArguments<object>) => {
      try {
        return await next(args);
      } catch (error) {
        if (BODY_UPLOADS.has(context.commandName ?? '') && errorCodeOf(error) === 'BadDigest') markRetryable(error);
        throw error;
      }
    },
    { relation: 'after', toMiddleware: 'retryMiddleware', name: 'rivaRetryBadDigest', override: true },
  );
}

/** A body the runner holds in memory (a string or bytes); a stream cannot be hashed ahead of sending. */
function addContentMd5(request: Partial<HttpRequest>): void {
  const body: unknown = request.body;
  if (request.headers === undefined || request.headers['content-md5'] !== undefined) return;
  if (typeof body === 'string' || body instanceof Uint8Array) request.headers['content-md5'] = createHash('md5').update(body).digest('base64');
}

/**
 * The SDK's standard strategy retries a 400 only when the error says it may (`$retryable`). A
 * BadDigest is the bytes damaged on the way, which sending them again repairs; the retry is
 * counted and logged like any other, and bounded by max-attempts.
 */
function markRetryable(error: unknown): void {
  if (typeof error === 'object' && error !== null) Object.assign(error, { $retryable: { throttling: false } });
}
