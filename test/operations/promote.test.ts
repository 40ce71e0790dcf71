import { describe, expect, it } from 'vitest';
import type { Mode } from '../../src/config/config.ts';
import { ConflictError, ValidationError } from '../../src/errors.ts';
import { parseMarker } from '../../src/marker.ts';
import { parseMetadataDocument } from '../../src/metadata.ts';
import { promoteOperation } from '../../src/operations/promote.ts';
import { stageOperation } from '../../src/operations/stage/stage.ts';
import { verifyOperation } from '../../src/operations/verify.ts';
import { makeModelArchive } from '../helpers/fixtures.ts';
import {
  ARCHIVE_NAME, BUCKET, MODEL_NAME, MODEL_VERSION, NOW, RUN_ID, clearRequests, keysUnder, promoteConfig, rejectionOf, seedMemoryBintarball,
  sha256, stageConfig, textOf, useOperationHarness, verifyConfig, type MemoryBintarball,
} from './operation-harness.ts';

const harness = useOperationHarness();

const folder = (environment: string) => `${environment}/${MODEL_NAME}/${MODEL_VERSION}/`;
const bintarballFolder = (environment: string) => `bintarball/deployment-metadata/${folder(environment)}`;
const RIVA_FILES = ['parakeet-rnnt/1/parakeet-rnnt-1.1b-en-us.riva', 'parakeet-rnnt/punctuation/punctuation-en-us.riva'];
/** A full staging's objects besides its documents, in the order promote copies them. */
const FULL_OBJECTS = [`source/${ARCHIVE_NAME}`, ...RIVA_FILES.map((path) => `models/${path}`), 'checksums.sha256'];

async function stagedIn(mode: Mode, environment = 'dev'): Promise<MemoryBintarball> {
  const tree = await seedMemoryBintarball();
  await stageOperation.run(stageConfig(tree, mode, { environment }), harness.dependencies(tree.store).deps);
  clearRequests(tree.store);
  return tree;
}

async function promote(tree: MemoryBintarball, inputs: Parameters<typeof promoteConfig>[1] = {}) {
  const run = harness.dependencies(tree.store);
  const result = await promoteOperation.run(promoteConfig(tree, inputs), run.deps);
  return { run, result };
}

/** The store's writes without those of the target's lease (taken first, released last; lease.test.ts covers it). */
function writesBesideTheLease(tree: MemoryBintarball) {
  return tree.store.writes().filter((write) => !write.key.endsWith('/staging_lease.json'));
}

describe('promote a full staging', () => {
  it('copies every object server-side, then writes the metadata, then the marker', async () => {
    const tree = await stagedIn('full');

    const { result } = await promote(tree);

    expect(result.status).toBe('staged');
    expect(tree.store.requests.filter((request) => request.operation === 'uploadStream')).toEqual([]);
    expect(writesBesideTheLease(tree)).toEqual([
      ...FULL_OBJECTS.map((path) => ({ operation: 'copyObject', key: `${BUCKET}/${folder('prod')}${path}` })),
      { operation: 'putText', key: `${BUCKET}/${folder('prod')}artifact.json` },
      { operation: 'putText', key: `${BUCKET}/${folder('prod')}staging_complete.txt` },
    ]);
    expect(keysUnder(tree.store, folder('prod'))).toEqual(keysUnder(tree.store, folder('dev')));
    for (const path of FULL_OBJECTS) {
      expect(tree.store.getObject(BUCKET, `${folder('prod')}${path}`)).toEqual(tree.store.getObject(BUCKET, `${folder('dev')}${path}`));
    }
    expect(result.copied.map((object) => object.location.key)).toEqual(FULL_OBJECTS.map((path) => `${folder('prod')}${path}`));
    expect(tree.store.openUploads()).toEqual([]);
  });

  it('records promoted_from and points the new metadata at its own copies', async () => {
    const tree = await stagedIn('full');
    const sourceText = textOf(tree.store, `${folder('dev')}artifact.json`);

    const { result, run } = await promote(tree);

    const parsed = parseMetadataDocument(textOf(tree.store, `${folder('prod')}artifact.json`));
    if ('problem' in parsed) expect.fail(parsed.problem);
    const { metadata } = parsed;
    expect(metadata).toEqual(result.metadata);
    expect(metadata.promoted_from).toEqual({
      metadata_uri: `s3://${BUCKET}/${folder('dev')}artifact.json`,
      environment: 'dev',
      metadata_sha256: sha256(sourceText),
    });
    expect(metadata.deployment).toEqual({
      environment: 'prod',
      s3_bucket: BUCKET,
      metadata_uri: `s3://${BUCKET}/${folder('prod')}artifact.json`,
      marker_uri: `s3://${BUCKET}/${folder('prod')}staging_complete.txt`,
    });
    expect(metadata.files.map((file) => file.uri)).toEqual(RIVA_FILES.map((path) => `s3://${BUCKET}/${folder('prod')}models/${path}`));
    expect(metadata.source).toEqual(JSON.parse(sourceText).source);
    expect(metadata.run).toMatchObject({ id: RUN_ID, started_at: NOW.toISOString() });
    const marker = parseMarker(textOf(tree.store, `${folder('prod')}staging_complete.txt`));
    expect(marker?.metadataSha256).toBe(sha256(textOf(tree.store, `${folder('prod')}artifact.json`)));
    expect(run.state()).toMatchObject({ status: 'staged', promoted_from: metadata.promoted_from });
    expect(promoteOperation.outputs(result)).toMatchObject({ status: 'staged', 'deployment-json-uri': metadata.deployment.metadata_uri });
  });

  it('leaves a staging that verifies in the target environment', async () => {
    const tree = await stagedIn('full');
    await promote(tree);

    const verified = await verifyOperation.run(verifyConfig(tree, { environment: 'prod', deep: 'true' }), harness.dependencies(tree.store).deps);

    expect(verified.mismatches).toEqual([]);
    expect(verified.metadata?.promoted_from?.environment).toBe('dev');
  });

  it('is already-staged when repeated, writing nothing', async () => {
    const tree = await stagedIn('full');
    const first = await promote(tree);
    clearRequests(tree.store);

    const { result } = await promote(tree);

    expect(result.status).toBe('already-staged');
    expect(tree.store.writes()).toEqual([]);
    expect(result.writes).toEqual([]);
    expect(result.copied).toEqual([]);
    expect(result.metadata).toEqual(first.result.metadata);
  });

  it('in a dry run, plans every copy and writes nothing', async () => {
    const tree = await stagedIn('full');

    const { result } = await promote(tree, { dryRun: 'true' });

    expect(result.status).toBe('planned');
    expect(result.plannedCopies.map((copy) => [copy.from.key, copy.to.key])).toEqual(
      FULL_OBJECTS.map((path) => [`${folder('dev')}${path}`, `${folder('prod')}${path}`]),
    );
    expect(result.copied).toEqual([]);
    expect(result.writes.map((write) => write.location.key)).toEqual([`${folder('prod')}artifact.json`, `${folder('prod')}staging_complete.txt`]);
    expect(tree.store.writes()).toEqual([]);
    expect(keysUnder(tree.store, folder('prod'))).toEqual([]);
  });
});

describe('promote other layouts, and refusals', () => {
  it('promotes a bintarball-reference staging with no copies: metadata, then marker', async () => {
    const tree = await stagedIn('bintarball-reference');

    const { result } = await promote(tree);

    expect(result.status).toBe('staged');
    expect(result.plannedCopies).toEqual([]);
    expect(writesBesideTheLease(tree)).toEqual([
      { operation: 'putText', key: `${BUCKET}/${bintarballFolder('prod')}deployment.json` },
      { operation: 'putText', key: `${BUCKET}/${bintarballFolder('prod')}deployment_ready.txt` },
    ]);
    expect(result.metadata.promoted_from?.metadata_uri).toBe(`s3://${BUCKET}/${bintarballFolder('dev')}deployment.json`);
  });

  it('refuses an incomplete source staging and writes nothing', async () => {
    const tree = await stagedIn('reference-only');
    await tree.store.delete({ bucket: BUCKET, key: `${folder('dev')}staging_complete.txt` }, 'the marker');
    clearRequests(tree.store);

    const error = await rejectionOf(promote(tree));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('The staging of environment "dev" cannot be promoted');
    expect((error as Error).message).toContain('completion marker');
    expect(tree.store.writes()).toEqual([]);
    expect(keysUnder(tree.store, folder('prod'))).toEqual([]);
  });

  it('refuses to replace a different complete staging in the target unless forced', async () => {
    const tree = await stagedIn('reference-only');
    await stageOperation.run(stageConfig(tree, 'reference-only', { environment: 'prod' }), harness.dependencies(tree.store).deps);
    const prodMetadata = textOf(tree.store, `${folder('prod')}artifact.json`);
    clearRequests(tree.store);

    const error = await rejectionOf(promote(tree));

    expect(error).toBeInstanceOf(ConflictError);
    expect(tree.store.writes()).toEqual([]);
    expect(textOf(tree.store, `${folder('prod')}artifact.json`)).toBe(prodMetadata);

    const { result } = await promote(tree, { force: 'true' });

    expect(result.status).toBe('staged');
    expect(writesBesideTheLease(tree)[0]).toEqual({ operation: 'delete', key: `${BUCKET}/${folder('prod')}staging_complete.txt` });
    expect(result.metadata.promoted_from?.environment).toBe('dev');
  });
});

describe('a copy whose key S3 would refuse in the target environment', () => {
  it('is refused before any write, naming the key: "prod" is one byte longer than "dev"', async () => {
    // A .riva path whose staged key in "dev" is exactly S3's 1024 bytes, in folders of 200 characters (a file system's limit is 255).
    const prefix = `${folder('dev')}models/`;
    const rest = 1024 - Buffer.byteLength(prefix) - 'm/'.length - '.riva'.length;
    const longPath = `m/${['d', 'e', 'f', 'g', 'h', 'i'].map((letter) => letter.repeat(200)).join('/').slice(0, rest)}.riva`;
    expect(Buffer.byteLength(`${prefix}${longPath}`)).toBe(1024);
    const tree = await seedMemoryBintarball({ archive: await makeModelArchive({ 'm/a.riva': 4096, [longPath]: 4096 }) });
    const staged = await stageOperation.run(stageConfig(tree, 'full'), harness.dependencies(tree.store).deps);
    expect(staged.status).toBe('staged');
    clearRequests(tree.store);
    const run = harness.dependencies(tree.store);

    const error = await rejectionOf(promoteOperation.run(promoteConfig(tree), run.deps));

    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Cannot promote models\/m\/d+…: its copy's key s3:\/\/riva-deployments\/prod\/\S+… is 1025 bytes long \(UTF-8\); S3 allows at most 1024\. Nothing was copied\./);
    expect(message).toContain('Promote to a shorter `environment` (ENV)');
    expect(tree.store.writes()).toEqual([]);
    expect(keysUnder(tree.store, folder('prod'))).toEqual([]);
  });
});
