// README's IAM policies, held to the requests each mode sends. Every mode runs in process against
// the in-memory store (which records each request it receives), in the scenarios that reach its
// writes and removals; each request must be allowed by the README policy of its mode, and every
// action and resource the policy grants must be one that some request of the mode needed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODES, type Mode, type Operation } from '../../src/config/config.ts';
import { operationFor } from '../../src/operations/index.ts';
import { MemoryObjectStore, type StoreRequest } from '../../src/s3/memory-object-store.ts';
import type { ByteRange, CompletedPart, CopySource, ObjectInfo } from '../../src/s3/object-store.ts';
import type { S3Location } from '../../src/s3/uri.ts';
import { CONTAINER_KEY, MODEL_KEY, makeRawArchive } from '../helpers/fixtures.ts';
import { deniedNeeds, listOf as list, matches, policyFor, readmePolicies, type Need, type Place, type S3Action } from '../helpers/readme-iam.ts';
import {
  BUCKET, clearRequests, configOf, rejectionOf, sha256, sharedModelArchive, useOperationHarness, type MemoryBintarball,
} from '../operations/operation-harness.ts';

const harness = useOperationHarness();
/** promote's `to-bucket` in the runs across buckets. */
const TARGET_BUCKET = 'riva-deployments-prod';

/**
 * The in-memory store, also recording the source of each server-side copy (a read of it), and
 * each HEAD that found no object: S3 answers that with 404 only to a caller allowed
 * `s3:ListBucket`, and with 403 to any other, so a run that looks for what may be missing needs it.
 */
class CopyRecordingStore extends MemoryObjectStore {
  readonly copySources: string[] = [];
  readonly missing: string[] = [];

  override async head(location: S3Location, what: string): Promise<ObjectInfo | undefined> {
    const info = await super.head(location, what);
    if (info === undefined) this.missing.push(`${location.bucket}/${location.key}`);
    return info;
  }

  override async copyObject(source: CopySource, target: S3Location): Promise<{ etag: string }> {
    this.copySources.push(`${source.location.bucket}/${source.location.key}`);
    return super.copyObject(source, target);
  }

  override async uploadPartCopy(
    target: S3Location,
    uploadId: string,
    partNumber: number,
    source: { readonly location: S3Location; readonly etag: string | undefined },
    range: ByteRange,
  ): Promise<CompletedPart> {
    this.copySources.push(`${source.location.bucket}/${source.location.key}`);
    return super.uploadPartCopy(target, uploadId, partNumber, source, range);
  }
}

type Action = Extract<S3Action, 's3:GetObject' | 's3:PutObject' | 's3:DeleteObject' | 's3:ListBucket' | 's3:AbortMultipartUpload'>;

const ACTION_OF: Record<StoreRequest['operation'], Action> = {
  head: 's3:GetObject',
  headPart: 's3:GetObject',
  getText: 's3:GetObject',
  openRead: 's3:GetObject',
  readRange: 's3:GetObject',
  headBucket: 's3:ListBucket',
  list: 's3:ListBucket',
  putText: 's3:PutObject',
  uploadStream: 's3:PutObject',
  copyObject: 's3:PutObject',
  createMultipartUpload: 's3:PutObject',
  uploadPartCopy: 's3:PutObject',
  completeMultipartUpload: 's3:PutObject',
  delete: 's3:DeleteObject',
  abortMultipartUpload: 's3:AbortMultipartUpload',
};

/** What IAM authorises each request by: bucket-level actions on the bucket, object actions on the key. */
function needsOf(store: CopyRecordingStore): Need[] {
  const requests = store.requests.map((request): Need => {
    const action = ACTION_OF[request.operation];
    const bucket = request.key.slice(0, request.key.indexOf('/'));
    const arn = action === 's3:ListBucket' ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${request.key}`;
    return { action, arn, request: `${request.operation} ${request.key}` };
  });
  const copySources = store.copySources.map((id): Need => ({ action: 's3:GetObject', arn: `arn:aws:s3:::${id}`, request: `copy from ${id}` }));
  const missing = store.missing.map((id): Need => ({ action: 's3:ListBucket', arn: `arn:aws:s3:::${id.slice(0, id.indexOf('/'))}`, request: `404 for ${id}` }));
  return [...requests, ...copySources, ...missing];
}

async function seeded(archive?: Buffer): Promise<MemoryBintarball & { store: CopyRecordingStore }> {
  const store = new CopyRecordingStore();
  store.createBucket(BUCKET);
  const bytes = archive ?? (await sharedModelArchive()).bytes;
  store.putObject(BUCKET, MODEL_KEY, bytes);
  store.putObject(BUCKET, CONTAINER_KEY, Buffer.from('riva-speech container image layers'));
  return { store, bucket: BUCKET, modelUri: `s3://${BUCKET}/${MODEL_KEY}`, containerUri: `s3://${BUCKET}/${CONTAINER_KEY}`, archive: { bytes, files: {} } };
}

type Inputs = Parameters<typeof configOf>[1];

const destinations: string[] = [];
afterAll(() => {
  for (const folder of destinations) rmSync(folder, { recursive: true, force: true });
});

/** Runs one operation; its requests are recorded, whether it succeeds or is refused. */
async function run(tree: MemoryBintarball, inputs: Inputs, outcome: 'succeeds' | 'fails' = 'succeeds'): Promise<void> {
  // The staging modes reference the container, so the policies' container grants are exercised.
  const staging = (MODES as readonly string[]).includes(inputs?.mode ?? '');
  const config = configOf(tree, { ...(staging ? { containerS3Uri: tree.containerUri } : {}), ...inputs });
  const running = (await operationFor(config)).run(config, harness.dependencies(tree.store as MemoryObjectStore).deps);
  if (outcome === 'succeeds') await running;
  else await rejectionOf(running);
}

/** A staging in `mode` made before the runs that are looked at, whose requests are then forgotten. */
async function stagedBefore(mode: Mode, inputs: Inputs = {}) {
  const tree = await seeded();
  await run(tree, { mode, expectedSha256: sha256(tree.archive.bytes), ...inputs });
  clearRequests(tree.store);
  tree.store.copySources.length = 0;
  tree.store.missing.length = 0;
  return tree;
}

const tempFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'riva-iam-fetch-'));
  destinations.push(folder);
  return folder;
};

/** The scenarios that reach every request a mode sends: each returns the stores it ran against. */
const SCENARIOS: Record<Operation | 'promote-to-bucket', { environments: Omit<Place, 'buckets'> & Partial<Pick<Place, 'buckets'>>; runs: () => Promise<CopyRecordingStore[]> }> = {
  'bintarball-reference': { environments: { env: 'dev' }, runs: () => stageScenarios('bintarball-reference') },
  'reference-only': { environments: { env: 'dev' }, runs: () => stageScenarios('reference-only') },
  full: {
    environments: { env: 'dev' },
    runs: async () => {
      const stores = await stageScenarios('full');
      // A rejected archive: what was staged from it is removed.
      const link = makeRawArchive([{ path: 'm/a.riva', content: Buffer.from('weights') }, { path: 'm/b.riva', link: 'SymbolicLink', target: 'a.riva' }]);
      const rejected = await seeded(link);
      await run(rejected, { mode: 'full' }, 'fails');
      return [...stores, rejected.store];
    },
  },
  verify: {
    environments: { env: 'dev' },
    runs: async () => {
      const stores: CopyRecordingStore[] = [];
      for (const mode of ['bintarball-reference', 'reference-only', 'full'] as const) {
        const tree = await stagedBefore(mode);
        await run(tree, { mode: 'verify', deep: 'true' });
        stores.push(tree.store);
      }
      return stores;
    },
  },
  fetch: {
    environments: { env: 'dev' },
    runs: async () => {
      const stores: CopyRecordingStore[] = [];
      for (const mode of ['bintarball-reference', 'reference-only', 'full'] as const) {
        const tree = await stagedBefore(mode);
        await run(tree, { mode: 'fetch', destination: tempFolder(), ...(mode === 'full' ? {} : { extract: 'true' }) });
        stores.push(tree.store);
      }
      return stores;
    },
  },
  promote: {
    environments: { env: 'prod', fromEnv: 'dev' },
    runs: async () => {
      const stores: CopyRecordingStore[] = [];
      for (const mode of ['bintarball-reference', 'reference-only', 'full'] as const) {
        const tree = await stagedBefore(mode);
        const promote = { mode: 'promote', fromEnvironment: 'dev', environment: 'prod' } as const;
        await run(tree, { ...promote, dryRun: 'true' });
        await run(tree, { ...promote, deep: 'true' });
        await run(tree, promote);
        await run(tree, { ...promote, force: 'true' });
        stores.push(tree.store);
      }
      return stores;
    },
  },
  'promote-to-bucket': {
    environments: { env: 'prod', buckets: [['ml-artifacts-staging', BUCKET], ['ml-artifacts-prod', TARGET_BUCKET]] },
    runs: async () => {
      const stores: CopyRecordingStore[] = [];
      // The policy is written for the staging-area layouts; README says what changes for the bintarball one.
      for (const mode of ['reference-only', 'full'] as const) {
        const tree = await stagedBefore(mode, { environment: 'prod' });
        tree.store.createBucket(TARGET_BUCKET);
        const promote = { mode: 'promote', fromEnvironment: 'prod', environment: 'prod', toBucket: TARGET_BUCKET } as const;
        await run(tree, { ...promote, dryRun: 'true' });
        await run(tree, { ...promote, deep: 'true' });
        await run(tree, { ...promote, force: 'true' });
        stores.push(tree.store);
      }
      return stores;
    },
  },
  list: {
    environments: { env: 'dev' },
    runs: async () => {
      const stores: CopyRecordingStore[] = [];
      for (const mode of ['bintarball-reference', 'full'] as const) {
        const tree = await stagedBefore(mode);
        await run(tree, { mode: 'list', modelName: '', modelVersion: '', environment: '' });
        await run(tree, { mode: 'list', environment: 'dev' });
        stores.push(tree.store);
      }
      return stores;
    },
  },
  delete: {
    environments: { env: 'dev' },
    runs: async () => {
      const stores: CopyRecordingStore[] = [];
      for (const mode of ['bintarball-reference', 'full'] as const) {
        const tree = await stagedBefore(mode);
        await run(tree, { mode: 'delete', dryRun: 'true' });
        await run(tree, { mode: 'delete' });
        await run(tree, { mode: 'delete' });
        stores.push(tree.store);
      }
      return stores;
    },
  },
};

/** Grants no in-process run can reach, each with the test that does reach it. */
const REACHED_ELSEWHERE: ReadonlyArray<{ operation: keyof typeof SCENARIOS; action: Action; why: string; test: string; contains: string }> = [
  ...(['promote', 'promote-to-bucket'] as const).map((operation) => ({
    operation,
    action: 's3:AbortMultipartUpload' as const,
    why: 'only a copy above 5 GiB (UploadPartCopy) opens a multipart upload, which a failing run aborts',
    test: 'test/e2e/server-side-copy.test.ts',
    contains: 'copies part by part (UploadPartCopy) above the single-copy limit',
  })),
];

async function stageScenarios(mode: Mode): Promise<CopyRecordingStore[]> {
  const fresh = await seeded();
  await run(fresh, { mode, dryRun: 'true' });
  await run(fresh, { mode, expectedSha256: sha256(fresh.archive.bytes) });
  await run(fresh, { mode });
  await run(fresh, { mode, force: 'true' });
  return [fresh.store];
}

describe("README's IAM policies", () => {
  it('mark one policy for every mode', () => {
    expect([...readmePolicies().keys()].sort()).toEqual(Object.keys(SCENARIOS).sort());
  });

  it.each(Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[])('%s: every request is allowed, and every grant is used', async (operation) => {
    const { environments, runs } = SCENARIOS[operation];
    const statements = policyFor(operation, { ...environments, buckets: environments.buckets ?? [['ml-artifacts', BUCKET]] });
    const needs = (await runs()).flatMap(needsOf);
    expect(needs.length).toBeGreaterThan(0);

    const denied = deniedNeeds(statements, needs);
    expect(denied, 'requests the README policy does not allow').toEqual([]);

    const unused: string[] = [];
    for (const statement of statements) {
      for (const action of list(statement.Action)) {
        const used = needs.some((need) => need.action === action && list(statement.Resource).some((resource) => matches(resource, need.arn)));
        if (!used && !REACHED_ELSEWHERE.some((grant) => grant.operation === operation && grant.action === action)) unused.push(action);
      }
      for (const resource of list(statement.Resource)) {
        if (!needs.some((need) => list(statement.Action).includes(need.action) && matches(resource, need.arn))) unused.push(resource);
      }
    }
    expect(unused, 'grants no request of the mode needed').toEqual([]);
  }, 30_000);

  it.each(REACHED_ELSEWHERE)('$operation: $action is reached by $test', ({ test, contains }) => {
    expect(readFileSync(new URL(`../../${test}`, import.meta.url), 'utf8')).toContain(contains);
  });

  it('reads a resource pattern as IAM does', () => {
    expect(matches('arn:aws:s3:::b/dev/*', 'arn:aws:s3:::b/dev/m/v/artifact.json')).toBe(true);
    expect(matches('arn:aws:s3:::b/*/artifact.json', 'arn:aws:s3:::b/dev/m/v/artifact.json')).toBe(true);
    expect(matches('arn:aws:s3:::b/dev/*', 'arn:aws:s3:::b/prod/m/v/artifact.json')).toBe(false);
    expect(matches('arn:aws:s3:::b', 'arn:aws:s3:::b2')).toBe(false);
  });
});
