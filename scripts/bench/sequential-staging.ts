// Benchmark baseline (b): the seed's sequential way, with the same SDK and server. Download the
// archive to disk, extract it to disk, hash each file, then upload the archive and the files.
// Usage: node sequential-staging.ts <work-dir> <bucket> <archive-key> <target-prefix>
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { extract } from 'tar';
import { UPLOAD_QUEUE_SIZE, partSizeFor } from '../../src/s3/multipart.ts';
import { contenderClient } from './contender-client.ts';

const [workDir = '', bucket = '', archiveKey = '', prefix = ''] = process.argv.slice(2);
const client = contenderClient();
const archivePath = join(workDir, 'archive.tar.gz');
const extracted = join(workDir, 'extracted');
mkdirSync(extracted, { recursive: true });

const download = await client.send(new GetObjectCommand({ Bucket: bucket, Key: archiveKey }));
await pipeline(download.Body as Readable, createWriteStream(archivePath));
await extract({ file: archivePath, cwd: extracted });

const files = listFiles(extracted).filter((path) => path.endsWith('.riva'));
for (const path of files) {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  hash.digest('hex');
}

const upload = async (path: string, key: string) => {
  const size = statSync(path).size;
  await new Upload({
    client,
    params: { Bucket: bucket, Key: key, Body: createReadStream(path) },
    partSize: partSizeFor(size),
    queueSize: UPLOAD_QUEUE_SIZE,
  }).done();
};
await upload(archivePath, `${prefix}source/archive.tar.gz`);
for (const path of files) await upload(path, `${prefix}models/${relative(extracted, path)}`);
client.destroy();

function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}
