import { describe, expect, it } from 'vitest';
import { promoteOperation } from '../../src/operations/promote.ts';
import { stageOperation } from '../../src/operations/stage/stage.ts';
import { BUCKET, MODEL_KEY, MODEL_NAME, MODEL_VERSION, configOf, keysUnder, promoteConfig, seedMemoryBintarball, stageConfig, useOperationHarness } from './operation-harness.ts';

const harness = useOperationHarness();
const folder = (environment: string) => `${environment}/${MODEL_NAME}/${MODEL_VERSION}/`;
const INPUTS = { sse: 'aws:kms', sseKmsKeyId: 'alias/riva', acl: 'bucket-owner-full-control', storageClass: 'STANDARD_IA', tags: 'team=asr' };

describe('write options', () => {
  it('reach every object a full staging and its promotion write, through the store the run opens', async () => {
    // The run gives its store the configuration's write options (run.ts); here the test does.
    const writes = configOf({ bucket: BUCKET, modelUri: `s3://${BUCKET}/${MODEL_KEY}` }, { mode: 'full', ...INPUTS }).objectWrites;
    const tree = await seedMemoryBintarball({ store: { writes } });
    await stageOperation.run(stageConfig(tree, 'full', INPUTS), harness.dependencies(tree.store).deps);
    await promoteOperation.run(promoteConfig(tree, { ...INPUTS, fromEnvironment: 'dev', environment: 'prod' }), harness.dependencies(tree.store).deps);

    expect(writes).toEqual({
      encryption: { mode: 'aws:kms', kmsKeyId: 'alias/riva' },
      acl: 'bucket-owner-full-control',
      storageClass: 'STANDARD_IA',
      tags: [{ key: 'team', value: 'asr' }],
      checksum: 'CRC32',
    });
    for (const environment of ['dev', 'prod']) {
      const keys = keysUnder(tree.store, folder(environment));
      expect(keys).toEqual(expect.arrayContaining(['artifact.json', 'staging_complete.txt', 'checksums.sha256']));
      for (const key of keys) expect({ key, writtenWith: tree.store.storedAs(BUCKET, `${folder(environment)}${key}`)?.writtenWith }).toEqual({ key, writtenWith: writes });
    }
    // The archive copy keeps the source's content type (what the test put: the store's default).
    const copy = keysUnder(tree.store, `${folder('dev')}source/`)[0]!;
    expect(tree.store.storedAs(BUCKET, `${folder('dev')}source/${copy}`)?.contentType).toBe(tree.store.storedAs(BUCKET, MODEL_KEY)?.contentType);
  });
});
