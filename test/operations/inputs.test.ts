import { describe, expect, it } from 'vitest';
import type { Mode } from '../../src/config/config.ts';
import { NotFoundError, ValidationError } from '../../src/errors.ts';
import { promoteOperation } from '../../src/operations/promote.ts';
import { stageOperation } from '../../src/operations/stage/stage.ts';
import { makeModelArchive } from '../helpers/fixtures.ts';
import {
  BUCKET, MODEL_NAME, MODEL_VERSION, clearRequests, promoteConfig, rejectionOf, seedMemoryBintarball, stageConfig, useOperationHarness,
} from './operation-harness.ts';

// What a staging does with inputs S3 would refuse part-way: a key too long for S3, a target
// bucket that is not there in a dry run.
const harness = useOperationHarness();

const MODES: Mode[] = ['bintarball-reference', 'reference-only', 'full'];
const MISSING_BUCKET = 'no-such-deployments';

describe('a .riva entry whose key S3 would refuse', () => {
  // stagedModelFile refuses the key (layout.test.ts) before the entry's upload starts.
  it('is refused before its upload, naming the entry', async () => {
    const prefix = `dev/${MODEL_NAME}/${MODEL_VERSION}/models/`;
    // Folders of 200 characters (a file system's limit is 255): the path fits a tar, not an S3 key.
    const longPath = `m/${'d'.repeat(200)}/${'e'.repeat(200)}/${'f'.repeat(200)}/${'g'.repeat(200)}/${'h'.repeat(200)}.riva`;
    expect(Buffer.byteLength(`${prefix}${longPath}`)).toBeGreaterThan(1024);
    const archive = await makeModelArchive({ 'm/a.riva': 4096, [longPath]: 4096 });
    const tree = await seedMemoryBintarball({ archive });
    const run = harness.dependencies(tree.store);

    const error = await rejectionOf(stageOperation.run(stageConfig(tree, 'full'), run.deps));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/^The archive entry m\/d{198}… cannot be staged: its key is 1051 bytes long \(UTF-8\); S3 allows at most 1024\.$/);
    expect(tree.store.requests.filter((request) => request.key.includes('ddddd'))).toEqual([]);
    expect(tree.store.openUploads()).toEqual([]);
    expect(run.state()).toMatchObject({ status: 'failed', failed_phase: 'write' });
  });
});

describe('a dry run checks the target bucket', () => {
  it.each(MODES)('%s: a missing target bucket is a NotFoundError naming it, not planned', async (mode) => {
    const tree = await seedMemoryBintarball();
    const run = harness.dependencies(tree.store);

    const error = await rejectionOf(stageOperation.run(stageConfig(tree, mode, { bucket: MISSING_BUCKET, dryRun: 'true' }), run.deps));

    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe(
      `Could not find the target bucket (s3://${MISSING_BUCKET}/): the bucket does not exist. Check the bucket name and \`aws-region\` (AWS_REGION).`,
    );
    expect(run.state()).toMatchObject({ status: 'failed', failed_phase: 'discover' });
    expect(tree.store.writes()).toEqual([]);
  });

  it('an existing bucket is asked once, and the dry run plans', async () => {
    const tree = await seedMemoryBintarball();
    clearRequests(tree.store);
    const result = await stageOperation.run(stageConfig(tree, 'reference-only', { dryRun: 'true' }), harness.dependencies(tree.store).deps);

    expect(result.status).toBe('planned');
    expect(tree.store.requests.filter((request) => request.operation === 'headBucket')).toEqual([{ operation: 'headBucket', key: `${BUCKET}/` }]);
  });

  it('a run that writes does not ask: its first write finds a missing bucket', async () => {
    const tree = await seedMemoryBintarball();
    clearRequests(tree.store);
    await stageOperation.run(stageConfig(tree, 'reference-only'), harness.dependencies(tree.store).deps);
    expect(tree.store.requests.filter((request) => request.operation === 'headBucket')).toEqual([]);
  });

  it('promote: a missing bucket is a NotFoundError naming it, not planned', async () => {
    const tree = await seedMemoryBintarball();
    const run = harness.dependencies(tree.store);

    const error = await rejectionOf(promoteOperation.run(promoteConfig(tree, { bucket: MISSING_BUCKET, dryRun: 'true' }), run.deps));

    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain(`the target bucket (s3://${MISSING_BUCKET}/): the bucket does not exist`);
    expect(run.state()).toMatchObject({ status: 'failed', failed_phase: 'discover' });
  });
});
