import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  DeadlineError,
  EndpointError,
  NotFoundError,
  WrongRegionError,
} from '../../src/errors.ts';
import { describeS3Error } from '../../src/s3/errors.ts';

const context = { action: 'read the model archive', uri: 's3://models/a.tar.gz', region: 'us-east-1', endpoint: undefined };

// Errors shaped as @aws-sdk/client-s3 throws them for each kind of response.
const response = (status: number, name: string, headers: Record<string, string> = {}) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, $response: { headers } });

describe('describeS3Error', () => {
  it('names the bucket\'s real region on a redirect', () => {
    const error = describeS3Error(response(301, 'PermanentRedirect', { 'x-amz-bucket-region': 'eu-central-1' }), context);
    expect(error).toBeInstanceOf(WrongRegionError);
    expect(error.message).toBe(
      'Could not read the model archive (s3://models/a.tar.gz): the bucket is in eu-central-1, not us-east-1. ' +
        "Set `aws-region` (AWS_REGION) to the bucket's region.",
    );
  });

  it('treats a 400 that reports another bucket region as the wrong region', () => {
    const error = describeS3Error(response(400, 'AuthorizationHeaderMalformed', { 'x-amz-bucket-region': 'ap-south-1' }), context);
    expect(error).toBeInstanceOf(WrongRegionError);
    expect(error.message).toContain('ap-south-1');
  });

  it('says an object is missing', () => {
    const error = describeS3Error(response(404, 'NotFound'), context);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain('no such object');
  });

  it('tells rejected credentials from missing permission', () => {
    const credentials = describeS3Error(response(403, 'SignatureDoesNotMatch'), context);
    expect(credentials).toBeInstanceOf(AccessDeniedError);
    expect(credentials.message).toContain('credentials were rejected (SignatureDoesNotMatch)');
    const permission = describeS3Error(response(403, 'Forbidden'), context);
    expect(permission).toBeInstanceOf(AccessDeniedError);
    expect(permission.message).toContain('s3:ListBucket');
  });

  it('says the endpoint cannot be reached, naming it', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const error = describeS3Error(refused, { ...context, endpoint: 'http://127.0.0.1:9000' });
    expect(error).toBeInstanceOf(EndpointError);
    expect(error.message).toContain('cannot reach http://127.0.0.1:9000 (ECONNREFUSED)');
  });

  it('reports an aborted request as the deadline', () => {
    const aborted = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    expect(describeS3Error(aborted, context)).toBeInstanceOf(DeadlineError);
  });

  it('keeps the code and status of anything else', () => {
    const error = describeS3Error(Object.assign(response(500, 'InternalError'), { message: 'We encountered an internal error' }), context);
    expect(error.message).toBe(
      'Could not read the model archive (s3://models/a.tar.gz): HTTP 500 InternalError: We encountered an internal error',
    );
  });
});
