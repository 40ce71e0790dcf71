// Benchmark floor (i): only download the model archive, one GET read to its end and dropped, as
// full mode reads it (one stream, pinned to its ETag). No staging can take the archive down faster.
// Usage: node download-floor.ts <bucket> <key>
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { tuneGarbageCollection } from '../../src/gc-tuning.ts';
import { createS3Client } from '../../src/s3/client.ts';

tuneGarbageCollection();
const [bucket = '', key = ''] = process.argv.slice(2);
const client = createS3Client({
  region: process.env.AWS_REGION ?? 'us-east-1',
  endpoint: process.env.AWS_ENDPOINT_URL_S3,
  maxAttempts: 3,
});
const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
// Read and dropped: the floor is the transfer, not what is done with the bytes.
for await (const chunk of response.Body as Readable) void chunk;
client.destroy();
