import { describe, expect, it } from 'vitest';
import type { Mode } from '../../src/config/config.ts';
import { NotFoundError } from '../../src/errors.ts';
import { parseMetadataDocument } from '../../src/metadata.ts';
import { promoteOperation } from '../../src/operations/promote.ts';
import { stageOperation } from '../../src/operations/stage/stage.ts';
import { verifyOperation } from '../../src/operations/verify.ts';
import {
  ARCHIVE_NAME, BUCKET, MODEL_KEY, MODEL_NAME, MODEL_VERSION, clearRequests, keysUnder, promoteConfig, rejectionOf, seedMemoryBintarball,
  stageConfig, textOf, useOperationHarness, verifyConfig, type MemoryBintarball,
} from './operation-harness.ts';

const harness = useOperationHarness();

const PROD_BUCKET = 'riva-production';
const folder = (environment: string) => `${environment}/${MODEL_NAME}/${MODEL_VERSION}/`;
const bintarballFolder = (environment: string) => `bintarball/deployment-metadata/${folder(environment)}`;
const RIVA_FILES = ['parakeet-rnnt/1/parakeet-rnnt-1.1b-en-us.riva', 'parakeet-rnnt/punctuation/punctuation-en-us.riva'];
const FULL_OBJECTS = [`source/${ARCHIVE_NAME}`, ...RIVA_FILES.map((path) => `models/${path}`), 'checksums.sha256'];

/** A staging of `dev` in the source bucket, and an empty production bucket on the same server. */
async function stagedIn(mode: Mode): Promise<MemoryBintarball> {
  const tree = await seedMemoryBintarball();
  tree.store.createBucket(PROD_BUCKET);
  await stageOperation.run(stageConfig(tree, mode, { environment: 'dev' }), harness.dependencies(tree.store).deps);
  clearRequests(tree.store);
  return tree;
}

async function promoteTo(tree: MemoryBintarball, inputs: Parameters<typeof promoteConfig>[1] = {}) {
  const run = harness.dependencies(tree.store);
  return promoteOperation.run(promoteConfig(tree, { toBucket: PROD_BUCKET, ...inputs }), run.deps);
}

describe('promote into another bucket', () => {
  it('copies a full staging server-side into the target bucket, where its lease, metadata and marker go; the source bucket gets no write', async () => {
    const tree = await stagedIn('full');
    const sourceKeys = tree.store.keys(BUCKET);

    const result = await promoteTo(tree);

    expect(result.status).toBe('staged');
    expect(tree.store.requests.filter((request) => request.operation === 'uploadStream')).toEqual([]);
    expect(tree.store.writes().filter((write) => write.key.startsWith(`${BUCKET}/`))).toEqual([]);
    expect(tree.store.writes().map((write) => write.key)).toContain(`${PROD_BUCKET}/${folder('prod')}staging_lease.json`);
    expect(tree.store.writes().filter((write) => write.operation === 'copyObject').map((write) => write.key)).toEqual(
      FULL_OBJECTS.map((path) => `${PROD_BUCKET}/${folder('prod')}${path}`),
    );
    for (const path of FULL_OBJECTS) {
      expect(tree.store.getObject(PROD_BUCKET, `${folder('prod')}${path}`)).toEqual(tree.store.getObject(BUCKET, `${folder('dev')}${path}`));
    }
    expect(keysUnder(tree.store, folder('prod'), PROD_BUCKET)).toEqual(['artifact.json', ...FULL_OBJECTS, 'staging_complete.txt'].sort());
    expect(tree.store.keys(BUCKET)).toEqual(sourceKeys);
    expect(tree.store.openUploads()).toEqual([]);

    const parsed = parseMetadataDocument(textOf(tree.store, `${folder('prod')}artifact.json`, PROD_BUCKET));
    if ('problem' in parsed) expect.fail(parsed.problem);
    expect(parsed.metadata.deployment).toEqual({
      environment: 'prod',
      s3_bucket: PROD_BUCKET,
      metadata_uri: `s3://${PROD_BUCKET}/${folder('prod')}artifact.json`,
      marker_uri: `s3://${PROD_BUCKET}/${folder('prod')}staging_complete.txt`,
    });
    expect(parsed.metadata.files.map((file) => file.uri)).toEqual(RIVA_FILES.map((path) => `s3://${PROD_BUCKET}/${folder('prod')}models/${path}`));
    expect(parsed.metadata.promoted_from?.metadata_uri).toBe(`s3://${BUCKET}/${folder('dev')}artifact.json`);
  });

  it('leaves a staging that verifies in the target bucket, and repeating it writes nothing', async () => {
    const tree = await stagedIn('full');
    await promoteTo(tree);

    const verified = await verifyOperation.run(verifyConfig(tree, { bucket: PROD_BUCKET, environment: 'prod', deep: 'true' }), harness.dependencies(tree.store).deps);
    expect(verified.mismatches).toEqual([]);

    clearRequests(tree.store);
    const again = await promoteTo(tree);
    expect(again.status).toBe('already-staged');
    expect(tree.store.writes()).toEqual([]);
  });

  it('keeps the environment name when only the bucket changes (dev of the staging bucket → dev of production)', async () => {
    const tree = await stagedIn('reference-only');

    const result = await promoteTo(tree, { environment: 'dev' });

    expect(result.status).toBe('staged');
    expect(keysUnder(tree.store, folder('dev'), PROD_BUCKET)).toEqual(['artifact.json', 'staging_complete.txt']);
    expect(result.metadata.promoted_from?.metadata_uri).toBe(`s3://${BUCKET}/${folder('dev')}artifact.json`);
  });

  it('writes a bintarball-reference staging into the target bucket\'s metadata tree, still referencing the source archive', async () => {
    const tree = await stagedIn('bintarball-reference');

    const result = await promoteTo(tree);

    expect(result.status).toBe('staged');
    expect(keysUnder(tree.store, bintarballFolder('prod'), PROD_BUCKET)).toEqual(['deployment.json', 'deployment_ready.txt']);
    expect(keysUnder(tree.store, bintarballFolder('prod'))).toEqual([]);
    expect(result.metadata.deployment.s3_bucket).toBe(PROD_BUCKET);
    expect(result.metadata.source.uri).toBe(`s3://${BUCKET}/${MODEL_KEY}`);
  });

  it('in a dry run, checks the target bucket exists and names it when it does not, writing nothing', async () => {
    const tree = await stagedIn('full');

    const error = await rejectionOf(promoteTo(tree, { toBucket: 'riva-missing-bucket', dryRun: 'true' }));

    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain('riva-missing-bucket');
    expect(tree.store.writes()).toEqual([]);

    const planned = await promoteTo(tree, { dryRun: 'true' });
    expect(planned.status).toBe('planned');
    expect(planned.plannedCopies.map((copy) => [copy.from.bucket, copy.to.bucket])).toEqual(FULL_OBJECTS.map(() => [BUCKET, PROD_BUCKET]));
    expect(tree.store.writes()).toEqual([]);
  });

  it('pins each cross-bucket copy to the ETag the source metadata records: a source replaced since is not promoted', async () => {
    const tree = await stagedIn('full');
    const replaced = `${folder('dev')}checksums.sha256`;
    // Verify has passed when the copies start; the object is replaced just before its copy.
    const copyObject = tree.store.copyObject.bind(tree.store);
    tree.store.copyObject = async (source, target) => {
      if (source.location.key === replaced) tree.store.putObject(BUCKET, replaced, Buffer.from('tampered\n'));
      return copyObject(source, target);
    };

    const error = await rejectionOf(promoteTo(tree));

    expect((error as Error).message).toMatch(/412|PreconditionFailed|changed|replaced/i);
    expect(tree.store.getObject(PROD_BUCKET, `${folder('prod')}checksums.sha256`)).toBeUndefined();
    expect(tree.store.getObject(PROD_BUCKET, `${folder('prod')}staging_complete.txt`)).toBeUndefined();
    expect(tree.store.openUploads()).toEqual([]);
  });
});
