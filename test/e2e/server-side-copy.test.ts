import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/s3/client.ts';
import { MultipartUploads } from '../../src/s3/multipart.ts';
import { S3ObjectStore } from '../../src/s3/s3-object-store.ts';
import { serverSideCopy, supportsServerSideCopy } from '../../src/s3/server-side-copy.ts';
import { startS3Proxy } from '../helpers/s3-proxy.ts';
import { startS3Target, type S3Target } from '../helpers/s3-target.ts';

// The multipart branch serves archives above 5 GiB; a lowered limit exercises it with a small
// object against the same server (real requests, not through dist/).
let target: S3Target;
let store: S3ObjectStore;

beforeAll(async () => {
  target = await startS3Target();
  process.env.AWS_ACCESS_KEY_ID = target.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = target.secretAccessKey;
  const client = createS3Client({ region: target.region, endpoint: target.endpoint, maxAttempts: 2 });
  store = new S3ObjectStore(client, { region: target.region, endpoint: target.endpoint, signal: undefined });
});
afterAll(async () => {
  await target.stop();
});

describe('serverSideCopy', () => {
  it('copies part by part (UploadPartCopy) above the single-copy limit, byte for byte', async () => {
    const bucket = await target.createBucket();
    const bytes = randomBytes(12 * 1024 * 1024 + 123);
    await target.putObject(bucket, 'src/archive.tar.gz', bytes);
    const [source] = await target.listObjects(bucket);
    const uploads = new MultipartUploads();

    await serverSideCopy(
      store,
      uploads,
      { location: { bucket, key: 'src/archive.tar.gz' }, etag: source!.etag, sizeBytes: bytes.length },
      { bucket, key: 'staging/source/archive.tar.gz' },
      { singleCopyLimit: 1024, partSize: 5 * 1024 * 1024 },
    );

    expect((await target.getBytes(bucket, 'staging/source/archive.tar.gz')).equals(bytes)).toBe(true);
    expect(await target.listMultipartUploads(bucket)).toEqual([]);
  });

  it('refuses to copy a source whose ETag changed', async () => {
    const bucket = await target.createBucket();
    await target.putObject(bucket, 'src/archive.tar.gz', randomBytes(1000));
    const uploads = new MultipartUploads();

    await expect(
      serverSideCopy(
        store,
        uploads,
        { location: { bucket, key: 'src/archive.tar.gz' }, etag: '0123456789abcdef0123456789abcdef', sizeBytes: 1000 },
        { bucket, key: 'staging/source/archive.tar.gz' },
      ),
      // A server that enforces the copy precondition refuses before copying (Ceph RGW); one that
      // does not (the embedded server) copies, and the ETag check afterwards removes the copy.
    ).rejects.toThrow(/changed (before|while) it was copied/);
    expect(await target.exists(bucket, 'staging/source/archive.tar.gz')).toBe(false);
  });

  it('pins every copy request to the source ETag with both S3\'s and Ceph RGW\'s header, signed', async () => {
    const bucket = await target.createBucket();
    await target.putObject(bucket, 'src/archive.tar.gz', randomBytes(6 * 1024 * 1024));
    const [source] = await target.listObjects(bucket);
    const proxy = await startS3Proxy(target.endpoint);
    try {
      const client = createS3Client({ region: target.region, endpoint: proxy.endpoint, maxAttempts: 1 });
      const proxied = new S3ObjectStore(client, { region: target.region, endpoint: proxy.endpoint, signal: undefined });
      const copySource = { location: { bucket, key: 'src/archive.tar.gz' }, etag: source!.etag, sizeBytes: source!.size };
      const uploads = new MultipartUploads();

      await serverSideCopy(proxied, uploads, copySource, { bucket, key: 'single/archive.tar.gz' });
      await serverSideCopy(proxied, uploads, copySource, { bucket, key: 'parts/archive.tar.gz' }, { singleCopyLimit: 1024, partSize: 5 * 1024 * 1024 });

      const copies = proxy.requests.filter((request) => request.copySource !== undefined);
      // One CopyObject, then two UploadPartCopy.
      expect(copies.map((request) => request.query.includes('partNumber='))).toEqual([false, true, true]);
      for (const request of copies) {
        expect(request.copySourceIfMatch).toBe(`"${source!.etag}"`);
        expect(request.copyIfMatch).toBe(`"${source!.etag}"`);
        expect(request.signedHeaders).toEqual(expect.arrayContaining(['x-amz-copy-if-match', 'x-amz-copy-source-if-match']));
      }
      expect((await target.getBytes(bucket, 'parts/archive.tar.gz')).length).toBe(source!.size);
    } finally {
      await proxy.stop();
    }
  });

  it('asks whether the server copies with a two-byte part copy, leaving no upload open', async () => {
    const bucket = await target.createBucket();
    await target.putObject(bucket, 'src/archive.tar.gz', randomBytes(3000));
    const [source] = await target.listObjects(bucket);
    const proxy = await startS3Proxy(target.endpoint);
    try {
      const client = createS3Client({ region: target.region, endpoint: proxy.endpoint, maxAttempts: 1 });
      const proxied = new S3ObjectStore(client, { region: target.region, endpoint: proxy.endpoint, signal: undefined });

      const copies = await supportsServerSideCopy(
        proxied,
        new MultipartUploads(),
        { location: { bucket, key: 'src/archive.tar.gz' }, etag: source!.etag, sizeBytes: 3000 },
        { bucket, key: 'staging/source/archive.tar.gz' },
        (message) => expect.fail(message),
      );

      expect(copies).toBe(true);
      // The probe copies two bytes of whatever the source is: no condition.
      expect(proxy.requests.filter((request) => request.copySource !== undefined).map((request) => request.copyIfMatch)).toEqual([undefined]);
      // Not bytes=0-0: the embedded server reads an end of 0 as "to the end" and copied the whole archive.
      expect(proxy.requests.filter((request) => request.copySource !== undefined).map((request) => request.copySourceRange)).toEqual([
        'bytes=0-1',
      ]);
      expect(await target.listMultipartUploads(bucket)).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });
});
