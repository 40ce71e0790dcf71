import { describe, expect, it } from 'vitest';
import type { Mode } from '../../src/config/config.ts';
import { ConflictError } from '../../src/errors.ts';
import type { StagingLayout } from '../../src/layout.ts';
import { deleteOperation } from '../../src/operations/delete.ts';
import { StagingLease } from '../../src/operations/lease.ts';
import { listOperation, type ListedStaging } from '../../src/operations/list.ts';
import { promoteOperation } from '../../src/operations/promote.ts';
import { stageOperation } from '../../src/operations/stage/stage.ts';
import {
  ARCHIVE_NAME, BUCKET, CONTAINER_KEY, MODEL_KEY, MODEL_NAME, MODEL_VERSION, NOW, clearRequests, deleteConfig, keysUnder, listConfig,
  promoteConfig, rejectionOf, seedMemoryBintarball, stageConfig, useOperationHarness, type MemoryBintarball,
} from './operation-harness.ts';

const harness = useOperationHarness();

const folder = (environment: string) => `${environment}/${MODEL_NAME}/${MODEL_VERSION}/`;
const LEASE = 'staging_lease.json';

/**
 * The writes of a delete of the staging under `prefix`, with its lease checked and taken out: the
 * lease is written before anything is removed and deleted after everything else.
 */
function writesUnderLease(tree: MemoryBintarball, prefix: string) {
  const writes = tree.store.writes();
  const lease = `${BUCKET}/${prefix}${LEASE}`;
  const firstOther = writes.findIndex((write) => write.key !== lease);
  expect(writes.slice(0, firstOther).length).toBeGreaterThan(0);
  expect(writes.slice(0, firstOther).every((write) => write.operation === 'putText')).toBe(true);
  expect(writes.at(-1)).toEqual({ operation: 'delete', key: lease });
  expect(tree.store.getObject(BUCKET, `${prefix}${LEASE}`)).toBeUndefined();
  return writes.slice(firstOther, -1);
}
const bintarballFolder = (environment: string) => `bintarball/deployment-metadata/${folder(environment)}`;
const RIVA_FILES = ['parakeet-rnnt/1/parakeet-rnnt-1.1b-en-us.riva', 'parakeet-rnnt/punctuation/punctuation-en-us.riva'];

async function stage(tree: MemoryBintarball, mode: Mode, environment: string): Promise<void> {
  await stageOperation.run(stageConfig(tree, mode, { environment }), harness.dependencies(tree.store).deps);
}

/** A bucket with three stagings: bintarball-reference in dev, full in prod, reference-only in qa. */
async function threeStagings(): Promise<MemoryBintarball> {
  const tree = await seedMemoryBintarball();
  await stage(tree, 'bintarball-reference', 'dev');
  await stage(tree, 'full', 'prod');
  await stage(tree, 'reference-only', 'qa');
  clearRequests(tree.store);
  return tree;
}

async function list(tree: MemoryBintarball, inputs: Parameters<typeof listConfig>[1] = {}) {
  return listOperation.run(listConfig(tree, inputs), harness.dependencies(tree.store).deps);
}

async function remove(tree: MemoryBintarball, inputs: Parameters<typeof deleteConfig>[1] = {}) {
  const run = harness.dependencies(tree.store);
  const result = await deleteOperation.run(deleteConfig(tree, inputs), run.deps);
  return { run, result };
}

const listed = (environment: string, mode: Mode, metadataUri: string): ListedStaging => ({
  environment,
  model: MODEL_NAME,
  version: MODEL_VERSION,
  mode,
  complete: true,
  source: `s3://${BUCKET}/${MODEL_KEY}`,
  stagedAt: NOW.toISOString(),
  promotedFrom: null,
  metadataUri,
});

describe('list', () => {
  it('finds the stagings of both layouts, bintarball tree first, and writes nothing', async () => {
    const tree = await threeStagings();

    const result = await list(tree);

    expect(result.stagings).toEqual([
      listed('dev', 'bintarball-reference', `s3://${BUCKET}/${bintarballFolder('dev')}deployment.json`),
      listed('prod', 'full', `s3://${BUCKET}/${folder('prod')}artifact.json`),
      listed('qa', 'reference-only', `s3://${BUCKET}/${folder('qa')}artifact.json`),
    ]);
    expect(result.trees).toEqual([`s3://${BUCKET}/bintarball/deployment-metadata/`, `s3://${BUCKET}/`]);
    expect(tree.store.writes()).toEqual([]);
    expect(JSON.parse(listOperation.outputs(result).stagings ?? '[]')).toEqual(result.stagings);
  });

  it('narrows to an environment', async () => {
    const tree = await threeStagings();

    const prod = await list(tree, { environment: 'prod' });
    const dev = await list(tree, { environment: 'dev' });
    const none = await list(tree, { environment: 'staging' });

    expect(prod.stagings.map((staging) => [staging.environment, staging.mode])).toEqual([['prod', 'full']]);
    expect(dev.stagings.map((staging) => [staging.environment, staging.mode])).toEqual([['dev', 'bintarball-reference']]);
    expect(none.stagings).toEqual([]);
  });

  it('narrows to a model version', async () => {
    const tree = await threeStagings();
    await stageOperation.run(stageConfig(tree, 'reference-only', { environment: 'qa', modelVersion: 'v2025.10' }), harness.dependencies(tree.store).deps);

    const all = await list(tree, { environment: 'qa' });
    const one = await list(tree, { environment: 'qa', modelVersion: 'v2025.10' });

    expect(all.stagings.map((staging) => staging.version)).toEqual([MODEL_VERSION, 'v2025.10']);
    expect(one.stagings.map((staging) => staging.version)).toEqual(['v2025.10']);
  });

  it('shows a staging with metadata but no marker as incomplete', async () => {
    const tree = await threeStagings();
    await tree.store.delete({ bucket: BUCKET, key: `${folder('qa')}staging_complete.txt` }, 'the marker');

    const result = await list(tree, { environment: 'qa' });

    expect(result.stagings).toEqual([{ ...listed('qa', 'reference-only', `s3://${BUCKET}/${folder('qa')}artifact.json`), complete: false }]);
  });

  it('shows a promoted staging with where it came from', async () => {
    const tree = await threeStagings();
    await promoteOperation.run(promoteConfig(tree, { fromEnvironment: 'qa', environment: 'uat' }), harness.dependencies(tree.store).deps);

    const result = await list(tree, { environment: 'uat' });

    expect(result.stagings).toEqual([
      {
        ...listed('uat', 'reference-only', `s3://${BUCKET}/${folder('uat')}artifact.json`),
        promotedFrom: { environment: 'qa', metadataUri: `s3://${BUCKET}/${folder('qa')}artifact.json` },
      },
    ]);
  });
});

describe('delete', () => {
  it('removes every object of one full staging, marker first and metadata last, leaving the rest', async () => {
    const tree = await threeStagings();
    const others = tree.store.keys(BUCKET).filter((key) => !key.startsWith(folder('prod')));

    const { result, run } = await remove(tree, { environment: 'prod' });

    expect(result.status).toBe('deleted');
    const deletes = writesUnderLease(tree, folder('prod'));
    expect(deletes.every((write) => write.operation === 'delete')).toBe(true);
    expect(deletes.map((write) => write.key.slice(BUCKET.length + 1 + folder('prod').length))).toEqual([
      'staging_complete.txt',
      'checksums.sha256',
      ...RIVA_FILES.map((path) => `models/${path}`),
      `source/${ARCHIVE_NAME}`,
      'artifact.json',
    ]);
    expect(result.removed).toEqual(deletes.map((write) => `s3://${write.key}`));
    expect(keysUnder(tree.store, folder('prod'))).toEqual([]);
    expect(tree.store.keys(BUCKET)).toEqual(others);
    expect(run.state()).toMatchObject({ status: 'deleted', removed: result.removed });
    expect(deleteOperation.outputs(result)).toMatchObject({ status: 'deleted', 'marker-uri': `s3://${BUCKET}/${folder('prod')}staging_complete.txt` });
  });

  it('removes a bintarball-reference staging and never the archives it refers to', async () => {
    const tree = await threeStagings();

    const { result } = await remove(tree, { environment: 'dev' });

    expect(result.status).toBe('deleted');
    expect(writesUnderLease(tree, bintarballFolder('dev'))).toEqual([
      { operation: 'delete', key: `${BUCKET}/${bintarballFolder('dev')}deployment_ready.txt` },
      { operation: 'delete', key: `${BUCKET}/${bintarballFolder('dev')}deployment.json` },
    ]);
    expect(tree.store.getObject(BUCKET, MODEL_KEY)).toEqual(tree.archive.bytes);
    expect(tree.store.getObject(BUCKET, CONTAINER_KEY)).toBeDefined();
    expect((await list(tree)).stagings.map((staging) => staging.environment)).toEqual(['prod', 'qa']);
  });

  it('in a dry run, lists what it would remove and removes nothing', async () => {
    const tree = await threeStagings();
    const keys = tree.store.keys(BUCKET);

    const { result, run } = await remove(tree, { environment: 'prod', dryRun: 'true' });

    expect(result.status).toBe('planned');
    expect(result.removed[0]).toBe(`s3://${BUCKET}/${folder('prod')}staging_complete.txt`);
    expect(result.removed.at(-1)).toBe(`s3://${BUCKET}/${folder('prod')}artifact.json`);
    expect([...result.removed].sort()).toEqual(keysUnder(tree.store, folder('prod')).map((key) => `s3://${BUCKET}/${folder('prod')}${key}`));
    expect(tree.store.writes()).toEqual([]);
    expect(tree.store.keys(BUCKET)).toEqual(keys);
    expect(run.logLines).toContain(`Dry run: would delete s3://${BUCKET}/${folder('prod')}staging_complete.txt`);
  });

  it('reports an absent staging and removes nothing', async () => {
    const tree = await threeStagings();

    const { result } = await remove(tree, { environment: 'staging' });

    expect(result).toEqual({ operation: 'delete', status: 'absent', layouts: [], removed: [] });
    expect(tree.store.writes()).toEqual([]);
    expect(deleteOperation.outputs(result)).toMatchObject({ status: 'absent', 'deployment-json-uri': '' });
  });

  it('deletes an incomplete staging (metadata without marker) with its metadata last', async () => {
    const tree = await threeStagings();
    await tree.store.delete({ bucket: BUCKET, key: `${folder('qa')}staging_complete.txt` }, 'the marker');
    clearRequests(tree.store);

    const { result } = await remove(tree, { environment: 'qa' });

    expect(result.status).toBe('deleted');
    expect(writesUnderLease(tree, folder('qa'))).toEqual([{ operation: 'delete', key: `${BUCKET}/${folder('qa')}artifact.json` }]);
  });

  it('is refused while another run holds the staging\'s lease, and removes nothing', async () => {
    const tree = await threeStagings();
    const prodKeys = keysUnder(tree.store, folder('prod'));
    const writer = { runId: 'run-writer', workflowRun: 'org/release/7', attempt: '1', host: 'runner-b', pid: 77 };
    const layout = { prefix: { bucket: BUCKET, key: folder('prod') } } as StagingLayout;
    const held = await StagingLease.acquire(tree.store, layout, writer, { ttlSeconds: 120, log: () => undefined });
    clearRequests(tree.store);

    const error = await rejectionOf(remove(tree, { environment: 'prod' }));

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain('run run-writer (host runner-b, pid 77');
    // Its one write was the refused If-None-Match create of the lease.
    expect(tree.store.writes()).toEqual([{ operation: 'putText', key: `${BUCKET}/${folder('prod')}${LEASE}` }]);
    expect(keysUnder(tree.store, folder('prod'))).toEqual(prodKeys.concat(LEASE).sort());
    await held.release();
  });

  it('refuses to delete a staging another environment was promoted from, unless forced', async () => {
    const tree = await seedMemoryBintarball();
    await stage(tree, 'full', 'dev');
    await promoteOperation.run(promoteConfig(tree), harness.dependencies(tree.store).deps);
    const devKeys = keysUnder(tree.store, folder('dev'));
    clearRequests(tree.store);

    const error = await rejectionOf(remove(tree, { environment: 'dev' }));

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain(`s3://${BUCKET}/${folder('prod')}artifact.json`);
    expect(tree.store.writes()).toEqual([]);
    expect(keysUnder(tree.store, folder('dev'))).toEqual(devKeys);

    const { result } = await remove(tree, { environment: 'dev', force: 'true' });

    expect(result.status).toBe('deleted');
    expect(keysUnder(tree.store, folder('dev'))).toEqual([]);
    expect(keysUnder(tree.store, folder('prod'))).toContain('staging_complete.txt');
  });

  it('deletes the promoted staging itself without force', async () => {
    const tree = await seedMemoryBintarball();
    await stage(tree, 'reference-only', 'dev');
    await promoteOperation.run(promoteConfig(tree), harness.dependencies(tree.store).deps);

    const { result } = await remove(tree, { environment: 'prod' });

    expect(result.status).toBe('deleted');
    expect(keysUnder(tree.store, folder('prod'))).toEqual([]);
    expect(keysUnder(tree.store, folder('dev'))).toEqual(['artifact.json', 'staging_complete.txt']);
  });
});
