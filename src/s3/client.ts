import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

export interface S3ClientOptions {
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly maxAttempts: number;
}

/**
 * The one S3 client of a run. Credentials come from the SDK's standard chain (environment, web
 * identity, profiles, instance roles).
 */
export function createS3Client(options: S3ClientOptions): S3Client {
  const config: S3ClientConfig = {
    region: options.region,
    maxAttempts: options.maxAttempts,
    retryMode: 'standard',
  };
  if (options.endpoint !== undefined) {
    config.endpoint = options.endpoint;
    // S3-compatible servers (MinIO, Ceph, local emulators) address buckets by path.
    config.forcePathStyle = true;
    // Many of them reject the SDK's default aws-chunked trailing checksums; send and check
    // checksums only where an operation requires them.
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  return new S3Client(config);
}

/**
 * An empty `AWS_PROFILE` (a common leftover of `env:` blocks) makes the SDK look for a profile
 * named "" and fail even when keys are in the environment: drop it before the SDK reads it.
 */
export function dropEmptyAwsProfile(env: NodeJS.ProcessEnv): void {
  if (env.AWS_PROFILE !== undefined && env.AWS_PROFILE.trim() === '') delete env.AWS_PROFILE;
}
