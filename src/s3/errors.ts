import {
  AccessDeniedError,
  ConflictError,
  DeadlineError,
  EndpointError,
  NotFoundError,
  WrongRegionError,
} from '../errors.ts';

/** What the failing request was doing, in the user's words. */
export interface RequestContext {
  /** e.g. "read the model archive s3://…" */
  readonly action: string;
  readonly uri: string;
  readonly region: string;
  readonly endpoint: string | undefined;
}

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
  cause?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

const CREDENTIAL_ERRORS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
]);

/** The HTTP status of an SDK error, when there was a response. */
export function httpStatusOf(error: unknown): number | undefined {
  return (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/** The S3 error code (`NoSuchKey`, `SlowDown`, …) or network code of an SDK error. */
export function errorCodeOf(error: unknown): string {
  const shape = (error ?? {}) as SdkErrorShape;
  return shape.Code ?? networkCode(shape) ?? shape.name ?? 'UnknownError';
}

export function isNotFound(error: unknown): boolean {
  const code = errorCodeOf(error);
  return httpStatusOf(error) === 404 || code === 'NotFound' || code === 'NoSuchKey';
}

/**
 * Turns an SDK failure into one of the typed errors, with the fix in its message. Unknown
 * failures keep their code and message so nothing is hidden.
 */
export function describeS3Error(error: unknown, context: RequestContext): Error {
  const shape = (error ?? {}) as SdkErrorShape;
  const status = httpStatusOf(error);
  const code = errorCodeOf(error);
  const where = `Could not ${context.action} (${context.uri})`;
  // Refused before it was sent (a run that lost its lease): already the answer, in its own words.
  if (error instanceof ConflictError) return error;

  if (shape.name === 'AbortError' || code === 'AbortError') {
    return new DeadlineError(`${where}: the run's \`timeout\` (RIVA_STAGE_TIMEOUT) expired.`);
  }
  const bucketRegion = shape.$response?.headers?.['x-amz-bucket-region'];
  if (
    status === 301 ||
    code === 'PermanentRedirect' ||
    (bucketRegion !== undefined && bucketRegion !== context.region)
  ) {
    const actual = bucketRegion ? `the bucket is in ${bucketRegion}` : 'the bucket is in another region';
    return new WrongRegionError(
      `${where}: ${actual}, not ${context.region}. Set \`aws-region\` (AWS_REGION) to the bucket's region.`,
    );
  }
  if (code === 'NoSuchBucket') {
    return new NotFoundError(`${where}: the bucket does not exist. Check the bucket name and \`aws-region\` (AWS_REGION).`);
  }
  if (status === 404 || code === 'NotFound' || code === 'NoSuchKey') {
    return new NotFoundError(`${where}: no such object. Check the bucket and key in the URI and that the upload finished.`);
  }
  // No credentials at all is not a refusal: nothing was sent, and the fix is to provide some.
  if (shape.name === 'CredentialsProviderError' || code === 'CredentialsProviderError') {
    return new AccessDeniedError(
      `${where}: no AWS credentials were found (${shape.message ?? code}). Set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, ` +
        'AWS_PROFILE or the role given to aws-actions/configure-aws-credentials.',
    );
  }
  if (CREDENTIAL_ERRORS.has(code)) {
    return new AccessDeniedError(
      `${where}: the AWS credentials were rejected (${code}). Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, ` +
        'AWS_PROFILE or the role given to aws-actions/configure-aws-credentials.',
    );
  }
  if (status === 403 || code === 'AccessDenied' || code === 'Forbidden') {
    return new AccessDeniedError(
      `${where}: access denied (${code}). The credentials lack permission for this object; ` +
        'without s3:ListBucket S3 also answers 403 for a key that does not exist. See README "IAM policy".',
    );
  }
  const network = networkCode(shape);
  if (network !== undefined && NETWORK_CODES.has(network)) {
    const endpoint = context.endpoint ?? `the AWS S3 endpoint of ${context.region}`;
    return new EndpointError(
      `${where}: cannot reach ${endpoint} (${network}). Check \`s3-endpoint\` (AWS_ENDPOINT_URL_S3) ` +
        'and the network path to S3.',
    );
  }
  const detail = shape.message && shape.message !== code ? `: ${shape.message}` : '';
  const statusText = status !== undefined ? `HTTP ${status} ` : '';
  return new Error(`${where}: ${statusText}${code}${detail}`);
}

function networkCode(shape: SdkErrorShape): string | undefined {
  // Only Node's string codes (ECONNRESET …): a DOMException's numeric code (23 for a timeout) says nothing.
  if (typeof shape.code === 'string') return shape.code;
  const cause = shape.cause as SdkErrorShape | undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}
