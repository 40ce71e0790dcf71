import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Mode } from '../../src/config/config.ts';
import { AccessDeniedError, ConflictError, ValidationError } from '../../src/errors.ts';
import { parseMarker } from '../../src/marker.ts';
import { parseMetadataDocument, type StoredMetadataDocument } from '../../src/metadata.ts';
import { stageOperation } from '../../src/operations/stage/stage.ts';
import type { MemoryObjectStore } from '../../src/s3/memory-object-store.ts';
import type { TimelineEvent } from '../../src/timeline.ts';
import { makeModelArchive } from '../helpers/fixtures.ts';
import {
  ARCHIVE_NAME, BUCKET, CONTAINER_KEY, GITHUB, MODEL_KEY, MODEL_NAME, MODEL_VERSION, NOW, RUN_ID, TOOL_VERSION, clearRequests, keyOf,
  keysUnder, rejectionOf, seedMemoryBintarball, sha256, stageConfig, textOf, useOperationHarness, type MemoryBintarball,
} from './operation-harness.ts';

const harness = useOperationHarness();

const MIB = 1024 * 1024;
const BINTARBALL_PREFIX = `bintarball/deployment-metadata/dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const STAGING_AREA_PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const RIVA_FILES = ['parakeet-rnnt/1/parakeet-rnnt-1.1b-en-us.riva', 'parakeet-rnnt/punctuation/punctuation-en-us.riva'];

/** What SPEC §2 says each mode writes, relative to its prefix, and which documents are its metadata and marker. */
const LAYOUTS: Record<Mode, { prefix: string; metadata: string; marker: string; keys: string[] }> = {
  'bintarball-reference': {
    prefix: BINTARBALL_PREFIX,
    metadata: 'deployment.json',
    marker: 'deployment_ready.txt',
    keys: ['deployment.json', 'deployment_ready.txt'],
  },
  'reference-only': {
    prefix: STAGING_AREA_PREFIX,
    metadata: 'artifact.json',
    marker: 'staging_complete.txt',
    keys: ['artifact.json', 'staging_complete.txt'],
  },
  full: {
    prefix: STAGING_AREA_PREFIX,
    metadata: 'artifact.json',
    marker: 'staging_complete.txt',
    keys: [
      'artifact.json',
      'checksums.sha256',
      ...RIVA_FILES.map((path) => `models/${path}`),
      `source/${ARCHIVE_NAME}`,
      'staging_complete.txt',
    ].sort(),
  },
};
const MODES = Object.keys(LAYOUTS) as Mode[];

const md5 = (body: Buffer | string) => createHash('md5').update(body).digest('hex');

async function stageIn(tree: MemoryBintarball, mode: Mode, inputs: Parameters<typeof stageConfig>[2] = {}) {
  const run = harness.dependencies(tree.store);
  const result = await stageOperation.run(stageConfig(tree, mode, inputs), run.deps);
  return { run, result };
}

/** Every key of the bucket outside the bintarball's own archives. */
function stagedKeys(store: MemoryObjectStore): string[] {
  return store.keys(BUCKET).filter((key) => key !== MODEL_KEY && key !== CONTAINER_KEY);
}

function storedMetadata(store: MemoryObjectStore, key: string): StoredMetadataDocument {
  const parsed = parseMetadataDocument(textOf(store, key));
  if ('problem' in parsed) expect.fail(`${key} ${parsed.problem}`);
  return parsed.metadata;
}

describe('stage: each mode writes its layout', () => {
  it.each(MODES)('%s writes exactly the keys its layout names', async (mode) => {
    const tree = await seedMemoryBintarball();
    const { result } = await stageIn(tree, mode);

    const layout = LAYOUTS[mode];
    expect(result.status).toBe('staged');
    expect(stagedKeys(tree.store)).toEqual(layout.keys.map((key) => `${layout.prefix}${key}`).sort());
    // The archives the staging refers to are untouched.
    expect(tree.store.getObject(BUCKET, MODEL_KEY)).toEqual(tree.archive.bytes);
    expect(tree.store.openUploads()).toEqual([]);
  });

  it.each(MODES)('%s writes valid metadata that reads back as the result describes it', async (mode) => {
    const tree = await seedMemoryBintarball();
    const { result } = await stageIn(tree, mode);

    const layout = LAYOUTS[mode];
    const metadata = storedMetadata(tree.store, `${layout.prefix}${layout.metadata}`);
    expect(metadata).toEqual(result.metadata);
    expect(metadata).toMatchObject({
      schema_version: 2,
      artifact_id: `${MODEL_NAME}-${MODEL_VERSION}`,
      mode,
      model: { name: MODEL_NAME, version: MODEL_VERSION, language_code: 'en-US', architecture: 'rnnt' },
      source: { uri: tree.modelUri, size_bytes: tree.archive.bytes.length, etag: md5(tree.archive.bytes) },
      containers: [{ uri: tree.containerUri, size_bytes: 34, etag: md5('riva-speech container image layers') }],
      deployment: {
        environment: 'dev',
        s3_bucket: BUCKET,
        metadata_uri: `s3://${BUCKET}/${layout.prefix}${layout.metadata}`,
        marker_uri: `s3://${BUCKET}/${layout.prefix}${layout.marker}`,
      },
      run: { id: RUN_ID, started_at: NOW.toISOString(), finished_at: NOW.toISOString(), tool_version: TOOL_VERSION, github: GITHUB },
    });
    expect(metadata.promoted_from).toBeUndefined();
    expect(stageOperation.outputs(result)).toMatchObject({
      'deployment-json-uri': metadata.deployment.metadata_uri,
      'marker-uri': metadata.deployment.marker_uri,
      status: 'staged',
      mode,
      'source-size-bytes': String(tree.archive.bytes.length),
    });
  });

  it.each(MODES)('%s writes a marker that records the metadata document it completes', async (mode) => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, mode);

    const layout = LAYOUTS[mode];
    const marker = parseMarker(textOf(tree.store, `${layout.prefix}${layout.marker}`));
    expect(marker).toMatchObject({
      artifactId: `${MODEL_NAME}-${MODEL_VERSION}`,
      mode,
      metadataUri: `s3://${BUCKET}/${layout.prefix}${layout.metadata}`,
      metadataSha256: sha256(textOf(tree.store, `${layout.prefix}${layout.metadata}`)),
      sourceUri: tree.modelUri,
      sourceEtag: md5(tree.archive.bytes),
      sourceSizeBytes: tree.archive.bytes.length,
      containers: `${tree.containerUri}@${md5('riva-speech container image layers')}`,
      runId: RUN_ID,
      completedAt: NOW.toISOString(),
    });
  });

  it.each(MODES)('%s writes the marker last', async (mode) => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, mode);

    const layout = LAYOUTS[mode];
    const writes = tree.store.writes();
    const markerWrites = writes.flatMap((write, index) => (keyOf(write) === `${layout.prefix}${layout.marker}` ? [index] : []));
    expect(markerWrites).toHaveLength(1);
    const [markerIndex = -1] = markerWrites;
    expect(writes[markerIndex]?.operation).toBe('putText');
    // After the marker, the removal of full mode's in-progress record and the lease's release.
    expect(writes.slice(markerIndex + 1)).toEqual([
      ...(mode === 'full' ? [{ operation: 'delete', key: `${BUCKET}/${layout.prefix}staging_in_progress.json` }] : []),
      { operation: 'delete', key: `${BUCKET}/${layout.prefix}staging_lease.json` },
    ]);
    // Right before the marker, the lease is confirmed: the marker is written only while it is held.
    expect(writes[markerIndex - 1]).toEqual({ operation: 'putText', key: `${BUCKET}/${layout.prefix}staging_lease.json` });
    // The metadata document is written before the marker, once.
    const metadataWrites = writes.filter((write) => keyOf(write) === `${layout.prefix}${layout.metadata}`);
    expect(metadataWrites).toEqual([{ operation: 'putText', key: `${BUCKET}/${layout.prefix}${layout.metadata}` }]);
    expect(writes.findIndex((write) => keyOf(write) === `${layout.prefix}${layout.metadata}`)).toBeLessThan(markerIndex);
  });

  it.each(['bintarball-reference', 'reference-only'] as const)('%s writes nothing but the metadata and the marker, under the lease', async (mode) => {
    const tree = await seedMemoryBintarball();
    const { result } = await stageIn(tree, mode);

    const layout = LAYOUTS[mode];
    const lease = { operation: 'putText', key: `${BUCKET}/${layout.prefix}staging_lease.json` };
    expect(tree.store.writes()).toEqual([
      // Created, then written again with If-None-Match to see that the server enforces it (it refuses).
      lease,
      lease,
      { operation: 'putText', key: `${BUCKET}/${layout.prefix}${layout.metadata}` },
      lease,
      { operation: 'putText', key: `${BUCKET}/${layout.prefix}${layout.marker}` },
      { operation: 'delete', key: `${BUCKET}/${layout.prefix}staging_lease.json` },
    ]);
    // Of the archive, the reference modes read only its head (one ranged GET), to see that it is a gzip'd tar.
    const reads = tree.store.requests.filter((request) => request.operation === 'openRead' || request.operation === 'readRange');
    expect(reads).toEqual([{ operation: 'readRange', key: `${BUCKET}/${MODEL_KEY}` }]);
    expect(result.metadata.source.sha256).toBeNull();
    expect(result.metadata.files).toEqual([]);
    expect(result.bytesDuplicationAvoided).toBe(tree.archive.bytes.length + 34);
  });

  it('full mode stages every .riva file with its hash, the archive copy server-side, and checksums', async () => {
    const tree = await seedMemoryBintarball();
    const { result } = await stageIn(tree, 'full');

    const prefix = STAGING_AREA_PREFIX;
    const archiveSha256 = sha256(tree.archive.bytes);
    expect(result.metadata.source.sha256).toBe(archiveSha256);
    expect(result.metadata.files).toEqual(
      RIVA_FILES.map((path) => ({
        path: `models/${path}`,
        uri: `s3://${BUCKET}/${prefix}models/${path}`,
        size_bytes: tree.archive.files[path]!.length,
        etag: md5(tree.archive.files[path]!),
        sha256: sha256(tree.archive.files[path]!),
      })),
    );
    for (const path of RIVA_FILES) expect(tree.store.getObject(BUCKET, `${prefix}models/${path}`)).toEqual(tree.archive.files[path]);
    expect(tree.store.getObject(BUCKET, `${prefix}source/${ARCHIVE_NAME}`)).toEqual(tree.archive.bytes);
    expect(textOf(tree.store, `${prefix}checksums.sha256`)).toBe(
      [`${archiveSha256}  source/${ARCHIVE_NAME}`, ...RIVA_FILES.map((path) => `${sha256(tree.archive.files[path]!)}  models/${path}`)].join('\n') + '\n',
    );
    // The archive's copy is made by the server; only the .riva files are uploaded.
    const copies = tree.store.writes().filter((write) => write.operation === 'copyObject').map((write) => keyOf(write));
    expect(copies).toEqual([`${prefix}source/${ARCHIVE_NAME}`]);
    const uploads = tree.store.writes().filter((write) => write.operation === 'uploadStream').map((write) => keyOf(write));
    expect(uploads.sort()).toEqual(RIVA_FILES.map((path) => `${prefix}models/${path}`));
    expect(result.content?.skippedEntries).toEqual(['README.txt']);
    expect(result.content?.transfer).toEqual({
      bytesDownloaded: tree.archive.bytes.length,
      bytesUploaded: RIVA_FILES.reduce((sum, path) => sum + tree.archive.files[path]!.length, 0),
      bytesCopiedServerSide: tree.archive.bytes.length,
    });
  });

  it('full mode records each phase of its pass once, in the order the pass reaches them', async () => {
    const tree = await seedMemoryBintarball();
    const { result } = await stageIn(tree, 'full');

    const events = result.timeline.map((entry) => entry.event);
    expect([...events].sort()).toEqual(
      ['archive copied', 'files uploaded', 'first byte down', 'last byte down', 'last part up', 'marker written', 'metadata written', 'verified'].sort(),
    );
    const at = (event: TimelineEvent) => events.indexOf(event);
    expect(at('first byte down')).toBeLessThan(at('last byte down'));
    expect(at('last part up')).toBeLessThan(at('files uploaded'));
    for (const before of ['last byte down', 'files uploaded', 'archive copied'] as const) expect(at(before), before).toBeLessThan(at('metadata written'));
    expect(at('metadata written')).toBeLessThan(at('verified'));
    expect(at('verified')).toBeLessThan(at('marker written'));
  });

  it('records the run in the state file', async () => {
    const tree = await seedMemoryBintarball();
    const { run } = await stageIn(tree, 'reference-only');

    const state = run.state();
    expect(state).toMatchObject({
      status: 'staged',
      metadata_uri: `s3://${BUCKET}/${STAGING_AREA_PREFIX}artifact.json`,
      marker_uri: `s3://${BUCKET}/${STAGING_AREA_PREFIX}staging_complete.txt`,
      written: [`s3://${BUCKET}/${STAGING_AREA_PREFIX}artifact.json`, `s3://${BUCKET}/${STAGING_AREA_PREFIX}staging_complete.txt`],
    });
    expect((state.phases as Array<{ name: string; status: string }>).map((phase) => `${phase.name}:${phase.status}`)).toEqual([
      'discover:done',
      'plan:done',
      'lease:done',
      'write:done',
      'verify:done',
    ]);
  });
});

describe('stage: re-runs, dry runs and conflicts', () => {
  it.each(MODES)('%s: a re-run of the same source is already-staged and writes nothing', async (mode) => {
    const tree = await seedMemoryBintarball();
    const first = await stageIn(tree, mode);
    const keys = tree.store.keys(BUCKET);
    clearRequests(tree.store);

    const { result, run } = await stageIn(tree, mode);

    expect(result.status).toBe('already-staged');
    expect(tree.store.writes()).toEqual([]);
    expect(tree.store.keys(BUCKET)).toEqual(keys);
    expect(result.writes).toEqual([]);
    // It reports the staging that is there, not a new one.
    expect(result.metadata).toEqual(first.result.metadata);
    expect(run.state()).toMatchObject({ status: 'already-staged', written: [] });
    expect(stageOperation.outputs(result).status).toBe('already-staged');
  });

  it.each(MODES)('%s: a dry run plans the documents and writes nothing', async (mode) => {
    const tree = await seedMemoryBintarball();
    const before = tree.store.keys(BUCKET);

    const { result, run } = await stageIn(tree, mode, { dryRun: 'true' });

    expect(result.status).toBe('planned');
    expect(tree.store.writes()).toEqual([]);
    expect(tree.store.keys(BUCKET)).toEqual(before);
    const layout = LAYOUTS[mode];
    expect(result.writes.map((write) => write.location.key)).toEqual([`${layout.prefix}${layout.metadata}`, `${layout.prefix}${layout.marker}`]);
    expect(run.logLines.filter((line) => line.startsWith('Dry run: would write'))).toContain(
      `Dry run: would write s3://${BUCKET}/${layout.prefix}${layout.marker}`,
    );
  });

  it.each(MODES)('%s: a different source over a complete staging is a ConflictError that writes nothing', async (mode) => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, mode);
    const layout = LAYOUTS[mode];
    const marker = textOf(tree.store, `${layout.prefix}${layout.marker}`);
    // The archive is replaced in place: same URI, new bytes and ETag.
    tree.store.putObject(BUCKET, MODEL_KEY, (await makeModelArchive({ 'other/model.riva': 2048 })).bytes);
    clearRequests(tree.store);

    const error = await rejectionOf(stageIn(tree, mode));

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain('archive ETag');
    expect(tree.store.writes()).toEqual([]);
    expect(textOf(tree.store, `${layout.prefix}${layout.marker}`)).toBe(marker);
  });

  it('a different archive URI over a complete staging is a ConflictError naming both', async () => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, 'reference-only');
    const otherKey = 'bintarball/riva-models/parakeet/parakeet-rnnt-riva-1-1b-en-us-deployable_v9.0.tar.gz';
    tree.store.putObject(BUCKET, otherKey, tree.archive.bytes);
    clearRequests(tree.store);

    const error = await rejectionOf(stageIn(tree, 'reference-only', { modelS3Uri: `s3://${BUCKET}/${otherKey}` }));

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain(`${tree.modelUri} → s3://${BUCKET}/${otherKey}`);
    expect(tree.store.writes()).toEqual([]);
  });

  it('force re-stages a different source over a complete staging, withdrawing the old marker first', async () => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, 'reference-only');
    const replaced = (await makeModelArchive({ 'other/model.riva': 2048 })).bytes;
    tree.store.putObject(BUCKET, MODEL_KEY, replaced);
    clearRequests(tree.store);

    const { result } = await stageIn(tree, 'reference-only', { force: 'true' });

    expect(result.status).toBe('staged');
    const lease = `${BUCKET}/${STAGING_AREA_PREFIX}staging_lease.json`;
    expect(tree.store.writes().filter((write) => write.key !== lease)).toEqual([
      { operation: 'delete', key: `${BUCKET}/${STAGING_AREA_PREFIX}staging_complete.txt` },
      { operation: 'putText', key: `${BUCKET}/${STAGING_AREA_PREFIX}artifact.json` },
      { operation: 'putText', key: `${BUCKET}/${STAGING_AREA_PREFIX}staging_complete.txt` },
    ]);
    // The old marker goes only once this run holds the lease.
    expect(tree.store.writes()[0]).toEqual({ operation: 'putText', key: lease });
    expect(storedMetadata(tree.store, `${STAGING_AREA_PREFIX}artifact.json`).source.etag).toBe(md5(replaced));
  });
});

describe('stage: full mode on any server, and its failures', () => {
  it('uploads the archive copy from the same download when the server cannot copy server-side', async () => {
    const tree = await seedMemoryBintarball({ store: { serverSideCopy: false } });

    const { result, run } = await stageIn(tree, 'full');

    expect(result.status).toBe('staged');
    const layout = LAYOUTS.full;
    expect(stagedKeys(tree.store)).toEqual(layout.keys.map((key) => `${layout.prefix}${key}`).sort());
    expect(tree.store.getObject(BUCKET, `${layout.prefix}source/${ARCHIVE_NAME}`)).toEqual(tree.archive.bytes);
    const sourceCopyWrites = tree.store
      .writes()
      .filter((write) => keyOf(write) === `${layout.prefix}source/${ARCHIVE_NAME}`)
      .map((write) => write.operation);
    // The probe (open, part copy refused, abort), then the upload; never a CopyObject.
    expect(sourceCopyWrites).toEqual(['createMultipartUpload', 'uploadPartCopy', 'abortMultipartUpload', 'uploadStream']);
    // The archive is read once, for both the .riva files and the copy.
    expect(tree.store.requests.filter((request) => request.operation === 'openRead')).toHaveLength(1);
    expect(result.content?.transfer.bytesCopiedServerSide).toBe(0);
    expect(result.content?.transfer.bytesUploaded).toBeGreaterThan(tree.archive.bytes.length);
    expect(run.logLines.some((line) => line.includes('does not copy objects server-side'))).toBe(true);
    expect(tree.store.openUploads()).toEqual([]);
  });

  it('fails cleanly when a .riva upload is refused: no marker, no metadata, multipart uploads aborted', async () => {
    // Larger than one 8 MiB part, so its upload opens a multipart upload that the failure must abort.
    const archive = await makeModelArchive({ 'm/acoustic.riva': 9 * MIB, 'm/lexicon.riva': 4096 });
    const tree = await seedMemoryBintarball({ archive });
    const failing = `${STAGING_AREA_PREFIX}models/m/acoustic.riva`;
    tree.store.inject({ operation: 'uploadStream', matches: (location) => location.key === failing, error: { status: 403, code: 'AccessDenied' } });
    const run = harness.dependencies(tree.store);

    const error = await rejectionOf(stageOperation.run(stageConfig(tree, 'full'), run.deps));

    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as Error).message).toContain('models/m/acoustic.riva');
    const keys = keysUnder(tree.store, STAGING_AREA_PREFIX);
    expect(keys).not.toContain('staging_complete.txt');
    expect(keys).not.toContain('artifact.json');
    expect(keys).not.toContain('models/m/acoustic.riva');
    expect(tree.store.openUploads()).toEqual([]);
    expect(tree.store.requests).toContainEqual({ operation: 'abortMultipartUpload', key: `${BUCKET}/${failing}` });
    expect(run.state()).toMatchObject({ status: 'failed', failed_phase: 'write' });
  });

  it('a run after a refused upload continues and completes the staging', async () => {
    const tree = await seedMemoryBintarball();
    const failing = `${STAGING_AREA_PREFIX}models/${RIVA_FILES[1]}`;
    tree.store.inject({ operation: 'uploadStream', matches: (location) => location.key === failing, error: { status: 403, code: 'AccessDenied' } });
    await rejectionOf(stageIn(tree, 'full'));
    expect(keysUnder(tree.store, STAGING_AREA_PREFIX)).not.toContain('staging_complete.txt');

    const { result } = await stageIn(tree, 'full');

    expect(result.status).toBe('staged');
    expect(stagedKeys(tree.store)).toEqual(LAYOUTS.full.keys.map((key) => `${STAGING_AREA_PREFIX}${key}`).sort());
    expect(tree.store.getObject(BUCKET, failing)).toEqual(tree.archive.files[RIVA_FILES[1]!]);
  });

  it('refuses an archive that is not a gzip\'d tar with a ValidationError and writes no marker', async () => {
    const tree = await seedMemoryBintarball({ archive: Buffer.from('this is a text file, not a model archive\n'.repeat(20)) });
    const run = harness.dependencies(tree.store);

    const error = await rejectionOf(stageOperation.run(stageConfig(tree, 'full'), run.deps));

    expect(error).toBeInstanceOf(ValidationError);
    const keys = keysUnder(tree.store, STAGING_AREA_PREFIX);
    expect(keys).not.toContain('staging_complete.txt');
    expect(keys).not.toContain('artifact.json');
    expect(keys.filter((key) => key.startsWith('models/'))).toEqual([]);
    expect(tree.store.openUploads()).toEqual([]);
    expect(run.state()).toMatchObject({ status: 'failed', failed_phase: 'write' });
  });

  it('refuses an archive that does not hash to expected-sha256 and writes no marker', async () => {
    const tree = await seedMemoryBintarball();

    const error = await rejectionOf(stageIn(tree, 'full', { expectedSha256: 'a'.repeat(64) }));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(sha256(tree.archive.bytes));
    expect(keysUnder(tree.store, STAGING_AREA_PREFIX)).not.toContain('staging_complete.txt');
    expect(keysUnder(tree.store, STAGING_AREA_PREFIX)).not.toContain('artifact.json');
  });
});
