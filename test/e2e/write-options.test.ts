import { createHash } from 'node:crypto';
import { GetObjectAclCommand, GetObjectTaggingCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, stagingInputs } from '../helpers/bintarball.ts';
import { makeModelArchive } from '../helpers/fixtures.ts';
import type { RecordedRequest } from '../helpers/s3-proxy.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

const PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const MIB = 1024 * 1024;
// Ceph RGW checks Content-MD5 and keeps tags and ACLs; the embedded server does none of these.
const EXTERNAL_SERVER = Boolean(process.env.RIVA_TEST_S3_ENDPOINT);
const STORAGE_INPUTS = { acl: 'public-read', 'storage-class': 'STANDARD', tags: 'team=asr&cost-center=42&note=a+b%2Fc' };

// One file of two 8 MiB parts (a multipart upload) and one small file (a PutObject).
const s3 = useStagingFixture(() => makeModelArchive({ 'm/acoustic.riva': 12 * MIB, 'm/lexicon.riva': 4096 }));

const stage = (inputs: Record<string, string>) =>
  runAction({ inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, inputs), env: credentialsEnv(s3.target) });

/** What the run writes: PutObject, CreateMultipartUpload, CopyObject (not parts, completions, tagging or deletes). */
const isObjectWrite = (request: RecordedRequest) =>
  (request.method === 'PUT' && !request.query.includes('uploadId=') && !request.query.includes('tagging')) ||
  (request.method === 'POST' && request.query.startsWith('uploads'));
const isPartUpload = (request: RecordedRequest) => request.method === 'PUT' && request.query.includes('uploadId=') && request.copySource === undefined;
const isAcousticPart = (partNumber: number) => (request: RecordedRequest) =>
  isPartUpload(request) && request.path.endsWith('/m/acoustic.riva') && request.query.includes(`partNumber=${partNumber}&`);

async function stagedKeys(prefix = ''): Promise<string[]> {
  return (await s3.target.listObjects(s3.tree.bucket)).map((object) => object.key).filter((key) => !key.startsWith('bintarball/') && key.startsWith(prefix));
}

/** Each object's tags and whether everyone may read it, as the server reports them. */
async function storedAs(keys: readonly string[]): Promise<Array<{ key: string; tags: Record<string, string | undefined>; publicRead: boolean }>> {
  return Promise.all(
    keys.map(async (key) => {
      const tagging = await s3.target.client.send(new GetObjectTaggingCommand({ Bucket: s3.tree.bucket, Key: key }));
      const acl = await s3.target.client.send(new GetObjectAclCommand({ Bucket: s3.tree.bucket, Key: key }));
      const publicRead = (acl.Grants ?? []).some(
        (grant) => grant.Grantee?.URI === 'http://acs.amazonaws.com/groups/global/AllUsers' && grant.Permission === 'READ',
      );
      return { key, tags: Object.fromEntries((tagging.TagSet ?? []).map((tag) => [tag.Key ?? '', tag.Value])), publicRead };
    }),
  );
}
const TAGS = { team: 'asr', 'cost-center': '42', note: 'a b/c' };

describe('write options', () => {
  it('sends the ACL, storage class and tags given with every object it writes, uploads and copies alike', async () => {
    const run = await stage({ mode: 'full', ...STORAGE_INPUTS, 'checksum-algorithm': 'CRC32C' });

    expect(run.errors).toEqual([]);
    expect(run.outputs.status).toBe('staged');
    const writes = s3.proxy.requests.filter(isObjectWrite);
    // The lease, the in-progress record, the archive copy (CopyObject), the two files, the metadata,
    // the marker; two multipart uploads: the server-side copy's probe and the large file's.
    expect(writes.filter((request) => request.copySource !== undefined)).toHaveLength(1);
    expect(writes.filter((request) => request.method === 'POST')).toHaveLength(2);
    for (const request of writes) {
      expect(request.headers).toMatchObject({
        'x-amz-acl': 'public-read',
        'x-amz-storage-class': 'STANDARD',
        'x-amz-tagging': 'team=asr&cost-center=42&note=a%20b%2Fc',
      });
      expect(request.signedHeaders).toEqual(expect.arrayContaining(['x-amz-acl', 'x-amz-storage-class', 'x-amz-tagging']));
    }
    // A copy keeps its source's metadata and replaces its tags.
    expect(writes.find((request) => request.copySource !== undefined)?.headers).toMatchObject({
      'x-amz-metadata-directive': 'COPY',
      'x-amz-tagging-directive': 'REPLACE',
    });
    // Every uploaded body carries its CRC32C: documents, the small file, each part.
    const bodies = s3.proxy.requests.filter((request) => request.method === 'PUT' && request.copySource === undefined && request.requestBytes > 0);
    expect(bodies.filter(isPartUpload)).toHaveLength(2);
    for (const request of bodies.filter((entry) => !entry.query.includes('tagging'))) {
      expect(request.headers['x-amz-checksum-crc32c']).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    }

    const metadata = JSON.parse(await s3.target.getText(s3.tree.bucket, `${PREFIX}artifact.json`)) as Record<string, unknown>;
    expect(metadata.checksum_algorithm).toBe('CRC32C');
  });

  it.runIf(EXTERNAL_SERVER)('stores every object it writes with the tags and ACL given, as the server reads them back', async () => {
    const run = await stage({ mode: 'full', ...STORAGE_INPUTS });

    expect(run.errors).toEqual([]);
    expect(run.outputs.status).toBe('staged');
    const keys = await stagedKeys();
    expect(keys).toEqual(
      expect.arrayContaining([`${PREFIX}models/m/acoustic.riva`, `${PREFIX}models/m/lexicon.riva`, `${PREFIX}artifact.json`, `${PREFIX}staging_complete.txt`]),
    );
    expect(await storedAs(keys)).toEqual(keys.map((key) => ({ key, tags: TAGS, publicRead: true })));
  });

  it.runIf(EXTERNAL_SERVER)('promotes with the tags and ACL given, replacing the source staging\'s', async () => {
    const staged = await stage({ mode: 'full', tags: 'team=speech' });
    expect(staged.errors).toEqual([]);

    const promoted = await stage({ mode: 'promote', 'from-environment': 'dev', environment: 'prod', ...STORAGE_INPUTS });

    expect(promoted.errors).toEqual([]);
    expect(promoted.outputs.status).toBe('staged');
    const prodKeys = await stagedKeys(`prod/${MODEL_NAME}/`);
    expect(prodKeys).toEqual(expect.arrayContaining([`prod/${MODEL_NAME}/${MODEL_VERSION}/models/m/acoustic.riva`, `prod/${MODEL_NAME}/${MODEL_VERSION}/artifact.json`]));
    expect(await storedAs(prodKeys)).toEqual(prodKeys.map((key) => ({ key, tags: TAGS, publicRead: true })));
    const devKeys = await stagedKeys(PREFIX);
    expect((await storedAs(devKeys)).map((object) => object.tags)).toEqual(devKeys.map(() => ({ team: 'speech' })));
  });

  it.each<{ name: string; inputs: Record<string, string>; headers: Record<string, string> }>([
    {
      name: 'SSE-KMS with its key and Bucket Key, and an infrequent-access class',
      inputs: { sse: 'aws:kms', 'sse-kms-key-id': 'alias/riva-models', 'sse-bucket-key': 'true', 'storage-class': 'STANDARD_IA' },
      headers: {
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': 'alias/riva-models',
        'x-amz-server-side-encryption-bucket-key-enabled': 'true',
        'x-amz-storage-class': 'STANDARD_IA',
      },
    },
    {
      name: 'SSE-S3 and Glacier Instant Retrieval',
      inputs: { sse: 'AES256', 'storage-class': 'glacier_ir' },
      headers: { 'x-amz-server-side-encryption': 'AES256', 'x-amz-storage-class': 'GLACIER_IR' },
    },
  ])('sends $name on every write, signed, and fails cleanly where the server refuses them', async ({ inputs, headers }) => {
    const run = await stage({ mode: 'full', ...inputs });

    const writes = s3.proxy.requests.filter(isObjectWrite);
    expect(writes.length).toBeGreaterThan(0);
    for (const request of writes) {
      expect(request.headers).toMatchObject(headers);
      expect(request.signedHeaders).toEqual(expect.arrayContaining(Object.keys(headers)));
    }
    if (run.exitCode === 0) {
      expect(run.outputs.status).toBe('staged');
    } else {
      // Ceph RGW without a KMS or placement for the class refuses the first write: the run says
      // so, and leaves nothing that looks staged.
      const refusal = writes.find((request) => request.status >= 400);
      expect(refusal?.errorCode).toMatch(/^Invalid(Request|Argument|StorageClass)$/);
      expect(run.errors.join('\n')).toContain(refusal?.errorCode ?? 'an error code');
      expect(await s3.target.exists(s3.tree.bucket, `${PREFIX}staging_complete.txt`)).toBe(false);
      expect(await s3.target.listMultipartUploads(s3.tree.bucket)).toEqual([]);
    }
  });

  it('refuses an archive storage class before writing anything, naming the input and its variable', async () => {
    const run = await stage({ mode: 'full', 'storage-class': 'DEEP_ARCHIVE' });

    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toMatch(/`storage-class` \(RIVA_STAGE_STORAGE_CLASS\) cannot be DEEP_ARCHIVE: .*restored/);
    expect(s3.proxy.writes()).toEqual([]);
  });
});

describe.runIf(EXTERNAL_SERVER)('checksum-algorithm MD5 on a server that checks Content-MD5', () => {
  it('has the damaged part refused with BadDigest, sends that part again, and stages the right bytes', async () => {
    s3.proxy.inject({ matches: isAcousticPart(1), action: { kind: 'flip-request-byte', at: 1000 }, times: 1 });

    const run = await stage({ mode: 'full', 'checksum-algorithm': 'MD5' });

    expect(run.errors).toEqual([]);
    expect(run.outputs.status).toBe('staged');
    const first = s3.proxy.requests.filter(isAcousticPart(1));
    expect(first.map((request) => [request.status, request.errorCode])).toEqual([
      [400, 'BadDigest'],
      [200, undefined],
    ]);
    expect(s3.proxy.requests.filter(isAcousticPart(2)).map((request) => request.status)).toEqual([200]);
    // Every uploaded body carries its MD5, signed in place of the payload's SHA-256.
    const bodies = s3.proxy.requests.filter((request) => request.method === 'PUT' && request.copySource === undefined && request.requestBytes > 0);
    expect(bodies.length).toBeGreaterThan(4);
    for (const request of bodies) {
      expect(request.headers['content-md5']).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(request.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
      expect(request.signedHeaders).toContain('content-md5');
    }
    expect(run.stdout).toMatch(/::debug::Retrying UploadPartCommand \(attempt 2 of 5\) after BadDigest/);
    const staged = await s3.target.getBytes(s3.tree.bucket, `${PREFIX}models/m/acoustic.riva`);
    const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    expect(sha256(staged)).toBe(sha256(s3.tree.archive.files['m/acoustic.riva']!));
    const metadata = JSON.parse(await s3.target.getText(s3.tree.bucket, `${PREFIX}artifact.json`)) as Record<string, unknown>;
    expect(metadata.checksum_algorithm).toBe('MD5');
  });

  it('without a checksum, has the damaged part caught by the signed payload hash and sent again', async () => {
    s3.proxy.inject({ matches: isAcousticPart(2), action: { kind: 'flip-request-byte', at: 1000 }, times: 1 });

    const run = await stage({ mode: 'full' });

    expect(run.errors).toEqual([]);
    expect(run.outputs.status).toBe('staged');
    expect(s3.proxy.requests.filter(isAcousticPart(2)).map((request) => [request.status, request.errorCode])).toEqual([
      [400, 'XAmzContentSHA256Mismatch'],
      [200, undefined],
    ]);
    const staged = await s3.target.getBytes(s3.tree.bucket, `${PREFIX}models/m/acoustic.riva`);
    expect(staged.equals(s3.tree.archive.files['m/acoustic.riva']!)).toBe(true);
    const metadata = JSON.parse(await s3.target.getText(s3.tree.bucket, `${PREFIX}artifact.json`)) as Record<string, unknown>;
    // An endpoint is set: no checksum unless asked.
    expect(metadata.checksum_algorithm).toBe('none');
  });
});
