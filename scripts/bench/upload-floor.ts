// Benchmark floor (d): only upload the extracted model files with lib-storage, as full mode
// uploads them. No staging can be faster than moving these bytes once. It prints how long the
// server took to complete the uploads after their last parts (the embedded one concatenates the
// parts and hashes the whole object): that time is in every staging's as well.
// Usage: node upload-floor.ts <extracted-dir> <bucket> <target-prefix>
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Upload } from '@aws-sdk/lib-storage';
import { UPLOAD_QUEUE_SIZE, partSizeFor } from '../../src/s3/multipart.ts';
import { formatDuration } from '../../src/format.ts';
import { contenderClient } from './contender-client.ts';

const [extracted = '', bucket = '', prefix = ''] = process.argv.slice(2);
const client = contenderClient();
const files = listFiles(extracted).filter((path) => path.endsWith('.riva'));
const started = performance.now();
let lastPartMs = 0;
// Each file's upload is completed once its last part is acknowledged: the server's share.
let completingMs = 0;
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
  completingMs += performance.now() - started - lastPartMs;
}
console.log(
  `(d) ${files.length} files uploaded in ${formatDuration(performance.now() - started)}, of which the server took ${formatDuration(completingMs)} ` +
    'to complete their multipart uploads once their last parts were acknowledged',
);
client.destroy();

function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}
