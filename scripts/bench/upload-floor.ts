// Benchmark floor (d): only upload the extracted model files with lib-storage, as full mode
// uploads them. No staging can be faster than moving these bytes once. It prints when the last
// part was acknowledged and when the uploads were completed: what the server takes between the
// two (the embedded one concatenates the parts) is in every staging's time as well.
// Usage: node upload-floor.ts <extracted-dir> <bucket> <target-prefix>
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Upload } from '@aws-sdk/lib-storage';
import { tuneGarbageCollection } from '../../src/gc-tuning.ts';
import { createS3Client } from '../../src/s3/client.ts';
import { UPLOAD_QUEUE_SIZE, partSizeFor } from '../../src/s3/multipart.ts';

// The same heap tuning as the action, so the comparison is of the staging, not of the GC.
tuneGarbageCollection();
const [extracted = '', bucket = '', prefix = ''] = process.argv.slice(2);
const client = createS3Client({
  region: process.env.AWS_REGION ?? 'us-east-1',
  endpoint: process.env.AWS_ENDPOINT_URL_S3,
  maxAttempts: 3,
});
const files = listFiles(extracted).filter((path) => path.endsWith('.riva'));
const started = performance.now();
let lastPartMs = 0;
for (const path of files) {
  const upload = new Upload({
    client,
    params: { Bucket: bucket, Key: `${prefix}models/${relative(extracted, path)}`, Body: createReadStream(path) },
    partSize: partSizeFor(statSync(path).size),
    queueSize: UPLOAD_QUEUE_SIZE,
  });
  // lib-storage reports progress as each part's request is answered.
  upload.on('httpUploadProgress', () => (lastPartMs = performance.now() - started));
  await upload.done();
}
const completedMs = performance.now() - started;
console.log(
  `(d) last part acknowledged at ${seconds(lastPartMs)}, uploads completed at ${seconds(completedMs)}: ` +
    `the server took ${seconds(completedMs - lastPartMs)} to complete them`,
);
client.destroy();

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}
