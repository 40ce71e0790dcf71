import { randomBytes } from 'node:crypto';
import { GetObjectAclCommand, GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/s3/client.ts';
import { MultipartUploads } from '../../src/s3/multipart.ts';
import { S3ObjectStore } from '../../src/s3/s3-object-store.ts';
import { serverSideCopy } from '../../src/s3/server-side-copy.ts';
import type { ObjectWriteOptions } from '../../src/s3/write-options.ts';
import { startS3Proxy } from '../helpers/s3-proxy.ts';
import { startS3Target, type S3Target } from '../helpers/s3-target.ts';

// Copies above 5 GiB are made of UploadPartCopy parts; a lowered limit takes that branch with a
// small object against the same server (real requests, not through dist/).
let target: S3Target;

beforeAll(async () => {
  target = await startS3Target();
  process.env.AWS_ACCESS_KEY_ID = target.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = target.secretAccessKey;
});
afterAll(async () => {
  await target.stop();
});

const WRITES: ObjectWriteOptions = {
  acl: 'public-read',
  storageClass: 'STANDARD',
  tags: [
    { key: 'team', value: 'asr' },
    { key: 'stage', value: 'copy' },
  ],
  checksum: 'none',
};

// The embedded server keeps neither tags nor ACLs: this runs on Ceph RGW (npm run test:rgw) and other external servers.
describe.runIf(process.env.RIVA_TEST_S3_ENDPOINT)('server-side copies with write options', () => {
  it.each([
    { name: 'a CopyObject', options: {} },
    { name: 'a copy part by part', options: { singleCopyLimit: 1024, partSize: 5 * 1024 * 1024 } },
  ])('$name keeps the source content type and takes the configured ACL and tags', async ({ options }) => {
    const bucket = await target.createBucket();
    const bytes = randomBytes(6 * 1024 * 1024 + 17);
    await target.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'src/archive.tar.gz', Body: bytes, ContentType: 'application/x-tar', Tagging: 'origin=ngc' }),
    );
    const [source] = await target.listObjects(bucket);
    const proxy = await startS3Proxy(target.endpoint);
    try {
      const client = createS3Client({ region: target.region, endpoint: proxy.endpoint, maxAttempts: 1 });
      const store = new S3ObjectStore(client, { region: target.region, endpoint: proxy.endpoint, signal: undefined, writes: WRITES });
      const copyTarget = { bucket, key: 'staging/source/archive.tar.gz' };

      await serverSideCopy(store, new MultipartUploads(), { location: { bucket, key: 'src/archive.tar.gz' }, etag: source!.etag, sizeBytes: bytes.length }, copyTarget, options);

      const head = await target.client.send(new HeadObjectCommand({ Bucket: bucket, Key: copyTarget.key }));
      expect(head.ContentType).toBe('application/x-tar');
      expect((await target.getBytes(bucket, copyTarget.key)).equals(bytes)).toBe(true);
      const tagging = await target.client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: copyTarget.key }));
      // The configured tags replace the source's (in whatever order the server lists them).
      expect(Object.fromEntries((tagging.TagSet ?? []).map((tag) => [tag.Key, tag.Value]))).toEqual({ team: 'asr', stage: 'copy' });
      const acl = await target.client.send(new GetObjectAclCommand({ Bucket: bucket, Key: copyTarget.key }));
      expect(acl.Grants).toContainEqual(expect.objectContaining({ Grantee: expect.objectContaining({ URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }), Permission: 'READ' }));
      // The request that creates the object (CopyObject, or CreateMultipartUpload) carries them.
      const creating = proxy.requests.filter(
        (request) => (request.method === 'PUT' && request.copySource !== undefined && !request.query.includes('uploadId=')) || request.query.startsWith('uploads'),
      );
      expect(creating).toHaveLength(1);
      expect(creating[0]!.headers).toMatchObject({ 'x-amz-acl': 'public-read', 'x-amz-storage-class': 'STANDARD', 'x-amz-tagging': 'team=asr&stage=copy' });
      expect(await target.listMultipartUploads(bucket)).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });
});
