import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, stagingInputs } from '../helpers/bintarball.ts';
import { MODEL_KEY, makeModelArchive } from '../helpers/fixtures.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

const s3 = useStagingFixture(() => makeModelArchive({ 'm/acoustic.riva': 400_000, 'm/lexicon.riva': 4096 }));
let cacheDir: string;

beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'riva-cache-'));
});

const stageFull = (environment: string, inputs: Record<string, string> = {}) =>
  runAction({
    inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, { mode: 'full', environment, 'cache-dir': cacheDir, ...inputs }),
    env: credentialsEnv(s3.target),
  });
const archiveBytesRead = () =>
  s3.proxy.requests
    .filter((request) => request.method === 'GET' && request.path.endsWith(MODEL_KEY))
    .reduce((sum, request) => sum + request.responseBytes, 0);
/**
 * `archive` grown to `size` bytes by a comment in its gzip header (FCOMMENT): another valid
 * archive exactly as long as the genuine one, so no size check can tell them apart.
 */
function paddedTo(archive: Buffer, size: number): Buffer {
  const FCOMMENT = 0x10;
  if (archive[3] !== 0 || archive.length + 1 > size) throw new Error('paddedTo needs a smaller gzip with no optional header fields');
  const header = Buffer.from(archive.subarray(0, 10));
  header[3] = FCOMMENT;
  return Buffer.concat([header, Buffer.alloc(size - archive.length - 1, 'x'), Buffer.alloc(1), archive.subarray(10)]);
}
const verify = (environment: string) =>
  runAction({ inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, { mode: 'verify', environment, deep: 'true' }), env: credentialsEnv(s3.target) });

describe('archive cache (local directory)', () => {
  it('lets a second full run read nothing of the archive from S3', async () => {
    const first = await stageFull('dev');
    expect(first.errors).toEqual([]);
    expect(first.summary).toContain('miss (local directory');
    expect(readdirSync(cacheDir).filter((name) => name.endsWith('.tar.gz'))).toHaveLength(1);
    s3.proxy.requests.length = 0;

    const second = await stageFull('staging');

    expect(second.errors).toEqual([]);
    expect(second.exitCode).toBe(0);
    expect(archiveBytesRead()).toBe(0);
    expect(second.summary).toMatch(/hit \(local directory [^)]+\): [\d.]+ KiB not downloaded/);
    expect((await verify('staging')).outputs.status).toBe('verified');
  });

  it('misses when the source object changed', async () => {
    expect((await stageFull('dev')).exitCode).toBe(0);
    await s3.target.putObject(s3.tree.bucket, MODEL_KEY, (await makeModelArchive({ 'm/other.riva': 50_000 })).bytes);
    s3.proxy.requests.length = 0;

    const run = await stageFull('staging');

    expect(run.errors).toEqual([]);
    expect(run.summary).toContain('miss (local directory');
    expect(archiveBytesRead()).toBeGreaterThan(0);
    expect((await verify('staging')).outputs.status).toBe('verified');
  });

  it('discards a corrupt entry with a warning and reads from S3', async () => {
    expect((await stageFull('dev')).exitCode).toBe(0);
    const [cached] = readdirSync(cacheDir).filter((name) => name.endsWith('.tar.gz'));
    // Same size, other bytes: only re-hashing the entry can tell.
    writeFileSync(join(cacheDir, cached!), Buffer.alloc(s3.tree.archive.bytes.length, 7));
    s3.proxy.requests.length = 0;

    const run = await stageFull('staging');

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.warnings.join('\n')).toContain('The cached copy of the model archive is unusable');
    expect(archiveBytesRead()).toBeGreaterThan(0);
    expect((await verify('staging')).outputs.status).toBe('verified');
  });

  it('does not use an entry whose archive and sidecar were both replaced, and stages the genuine archive', async () => {
    expect((await stageFull('dev')).exitCode).toBe(0);
    const [cached] = readdirSync(cacheDir).filter((name) => name.endsWith('.tar.gz'));
    const genuine = s3.tree.archive;
    // A valid archive of the same size and entry names, with a sidecar that vouches for it.
    const other = await makeModelArchive({ 'm/acoustic.riva': 390_000, 'm/lexicon.riva': 4096 });
    const impostor = paddedTo(other.bytes, genuine.bytes.length);
    writeFileSync(join(cacheDir, cached!), impostor);
    const sha256 = createHash('sha256').update(impostor).digest('hex');
    writeFileSync(join(cacheDir, cached!.replace(/\.tar\.gz$/, '.json')), `${JSON.stringify({ sha256, size_bytes: impostor.length })}\n`);
    s3.proxy.requests.length = 0;

    const run = await stageFull('staging');

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.warnings.join('\n')).toMatch(/The cached copy of the model archive is unusable \(its bytes give the ETag [0-9a-f]+, S3's is [0-9a-f]+\)/);
    expect(run.summary).toContain('miss (local directory');
    expect(archiveBytesRead()).toBe(genuine.bytes.length);
    for (const path of ['m/acoustic.riva', 'm/lexicon.riva']) {
      const staged = await s3.target.getBytes(s3.tree.bucket, `staging/${MODEL_NAME}/${MODEL_VERSION}/models/${path}`);
      expect(staged.equals(genuine.files[path]!), path).toBe(true);
    }
    expect((await verify('staging')).outputs.status).toBe('verified');
  });

  it('writes nothing to the cache with cache: false', async () => {
    expect((await stageFull('dev', { cache: 'false' })).exitCode).toBe(0);
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});

describe('archive cache (GitHub Actions cache service)', () => {
  it('proceeds with one notice when the runner provides no cache service', async () => {
    const run = await runAction({
      inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, { mode: 'full' }),
      env: credentialsEnv(s3.target),
    });

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.match(/::notice::No cache: this runner provides no Actions cache service/g)).toHaveLength(1);
  });
});
