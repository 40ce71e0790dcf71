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

/** How servers say an upload's bytes were damaged: a wrong checksum, or a wrong SHA-256 of a signed payload. */
const DAMAGED_BODY: ReadonlySet<string> = new Set(['BadDigest', 'XAmzContentSHA256Mismatch']);

/**
 * Makes the client protect uploads as `checksum` says. The SDK computes the flexible checksums
 * itself (from each request's `ChecksumAlgorithm`); MD5 it does not, so with `MD5` every
 * PutObject and UploadPart gets a `Content-MD5` of its body here. Whichever check finds the
 * bytes damaged (400 BadDigest, or XAmzContentSHA256Mismatch for the signature's payload hash),
 * the request is sent again: its body is in memory (a document, or one part), so resending it
 * costs one part, not the upload.
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
        if (BODY_UPLOADS.has(context.commandName ?? '') && DAMAGED_BODY.has(errorCodeOf(error))) markRetryable(error);
        throw error;
      }
    },
    { relation: 'after', toMiddleware: 'retryMiddleware', name: 'rivaRetryBadDigest', override: true },
  );
}

/**
 * A body the runner holds in memory (a string or bytes); a stream cannot be hashed ahead of
 * sending. The signed Content-MD5 then stands for the body in the signature too, instead of a
 * second hash of every byte (SHA-256, `x-amz-content-sha256`): finding another body with the
 * same MD5 (a second preimage) is out of reach, and the server checks the MD5 against the bytes.
 */
function addContentMd5(request: Partial<HttpRequest>): void {
  const body: unknown = request.body;
  if (request.headers === undefined || request.headers['content-md5'] !== undefined) return;
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return;
  request.headers['content-md5'] = createHash('md5').update(body).digest('base64');
  request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
}

/**
 * The SDK's standard strategy retries a 400 only when the error says it may (`$retryable`). A
 * BadDigest is the bytes damaged on the way, which sending them again repairs; the retry is
 * counted and logged like any other, and bounded by max-attempts.
 */
function markRetryable(error: unknown): void {
  if (typeof error === 'object' && error !== null) Object.assign(error, { $retryable: { throttling: false } });
}
