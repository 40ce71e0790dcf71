import { createHash, randomBytes } from 'node:crypto';
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MetadataSchema } from '../../src/metadata.ts';
import { runAction } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, seedBintarball, stagingInputs, type Bintarball } from '../helpers/bintarball.ts';
import { ARCHIVE_NAME, MODEL_KEY, makeModelArchive, makeRawArchive, type ModelArchive } from '../helpers/fixtures.ts';
import { startS3Proxy, type S3Proxy } from '../helpers/s3-proxy.ts';
import { startS3Target, type S3Target } from '../helpers/s3-target.ts';

const PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let target: S3Target;
let proxy: S3Proxy;

beforeAll(async () => {
  target = await startS3Target();
});
afterAll(async () => {
  await target.stop();
});
afterEach(async () => {
  await proxy?.stop();
});

async function stageFull(archive: ModelArchive | Buffer, inputs: Record<string, string> = {}) {
  const tree = await seedBintarball(target, Buffer.isBuffer(archive) ? { bytes: archive, files: {} } : archive);
  proxy = await startS3Proxy(target.endpoint);
  const run = () =>
    runAction({
      inputs: stagingInputs(target, proxy.endpoint, tree, { mode: 'full', ...inputs }),
      env: credentialsEnv(target),
    });
  return { tree, run };
}

const stagedKeys = async (tree: Bintarball) =>
  (await target.listObjects(tree.bucket)).map((object) => object.key).filter((key) => key.startsWith(PREFIX));

describe('the test S3 server', () => {
  it('lists an open multipart upload until it is aborted (so "no open upload" checks can fail)', async () => {
    const bucket = await target.createBucket();
    const created = await target.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'open/upload.bin' }));
    expect(await target.listMultipartUploads(bucket)).toEqual([`open/upload.bin#${created.UploadId}`]);
    await target.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'open/upload.bin', UploadId: created.UploadId }));
    expect(await target.listMultipartUploads(bucket)).toEqual([]);
  });
});

describe('full mode', () => {
  it('stages the archive copy, every .riva file, checksums, metadata and marker in one pass', async () => {
    const archive = await makeModelArchive();
    const { tree, run } = await stageFull(archive);

    const result = await run();

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(await stagedKeys(tree)).toEqual([
      `${PREFIX}artifact.json`,
      `${PREFIX}checksums.sha256`,
      `${PREFIX}models/parakeet-rnnt/1/parakeet-rnnt-1.1b-en-us.riva`,
      `${PREFIX}models/parakeet-rnnt/punctuation/punctuation-en-us.riva`,
      `${PREFIX}source/${ARCHIVE_NAME}`,
      `${PREFIX}staging_complete.txt`,
    ]);
    // Byte-identical to the archive's entries and to the archive itself.
    for (const [path, bytes] of Object.entries(archive.files).filter(([path]) => path.endsWith('.riva'))) {
      expect((await target.getBytes(tree.bucket, `${PREFIX}models/${path}`)).equals(bytes)).toBe(true);
    }
    expect((await target.getBytes(tree.bucket, `${PREFIX}source/${ARCHIVE_NAME}`)).equals(archive.bytes)).toBe(true);

    // checksums.sha256 checks out the way `sha256sum -c` would read it from the staging prefix.
    const checksums = (await target.getText(tree.bucket, `${PREFIX}checksums.sha256`)).trimEnd().split('\n');
    expect(checksums).toHaveLength(3);
    expect(checksums[0]).toBe(`${sha256(archive.bytes)}  source/${ARCHIVE_NAME}`);
    for (const line of checksums) {
      const [hash, path] = line.split('  ');
      expect(sha256(await target.getBytes(tree.bucket, `${PREFIX}${path}`)), path).toBe(hash);
    }

    const metadata = MetadataSchema.parse(JSON.parse(await target.getText(tree.bucket, `${PREFIX}artifact.json`)));
    expect(metadata.mode).toBe('full');
    expect(metadata.source).toMatchObject({ uri: tree.modelUri, size_bytes: archive.bytes.length, sha256: sha256(archive.bytes) });
    expect(metadata.files).toEqual(
      Object.entries(archive.files)
        .filter(([path]) => path.endsWith('.riva'))
        .map(([path, bytes]) => ({
          path: `models/${path}`,
          uri: `s3://${tree.bucket}/${PREFIX}models/${path}`,
          size_bytes: bytes.length,
          etag: createHash('md5').update(bytes).digest('hex'),
          sha256: sha256(bytes),
        })),
    );
    expect(result.outputs).toMatchObject({ status: 'staged', mode: 'full', 'source-sha256': sha256(archive.bytes) });

    // The archive's copy was made by the server, never uploaded by the runner.
    const sourceWrites = proxy.writes().filter((request) => request.path.endsWith(`/source/${ARCHIVE_NAME}`));
    expect(sourceWrites.some((request) => request.copySource !== undefined)).toBe(true);
    expect(sourceWrites.reduce((sum, request) => sum + request.requestBytes, 0)).toBe(0);
    // The archive was read once.
    const archiveReads = proxy.requests.filter((request) => request.method === 'GET' && request.path.endsWith(MODEL_KEY));
    expect(archiveReads.reduce((sum, request) => sum + request.responseBytes, 0)).toBe(archive.bytes.length);

    expect(await target.listMultipartUploads(tree.bucket)).toEqual([]);
    expect(result.summary).toContain('README.txt');
    expect(result.summary).toContain('copied server-side');
  });

  it('reports when each phase happened, in the order the run reached them', async () => {
    const { run } = await stageFull(await makeModelArchive());

    const result = await run();

    expect(result.exitCode).toBe(0);
    const line = /^\s*Timeline\s+(.+)$/m.exec(result.stdout)?.[1];
    expect(line, result.stdout).toBeDefined();
    const at = new Map(
      line!.split(', ').map((entry) => {
        const [, event = '', value = '', unit] = /^(.+) (\d+(?:\.\d+)?) (ms|s)$/.exec(entry) ?? [];
        return [event, Number(value) * (unit === 's' ? 1000 : 1)];
      }),
    );
    expect([...at.keys()].sort()).toEqual(
      ['archive copied', 'files uploaded', 'first byte down', 'last byte down', 'last part up', 'marker written', 'metadata written', 'verified'].sort(),
    );
    const offset = (event: string) => at.get(event)!;
    // Only what the pass's structure orders: the uploads and the copy overlap the download.
    expect(offset('first byte down')).toBeLessThanOrEqual(offset('last byte down'));
    expect(offset('last part up')).toBeLessThanOrEqual(offset('files uploaded'));
    for (const before of ['last byte down', 'files uploaded', 'archive copied']) {
      expect(offset(before), before).toBeLessThanOrEqual(offset('metadata written'));
    }
    expect(offset('metadata written')).toBeLessThanOrEqual(offset('verified'));
    expect(offset('verified')).toBeLessThanOrEqual(offset('marker written'));
    expect(result.summary).toContain('first byte down');
  });

  it('resumes a download cut mid-archive from the byte it reached', async () => {
    const archive = await makeModelArchive({ 'model/big.riva': 12 * 1024 * 1024, 'model/small.riva': 4096 });
    const { tree, run } = await stageFull(archive);
    const cutAt = 5 * 1024 * 1024;
    proxy.inject({
      matches: (request) => request.method === 'GET' && request.path.endsWith(MODEL_KEY),
      action: { kind: 'cut-response', afterBytes: cutAt },
      times: 1,
    });

    const result = await run();

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const archiveReads = proxy.requests.filter((request) => request.method === 'GET' && request.path.endsWith(MODEL_KEY));
    expect(archiveReads.length).toBe(2);
    expect(archiveReads[0]?.responseBytes).toBe(cutAt);
    // It resumed rather than starting over: everything fetched is within one part of the archive.
    const fetched = archiveReads.reduce((sum, request) => sum + request.responseBytes, 0);
    expect(fetched).toBeGreaterThanOrEqual(archive.bytes.length);
    expect(fetched).toBeLessThanOrEqual(archive.bytes.length + 8 * 1024 * 1024);
    expect(result.stdout).toMatch(/interrupted at byte \d+/);
    const big = await target.getBytes(tree.bucket, `${PREFIX}models/model/big.riva`);
    expect(big.equals(archive.files['model/big.riva']!)).toBe(true);
    expect(await target.listMultipartUploads(tree.bucket)).toEqual([]);
  });

  it('uploads the archive from the same download when the server cannot copy server-side', async () => {
    const archive = await makeModelArchive();
    const { tree, run } = await stageFull(archive);
    proxy.inject({
      matches: (request) => request.copySource !== undefined,
      action: { kind: 'error', status: 501, code: 'NotImplemented' },
      times: 100,
    });

    const result = await run();

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect((await target.getBytes(tree.bucket, `${PREFIX}source/${ARCHIVE_NAME}`)).equals(archive.bytes)).toBe(true);
    const archiveReads = proxy.requests.filter((request) => request.method === 'GET' && request.path.endsWith(MODEL_KEY));
    expect(archiveReads.reduce((sum, request) => sum + request.responseBytes, 0)).toBe(archive.bytes.length);
    expect(result.stdout).toContain('does not copy objects server-side');
    expect(result.summary).toContain('copied server-side 0 bytes');
    expect(await target.listMultipartUploads(tree.bucket)).toEqual([]);
  });

  const riva = randomBytes(2048);
  const invalidArchives: Array<[string, () => Buffer, RegExp]> = [
    ['not gzip', () => Buffer.from('this is a plain text file, not an archive'), /not a valid gzip file/],
    ['a truncated archive', () => makeRawArchive([{ path: 'm/model.riva', content: randomBytes(300_000) }]).subarray(0, 150_000), /truncated/],
    ['a ../ entry', () => makeRawArchive([{ path: 'm/model.riva', content: riva }, { path: '../escape.riva', content: riva }]), /"\.\.\/escape\.riva" climbs out/],
    ['an absolute entry', () => makeRawArchive([{ path: '/etc/model.riva', content: riva }]), /"\/etc\/model\.riva" has an absolute path/],
    ['a symlink entry', () => makeRawArchive([{ path: 'm/model.riva', content: riva }, { path: 'm/link.riva', link: 'SymbolicLink', target: '/etc/passwd' }]), /"m\/link\.riva" is a symbolic link/],
    ['a hard link entry', () => makeRawArchive([{ path: 'm/model.riva', content: riva }, { path: 'm/copy.riva', link: 'Link', target: 'm/model.riva' }]), /"m\/copy\.riva" is a hard link/],
    ['no .riva file', () => makeRawArchive([{ path: 'README.txt', content: Buffer.from('hello') }]), /holds no non-empty \.riva file/],
    ['only empty .riva files', () => makeRawArchive([{ path: 'm/empty.riva', content: Buffer.alloc(0) }]), /holds no non-empty \.riva file \(only empty ones: m\/empty\.riva\)/],
  ];

  it.each(invalidArchives)('rejects %s clearly, with no marker, no staged file and no open upload', async (_name, archive, message) => {
    const { tree, run } = await stageFull(archive());

    const result = await run();

    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(message);
    const left = await stagedKeys(tree);
    expect(left).not.toContain(`${PREFIX}staging_complete.txt`);
    expect(left.filter((key) => key.includes('/models/'))).toEqual([]);
    expect(await target.listMultipartUploads(tree.bucket)).toEqual([]);
  });

  it('fails when the archive does not hash to expected-sha256, staging nothing', async () => {
    const archive = await makeModelArchive({ 'm/large.riva': 11 * 1024 * 1024, 'm/z.riva': 100 });
    const { tree, run } = await stageFull(archive, { 'expected-sha256': 'ab'.repeat(32) });

    const result = await run();

    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain(`hashes to ${sha256(archive.bytes)}, not the expected ${'ab'.repeat(32)}`);
    expect(await stagedKeys(tree)).toEqual([]);
    expect(await target.listMultipartUploads(tree.bucket)).toEqual([]);
  });

  it('is already-staged on a re-run, reading nothing of the archive', async () => {
    const { run } = await stageFull(await makeModelArchive());
    expect((await run()).exitCode).toBe(0);
    proxy.requests.length = 0;

    const second = await run();

    expect(second.exitCode).toBe(0);
    expect(second.outputs.status).toBe('already-staged');
    expect(proxy.writes()).toEqual([]);
    expect(proxy.requests.filter((request) => request.method === 'GET' && request.path.endsWith(MODEL_KEY))).toEqual([]);
  });
});
