// Benchmark baseline for start-up (npm run bench, "start fast"): the requests a
// bintarball-reference staging without `expected-sha256` makes, in the same order and with the
// same conditions, sent by nothing but an S3 client of the same SDK. Bundled with ncc as the
// action is, it is what a run costs when the tool itself costs nothing: Node, the SDK and the
// round trips.
// Usage: node reference-baseline.js <bucket> <model-key> <staging-prefix/>
// (AWS_REGION, AWS_ENDPOINT_URL_S3 and the credentials come from the environment.)
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';

const [bucket = '', modelKey = '', prefix = ''] = process.argv.slice(2);
if (!bucket || !modelKey || !prefix.endsWith('/')) throw new Error('usage: reference-baseline <bucket> <model-key> <staging-prefix/>');
const endpoint = process.env.AWS_ENDPOINT_URL_S3;
const client = new S3Client({
  region: process.env.AWS_REGION ?? 'us-east-1',
  maxAttempts: 3,
  ...(endpoint === undefined
    ? {}
    : { endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }),
});
const keys = {
  marker: `${prefix}deployment_ready.txt`,
  metadata: `${prefix}deployment.json`,
  lease: `${prefix}staging_lease.json`,
  checksums: `${prefix}checksums.sha256`,
};
const runId = randomUUID();

// Discover: the marker, the metadata document and the archive, at once.
const [, , archive] = await Promise.all([head(keys.marker), head(keys.metadata), head(modelKey)]);
if (archive?.ETag === undefined) throw new Error(`s3://${bucket}/${modelKey} is missing`);
// The archive's first 64 KiB, pinned to the ETag just seen (the gzip and tar header check): one ranged GET.
await readHead(modelKey, archive.ETag, Math.min(64 * 1024, archive.ContentLength ?? 0));

// The lease, then the probe of conditional writes (a second create, which S3 refuses).
const lease = JSON.stringify({ tool: 'reference-baseline', run_id: runId, expires_at: new Date(Date.now() + 600_000).toISOString() });
const leaseEtag = (await put({ Key: keys.lease, Body: lease, ContentType: 'application/json', IfNoneMatch: '*' }))?.ETag;
await put({ Key: keys.lease, Body: lease, ContentType: 'application/json', IfNoneMatch: '*' });
await head(keys.marker);

// The metadata document: written, pinned, read back.
const metadata = `${JSON.stringify(
  {
    schema_version: 2,
    mode: 'bintarball-reference',
    source: { uri: `s3://${bucket}/${modelKey}`, size_bytes: archive.ContentLength, etag: archive.ETag },
    deployment: { metadata_uri: `s3://${bucket}/${keys.metadata}`, marker_uri: `s3://${bucket}/${keys.marker}` },
    run: { id: runId, started_at: new Date().toISOString() },
  },
  null,
  2,
)}\n`;
await put({ Key: keys.metadata, Body: metadata, ContentType: 'application/json', IfNoneMatch: '*' });
await head(keys.metadata);
const readBack = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keys.metadata }));
await readBack.Body?.transformToString();

// What an earlier staging may have left in the folders a staging replaces.
await Promise.all(['models/', 'source/'].map((folder) => client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}${folder}` }))));
await head(keys.checksums);

// The lease confirmed, the marker written and checked, the lease released.
await put({ Key: keys.lease, Body: lease, ContentType: 'application/json', IfMatch: leaseEtag });
const marker = `riva-130-stage marker\nmetadata_sha256=${createHash('sha256').update(metadata).digest('hex')}\nrun_id=${runId}\n`;
await put({ Key: keys.marker, Body: marker, ContentType: 'text/plain', IfNoneMatch: '*' });
await head(keys.marker);
if ((await head(keys.lease))?.ETag === leaseEtag) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keys.lease }));

// The document pin the outputs carry: the marker read, the metadata's version.
await Promise.all([
  head(keys.marker).then(() => client.send(new GetObjectCommand({ Bucket: bucket, Key: keys.marker }))).then((object) => object.Body?.transformToString()),
  head(keys.metadata),
]);
client.destroy();

async function head(key: string) {
  try {
    return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return undefined;
    throw error;
  }
}

async function readHead(key: string, etag: string, bytes: number): Promise<void> {
  if (bytes === 0) return;
  const body = (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag, Range: `bytes=0-${bytes - 1}` }))).Body as Readable;
  for await (const chunk of body) void chunk;
}

/** A write; one refused by its condition (412) is what the conditional-write probe expects. */
async function put(input: Omit<PutObjectCommandInput, 'Bucket'>) {
  try {
    return await client.send(new PutObjectCommand({ Bucket: bucket, ...input }));
  } catch (error) {
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412) return undefined;
    throw error;
  }
}
