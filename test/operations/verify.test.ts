import { createHash, randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ARCHIVE_HEAD_BYTES } from '../../src/archive/archive-head.ts';
import type { Mode } from '../../src/config/config.ts';
import { NotFoundError } from '../../src/errors.ts';
import { stageOperation } from '../../src/operations/stage/stage.ts';
import { verifyOperation, type VerifyResult } from '../../src/operations/verify.ts';
import type { MemoryObjectStore } from '../../src/s3/memory-object-store.ts';
import type { S3Location } from '../../src/s3/uri.ts';
import {
  ARCHIVE_NAME, BUCKET, MODEL_KEY, MODEL_NAME, MODEL_VERSION, clearRequests, rejectionOf, seedMemoryBintarball, sha256, stageConfig,
  textOf, useOperationHarness, verifyConfig, type MemoryBintarball,
} from './operation-harness.ts';

const harness = useOperationHarness();

const STAGING_AREA_PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const BINTARBALL_PREFIX = `bintarball/deployment-metadata/dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const ACOUSTIC = 'parakeet-rnnt/1/parakeet-rnnt-1.1b-en-us.riva';
const PUNCTUATION = 'parakeet-rnnt/punctuation/punctuation-en-us.riva';
const MARKERS: Record<Mode, string> = {
  'bintarball-reference': `${BINTARBALL_PREFIX}deployment_ready.txt`,
  'reference-only': `${STAGING_AREA_PREFIX}staging_complete.txt`,
  full: `${STAGING_AREA_PREFIX}staging_complete.txt`,
};

async function staged(mode: Mode): Promise<MemoryBintarball> {
  const tree = await seedMemoryBintarball();
  await stageOperation.run(stageConfig(tree, mode), harness.dependencies(tree.store).deps);
  clearRequests(tree.store);
  return tree;
}

async function verify(tree: MemoryBintarball, inputs: Parameters<typeof verifyConfig>[1] = {}) {
  const run = harness.dependencies(tree.store);
  const result = await verifyOperation.run(verifyConfig(tree, inputs), run.deps);
  return { run, result };
}

/** GETs (whole or ranged) and the bytes they delivered, by `bucket/key`, from now on. */
function countReads(store: MemoryObjectStore) {
  const requests = new Map<string, number>();
  const bytes = new Map<string, number>();
  const counted = (location: S3Location, body: Readable): Readable => {
    const key = `${location.bucket}/${location.key}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes.set(key, (bytes.get(key) ?? 0) + chunk.length);
        done(null, chunk);
      },
    });
    return body.pipe(counter);
  };
  const openRead = store.openRead.bind(store);
  const readRange = store.readRange.bind(store);
  store.openRead = async (location, options) => counted(location, await openRead(location, options));
  store.readRange = async (location, range) => {
    const answer = await readRange(location, range);
    return { ...answer, body: counted(location, answer.body) };
  };
  return { requests: (key: string) => requests.get(key) ?? 0, bytes: (key: string) => bytes.get(key) ?? 0 };
}

const md5 = (body: Buffer) => createHash('md5').update(body).digest('hex');
const whats = (result: VerifyResult) => result.checked.map((check) => check.what);

describe('verify', () => {
  it.each(['bintarball-reference', 'reference-only', 'full'] as const)('finds a good %s staging without mismatches, writing nothing', async (mode) => {
    const tree = await staged(mode);

    const { result, run } = await verify(tree);

    expect(result.mismatches).toEqual([]);
    expect(result.metadata?.mode).toBe(mode);
    expect(result.layout.mode).toBe(mode);
    expect(whats(result)).toEqual(
      expect.arrayContaining(['completion marker', 'metadata document (as the marker records it)', 'metadata schema', 'source archive', 'container archive']),
    );
    expect(result.metadataSha256).toBe(sha256(textOf(tree.store, result.layout.metadata.key)));
    expect(tree.store.writes()).toEqual([]);
    expect(verifyOperation.failure(result)).toBeUndefined();
    expect(verifyOperation.outputs(result)).toMatchObject({ status: 'verified', mode: 'verify', 'source-uri': tree.modelUri });
    expect(run.state()).toMatchObject({ status: 'verified', mismatches: [] });
  });

  it('checks every staged file, the archive copy and each checksums entry of a full staging', async () => {
    const tree = await staged('full');

    const { result } = await verify(tree);

    expect(result.mismatches).toEqual([]);
    expect(whats(result)).toEqual(
      expect.arrayContaining([
        `staged file models/${ACOUSTIC}`,
        `staged file models/${PUNCTUATION}`,
        'archive copy',
        `checksums file entry source/${ARCHIVE_NAME}`,
        `checksums file entry models/${ACOUSTIC}`,
        `checksums file entry models/${PUNCTUATION}`,
      ]),
    );
  });

  it('names a staged file whose size changed', async () => {
    const tree = await staged('full');
    const key = `${STAGING_AREA_PREFIX}models/${PUNCTUATION}`;
    const original = tree.archive.files[PUNCTUATION]!;
    const replaced = randomBytes(original.length + 10);
    tree.store.putObject(BUCKET, key, replaced);

    const { result, run } = await verify(tree);

    expect(result.mismatches).toEqual([
      {
        what: `staged file models/${PUNCTUATION}`,
        uri: `s3://${BUCKET}/${key}`,
        expected: `${original.length} bytes, ETag ${md5(original)}`,
        found: `${original.length + 10} bytes, ETag ${md5(replaced)}`,
      },
    ]);
    const failure = verifyOperation.failure(result);
    expect(failure).toContain(`staged file models/${PUNCTUATION} s3://${BUCKET}/${key}`);
    expect(verifyOperation.outputs(result).status).toBe('failed');
    expect(run.state()).toMatchObject({ status: 'failed' });
    expect(tree.store.writes()).toEqual([]);
  });

  it.each(['bintarball-reference', 'reference-only', 'full'] as const)('reports the missing marker of a %s staging', async (mode) => {
    const tree = await staged(mode);
    await tree.store.delete({ bucket: BUCKET, key: MARKERS[mode] }, 'the marker');

    const { result } = await verify(tree);

    expect(result.mismatches).toEqual([
      { what: 'completion marker', uri: `s3://${BUCKET}/${MARKERS[mode]}`, expected: 'present, written by riva-130-stage', found: 'missing' },
    ]);
    expect(verifyOperation.failure(result)).toContain('completion marker');
  });

  it('reports a marker this tool did not write', async () => {
    const tree = await staged('reference-only');
    tree.store.putObject(BUCKET, MARKERS['reference-only'], 'done\n');

    const { result } = await verify(tree);

    expect(result.mismatches).toEqual([expect.objectContaining({ what: 'completion marker', found: 'not a riva-130-stage marker' })]);
  });

  it('reports a metadata document that is not the one the marker vouches for', async () => {
    const tree = await staged('bintarball-reference');
    const key = `${BINTARBALL_PREFIX}deployment.json`;
    const edited = textOf(tree.store, key).replace('"language_code": "en-US"', '"language_code": "en-GB"');
    tree.store.putObject(BUCKET, key, edited);

    const { result } = await verify(tree);

    expect(result.mismatches).toEqual([
      expect.objectContaining({ what: 'metadata document (as the marker records it)', found: `sha256 ${sha256(edited)}` }),
    ]);
  });

  it('reports a source archive replaced since it was staged', async () => {
    const tree = await staged('bintarball-reference');
    tree.store.putObject(BUCKET, MODEL_KEY, randomBytes(100));

    const { result } = await verify(tree);

    expect(result.mismatches).toEqual([
      expect.objectContaining({ what: 'source archive', uri: tree.modelUri, found: expect.stringMatching(/^100 bytes, ETag /) as unknown }),
    ]);
  });

  it('finds a file of the same size with different bytes by its ETag, without re-hashing it', async () => {
    const tree = await staged('full');
    const key = `${STAGING_AREA_PREFIX}models/${ACOUSTIC}`;
    const original = tree.archive.files[ACOUSTIC]!;
    const tampered = randomBytes(original.length);
    tree.store.putObject(BUCKET, key, tampered);

    const { result } = await verify(tree, { deep: 'true' });

    expect(result.deep).toBe(true);
    expect(result.mismatches).toEqual([
      {
        what: `staged file models/${ACOUSTIC}`,
        uri: `s3://${BUCKET}/${key}`,
        expected: `${original.length} bytes, ETag ${md5(original)}`,
        found: `${original.length} bytes, ETag ${md5(tampered)}`,
      },
    ]);
    expect(whats(result)).not.toContain(`staged file models/${ACOUSTIC} (re-hashed)`);
    expect(tree.store.writes()).toEqual([]);
  });

  it('with deep, re-hashes every staged file and the archive copy of a good full staging, and checks the original archive by its ETag', async () => {
    const tree = await staged('full');

    const { result, run } = await verify(tree, { deep: 'true' });

    expect(result.mismatches).toEqual([]);
    expect(whats(result).filter((what) => what.endsWith('(re-hashed)')).sort()).toEqual(
      ['archive copy (re-hashed)', `staged file models/${ACOUSTIC} (re-hashed)`, `staged file models/${PUNCTUATION} (re-hashed)`],
    );
    expect(result.rehashed).toBe(3);
    expect(result.checked).toContainEqual({ what: 'source archive', uri: tree.modelUri, found: `${tree.archive.bytes.length} bytes, ETag ${md5(tree.archive.bytes)}` });
    expect(whats(result)).toContain('archive copy (head)');
    expect(run.logLines.join('\n')).toContain(`${tree.modelUri} is checked by its size and ETag: its copy s3://${BUCKET}/${STAGING_AREA_PREFIX}source/${ARCHIVE_NAME} holds the same bytes`);
  });

  it('with deep, reads each distinct byte of a full staging once: the original archive not at all when its copy is read', async () => {
    const tree = await staged('full');
    const reads = countReads(tree.store);

    await verify(tree, { deep: 'true' });

    const copyKey = `${BUCKET}/${STAGING_AREA_PREFIX}source/${ARCHIVE_NAME}`;
    const archiveBytes = tree.archive.bytes.length;
    expect(reads.requests(`${BUCKET}/${MODEL_KEY}`)).toBe(0);
    expect(reads.bytes(`${BUCKET}/${MODEL_KEY}`)).toBe(0);
    // The copy's head (one small GET) and its bytes once; each file's bytes once.
    expect(reads.bytes(copyKey)).toBeGreaterThanOrEqual(archiveBytes);
    expect(reads.bytes(copyKey) - archiveBytes).toBeLessThanOrEqual(Math.min(archiveBytes, ARCHIVE_HEAD_BYTES));
    for (const path of [ACOUSTIC, PUNCTUATION]) {
      expect(reads.bytes(`${BUCKET}/${STAGING_AREA_PREFIX}models/${path}`)).toBe(tree.archive.files[path]!.length);
    }
    expect(tree.store.requests.filter((request) => request.operation === 'readRange').length).toBeGreaterThanOrEqual(3);
  });

  it('with deep, re-hashes the original archive when its copy is not as recorded', async () => {
    const tree = await staged('full');
    const copyKey = `${STAGING_AREA_PREFIX}source/${ARCHIVE_NAME}`;
    tree.store.putObject(BUCKET, copyKey, randomBytes(tree.archive.bytes.length));
    const reads = countReads(tree.store);

    const { result } = await verify(tree, { deep: 'true' });

    expect(result.mismatches.map((mismatch) => mismatch.what)).toEqual(['archive copy']);
    expect(whats(result)).toContain('source archive (re-hashed)');
    expect(whats(result)).toContain('source archive (head)');
    expect(whats(result)).not.toContain('archive copy (re-hashed)');
    expect(reads.bytes(`${BUCKET}/${MODEL_KEY}`)).toBeGreaterThanOrEqual(tree.archive.bytes.length);
    expect(reads.bytes(`${BUCKET}/${copyKey}`)).toBe(0);
  });

  it('with deep, shows one progress line for all the re-hashing, ending at 100 % of the bytes re-hashed', async () => {
    const tree = await staged('full');

    const { result, run } = await verify(tree, { deep: 'true' });

    expect(result.rehashed).toBe(3);
    const percents = run.progressLines.map((line) => Number(/^Re-hashing 3 objects: ([\d.]+)% /.exec(line)?.[1]));
    expect(percents.length).toBeGreaterThan(1);
    expect(percents.every((percent) => Number.isFinite(percent))).toBe(true);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    const last = run.progressLines.at(-1) ?? '';
    expect(last).toMatch(/^Re-hashing 3 objects: 100\.0% \((.+) of \1\)/);
  });

  it('without deep, shows no progress: nothing is downloaded', async () => {
    const tree = await staged('full');

    const { run } = await verify(tree);

    expect(run.progressLines).toEqual([]);
  });

  it('finds the staging from a deployment-json-uri', async () => {
    const tree = await staged('bintarball-reference');

    const { result } = await verify(tree, {
      deploymentJsonUri: `s3://${BUCKET}/${BINTARBALL_PREFIX}deployment.json`,
      modelName: '',
      modelVersion: '',
      environment: '',
    });

    expect(result.mismatches).toEqual([]);
    expect(result.layout.metadata.key).toBe(`${BINTARBALL_PREFIX}deployment.json`);
  });

  it('is a NotFoundError when there is no staging of the model in the environment', async () => {
    const tree = await staged('reference-only');

    const error = await rejectionOf(verify(tree, { environment: 'prod' }));

    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain(`prod/${MODEL_NAME}/${MODEL_VERSION}/artifact.json`);
  });
});
