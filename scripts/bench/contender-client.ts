import type { S3Client } from '@aws-sdk/client-s3';
import { tuneGarbageCollection } from '../../src/gc-tuning.ts';
import { createS3Client } from '../../src/s3/client.ts';

/**
 * For a benchmark contender run as a script of its own (the seed's way, the floors): the same
 * heap tuning as the action, so that the comparison is of the work and not of the GC, and the
 * project's S3 client for the server the benchmark names (AWS_REGION, AWS_ENDPOINT_URL_S3).
 */
export function contenderClient(): S3Client {
  tuneGarbageCollection();
  return createS3Client({
    region: process.env.AWS_REGION ?? 'us-east-1',
    endpoint: process.env.AWS_ENDPOINT_URL_S3,
    maxAttempts: 3,
  });
}
