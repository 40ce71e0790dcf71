import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  AbortMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import S3rver from '@20minutes/s3rver';
import { addMultipartListingAndAbort } from './s3rver-multipart.ts';

/**
 * The S3 server the end-to-end tests talk to: the embedded Node server on loopback by default,
 * or any S3 endpoint named by RIVA_TEST_S3_ENDPOINT (Ceph RGW in CI, MinIO, AWS), so the same
 * suite runs on both. Each test gets its own bucket.
 */
export interface S3Target {
  readonly kind: 'embedded' | 'external';
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly client: S3Client;
  createBucket(): Promise<string>;
  /** Every key in the bucket with its ETag and size, in S3's (byte) order. */
  listObjects(bucket: string): Promise<Array<{ key: string; etag: string; size: number }>>;
  putObject(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
  getText(bucket: string, key: string): Promise<string>;
  getBytes(bucket: string, key: string): Promise<Buffer>;
  /** Whether the server honours `If-None-Match: *` on PutObject (the embedded one does not). */
  supportsConditionalWrites(): Promise<boolean>;
  /** `key#uploadId` of every multipart upload still open in the bucket. */
  listMultipartUploads(bucket: string): Promise<string[]>;
  exists(bucket: string, key: string): Promise<boolean>;
  stop(): Promise<void>;
}

export interface S3TargetOptions {
  /** Where the embedded server keeps objects; kept after stop. Default: a temporary folder, removed. */
  readonly directory?: string;
  /** Leave the buckets in place on stop (the demo shows them). */
  readonly keepBuckets?: boolean;
  /**
   * The embedded server as published, without the suite's ListMultipartUploads and
   * AbortMultipartUpload (it answers 501 and 405): how full mode fares on a server that cannot
   * abort. Ignored for an external endpoint (check `kind`).
   */
  readonly stock?: boolean;
}

export async function startS3Target(options: S3TargetOptions = {}): Promise<S3Target> {
  const external = process.env.RIVA_TEST_S3_ENDPOINT;
  if (external) {
    return s3Target('external', {
      endpoint: external,
      region: process.env.RIVA_TEST_S3_REGION ?? 'us-east-1',
      accessKeyId: requiredEnv('RIVA_TEST_S3_ACCESS_KEY_ID'),
      secretAccessKey: requiredEnv('RIVA_TEST_S3_SECRET_ACCESS_KEY'),
      stopServer: async () => {},
      keepBuckets: options.keepBuckets ?? false,
      listsUploads: true,
    });
  }
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'riva-s3rver-'));
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    allowMismatchedSignatures: true,
    // Buckets by path only, as the product addresses them with an endpoint: by default a host
    // name other than an IP or localhost (an endpoint reached through a proxy) is read as a bucket.
    vhostBuckets: false,
  });
  if (!options.stock) addMultipartListingAndAbort(server);
  const { port } = await server.run();
  return s3Target('embedded', {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    stopServer: async () => {
      await server.close();
      if (options.directory === undefined) rmSync(directory, { recursive: true, force: true });
    },
    keepBuckets: options.keepBuckets ?? false,
    listsUploads: !options.stock,
  });
}

interface TargetSettings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  stopServer: () => Promise<void>;
  keepBuckets: boolean;
  /** false: the server cannot list multipart uploads (the stock embedded one deletes a bucket with uploads open). */
  listsUploads: boolean;
}

function s3Target(kind: S3Target['kind'], settings: TargetSettings): S3Target {
  const client = new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: true,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const buckets = new Set<string>();
  const prefix = process.env.RIVA_TEST_S3_BUCKET_PREFIX ?? 'riva-test';

  const listObjects = async (bucket: string) => {
    const objects: Array<{ key: string; etag: string; size: number }> = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        objects.push({ key: object.Key ?? '', etag: (object.ETag ?? '').replace(/"/g, ''), size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    // Byte order, as S3 lists keys.
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  };

  const removeBucket = async (bucket: string) => {
    // One delete at a time: the embedded server's DeleteObjects races on nested prefixes.
    for (const object of await listObjects(bucket)) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.key }));
    }
    const uploads = settings.listsUploads ? ((await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []) : [];
    for (const upload of uploads) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  };

  let conditionalWrites: Promise<boolean> | undefined;
  const probeConditionalWrites = async () => {
    const bucket = await target.createBucket();
    const put = () => client.send(new PutObjectCommand({ Bucket: bucket, Key: 'probe', Body: 'x', IfNoneMatch: '*' }));
    await put();
    try {
      await put();
      return false;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) return true;
      throw error;
    }
  };

  const target: S3Target = {
    kind,
    endpoint: settings.endpoint,
    region: settings.region,
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
    client,
    async createBucket() {
      const bucket = `${prefix}-${randomBytes(6).toString('hex')}`;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      buckets.add(bucket);
      return bucket;
    },
    listObjects,
    async putObject(bucket, key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async getText(bucket, key) {
      const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await output.Body?.transformToString('utf8')) ?? '';
    },
    async getBytes(bucket, key) {
      const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from((await output.Body?.transformToByteArray()) ?? []);
    },
    supportsConditionalWrites() {
      conditionalWrites ??= probeConditionalWrites();
      return conditionalWrites;
    },
    async listMultipartUploads(bucket) {
      const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      return (page.Uploads ?? []).map((upload) => `${upload.Key ?? ''}#${upload.UploadId ?? ''}`);
    },
    async exists(bucket, key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
        throw error;
      }
    },
    async stop() {
      if (!settings.keepBuckets) for (const bucket of buckets) await removeBucket(bucket);
      client.destroy();
      await settings.stopServer();
    },
  };
  return target;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set when RIVA_TEST_S3_ENDPOINT is`);
  return value;
}
