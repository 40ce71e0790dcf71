import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalDirectoryCache } from '../../src/cache/local-directory-cache.ts';
import type { Mode } from '../../src/config/config.ts';
import { ConfigurationError, ConflictError, ValidationError } from '../../src/errors.ts';
import { parseMetadataDocument, type Metadata } from '../../src/metadata.ts';
import { promoteOperation } from '../../src/operations/promote.ts';
import { stageOperation } from '../../src/operations/stage/stage.ts';
import { verifyOperation } from '../../src/operations/verify.ts';
import { makeModelArchive } from '../helpers/fixtures.ts';
import {
  ARCHIVE_NAME, BUCKET, MODEL_KEY, MODEL_NAME, MODEL_VERSION, clearRequests, keysUnder, promoteConfig, rejectionOf, seedMemoryBintarball,
  sha256, stageConfig, textOf, useOperationHarness, verifyConfig, type MemoryBintarball,
} from './operation-harness.ts';

/**
 * SPEC §9's trust rules in process: what a staging's metadata says is what is there, and
 * nothing wrong is answered `staged`, `already-staged` or `verified`.
 */
const harness = useOperationHarness();

const STAGING_AREA_PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const ACOUSTIC = 'models/parakeet-rnnt/1/parakeet-rnnt-1.1b-en-us.riva';
const REFERENCE_MODES = ['bintarball-reference', 'reference-only'] as const;

async function stageIn(tree: MemoryBintarball, mode: Mode, inputs: Parameters<typeof stageConfig>[2] = {}) {
  const run = harness.dependencies(tree.store);
  const result = await stageOperation.run(stageConfig(tree, mode, inputs), run.deps);
  return { run, result };
}

function metadataAt(tree: MemoryBintarball, key: string): Metadata {
  const parsed = parseMetadataDocument(textOf(tree.store, key));
  if ('problem' in parsed) expect.fail(`${key} ${parsed.problem}`);
  if (parsed.metadata.schema_version !== 2) expect.fail(`${key} is not schema version 2`);
  return parsed.metadata;
}

const stagedMetadata = (tree: MemoryBintarball) => metadataAt(tree, `${STAGING_AREA_PREFIX}artifact.json`);

/** Replaces a stored object with other bytes of the same size: a new ETag, nothing else to see. */
function replaceSameSize(tree: MemoryBintarball, key: string): void {
  const body = tree.store.getObject(BUCKET, key);
  if (body === undefined) throw new Error(`${key} is not in the store`);
  tree.store.putObject(BUCKET, key, Buffer.from(body.map((byte) => byte ^ 0xff)));
}

describe('every staged object is pinned', () => {
  it('full mode records each object with the ETag the server reports, and the archive copy', async () => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, 'full');

    const metadata = stagedMetadata(tree);
    const etagOf = async (key: string) => (await tree.store.head({ bucket: BUCKET, key }, key))?.etag;
    expect(metadata.schema_version).toBe(2);
    expect(metadata.source_copy).toEqual({
      path: `source/${ARCHIVE_NAME}`,
      uri: `s3://${BUCKET}/${STAGING_AREA_PREFIX}source/${ARCHIVE_NAME}`,
      size_bytes: tree.archive.bytes.length,
      etag: await etagOf(`${STAGING_AREA_PREFIX}source/${ARCHIVE_NAME}`),
      sha256: sha256(tree.archive.bytes),
    });
    expect(metadata.files.length).toBeGreaterThan(0);
    for (const file of metadata.files) expect(file.etag).toBe(await etagOf(`${STAGING_AREA_PREFIX}${file.path}`));
  });

  it('a same-size replacement of a staged file fails the default (shallow) verify, naming it', async () => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, 'full');
    replaceSameSize(tree, `${STAGING_AREA_PREFIX}${ACOUSTIC}`);

    const result = await verifyOperation.run(verifyConfig(tree), harness.dependencies(tree.store).deps);

    expect(result.mismatches.map((mismatch) => mismatch.what)).toEqual([`staged file ${ACOUSTIC}`]);
    expect(verifyOperation.failure(result)).toMatch(/ETag/);
  });

  it('promote refuses a staging whose file was replaced and writes nothing in the target', async () => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, 'full');
    replaceSameSize(tree, `${STAGING_AREA_PREFIX}${ACOUSTIC}`);
    clearRequests(tree.store);

    const error = await rejectionOf(promoteOperation.run(promoteConfig(tree), harness.dependencies(tree.store).deps));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(ACOUSTIC);
    expect(tree.store.writes()).toEqual([]);
  });

  it('promote pins the target to its copies: the promoted staging verifies', async () => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, 'full');
    await promoteOperation.run(promoteConfig(tree), harness.dependencies(tree.store).deps);

    const result = await verifyOperation.run(verifyConfig(tree, { environment: 'prod' }), harness.dependencies(tree.store).deps);
    expect(result.mismatches).toEqual([]);
    expect(metadataAt(tree, `prod/${MODEL_NAME}/${MODEL_VERSION}/artifact.json`).source_copy?.etag).toBeTruthy();
  });
});

describe('the reference modes look before they point', () => {
  it.each(REFERENCE_MODES)('%s refuses an object that is not a gzip\'d tar, writing nothing', async (mode) => {
    const tree = await seedMemoryBintarball({ archive: Buffer.from('PK\u0003\u0004 a zip file, not a model archive'.repeat(10)) });
    clearRequests(tree.store);

    const error = await rejectionOf(stageIn(tree, mode));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/gzip/);
    expect(tree.store.writes()).toEqual([]);
  });

  it.each(REFERENCE_MODES)('%s enforces expected-sha256 by hashing the archive, writing nothing on a mismatch', async (mode) => {
    const tree = await seedMemoryBintarball();
    clearRequests(tree.store);

    const error = await rejectionOf(stageIn(tree, mode, { expectedSha256: 'a'.repeat(64) }));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(sha256(tree.archive.bytes));
    expect((error as Error).message).toContain('expected-sha256');
    expect(tree.store.writes()).toEqual([]);
  });

  it.each(REFERENCE_MODES)('%s records the hash it checked', async (mode) => {
    const tree = await seedMemoryBintarball();

    const { result, run } = await stageIn(tree, mode, { expectedSha256: sha256(tree.archive.bytes) });

    expect(result.status).toBe('staged');
    expect(result.metadata.source.sha256).toBe(sha256(tree.archive.bytes));
    expect(run.progressLines.some((line) => line.startsWith('Hashing the model archive'))).toBe(true);
  });
});

describe('already-staged means it', () => {
  it('full over a reference-only staging of the same version is refused, naming the mode', async () => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, 'reference-only');
    clearRequests(tree.store);

    const error = await rejectionOf(stageIn(tree, 'full'));

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain('mode reference-only → full');
    expect((error as Error).message).toContain('force');
    expect(tree.store.writes()).toEqual([]);
  });

  it('a full re-run with another expected-sha256 is refused, not already-staged', async () => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, 'full');
    clearRequests(tree.store);

    const error = await rejectionOf(stageIn(tree, 'full', { expectedSha256: 'b'.repeat(64) }));

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain('expected-sha256');
    expect(tree.store.writes()).toEqual([]);
  });

  it('a re-run over a staging whose file was replaced is refused, naming the file', async () => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, 'full');
    replaceSameSize(tree, `${STAGING_AREA_PREFIX}${ACOUSTIC}`);
    clearRequests(tree.store);

    const error = await rejectionOf(stageIn(tree, 'full'));

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain(ACOUSTIC);
    expect(tree.store.writes()).toEqual([]);
  });

  it('a reference re-run with expected-sha256 over a staging that recorded no hash hashes now and is already-staged', async () => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, 'reference-only');
    clearRequests(tree.store);

    const { result } = await stageIn(tree, 'reference-only', { expectedSha256: sha256(tree.archive.bytes) });

    expect(result.status).toBe('already-staged');
    expect(tree.store.writes()).toEqual([]);
  });
});

describe('force and continuation replace, they do not add', () => {
  it('force re-staging of an archive that dropped a file removes the old file', async () => {
    const tree = await seedMemoryBintarball({ archive: await makeModelArchive({ 'm/a.riva': 1024, 'm/b.riva': 2048 }) });
    await stageIn(tree, 'full');
    tree.store.putObject(BUCKET, MODEL_KEY, (await makeModelArchive({ 'm/a.riva': 1536 })).bytes);

    const { result } = await stageIn(tree, 'full', { force: 'true' });

    expect(result.status).toBe('staged');
    const keys = keysUnder(tree.store, STAGING_AREA_PREFIX);
    expect(keys.filter((key) => key.startsWith('models/'))).toEqual(['models/m/a.riva']);
    expect(stagedMetadata(tree).files.map((file) => file.path)).toEqual(['models/m/a.riva']);
  });

  it('objects another source left under models/ and source/ are removed before the marker', async () => {
    const tree = await seedMemoryBintarball();
    tree.store.putObject(BUCKET, `${STAGING_AREA_PREFIX}models/other/left-behind.riva`, Buffer.from('another source'));
    tree.store.putObject(BUCKET, `${STAGING_AREA_PREFIX}source/other-archive.tar.gz`, Buffer.from('another archive'));

    const { run } = await stageIn(tree, 'full');

    const keys = keysUnder(tree.store, STAGING_AREA_PREFIX);
    expect(keys).not.toContain('models/other/left-behind.riva');
    expect(keys).not.toContain('source/other-archive.tar.gz');
    expect(run.logLines.some((line) => line.includes('left-behind.riva') && line.startsWith('Removed'))).toBe(true);
    // What is left is exactly the metadata's objects and the documents.
    const listed = [stagedMetadata(tree).source_copy?.path, ...stagedMetadata(tree).files.map((file) => file.path)];
    expect(keys.sort()).toEqual([...listed, 'artifact.json', 'checksums.sha256', 'staging_complete.txt'].sort());
  });

  it('a reference-only staging over a full one removes the full one\'s files', async () => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, 'full');

    await stageIn(tree, 'reference-only', { force: 'true' });

    expect(keysUnder(tree.store, STAGING_AREA_PREFIX).sort()).toEqual(['artifact.json', 'staging_complete.txt']);
  });
});

describe('a cache hit is proven, not believed', () => {
  it('an entry whose ETag proves nothing (SSE-KMS) is used only when it hashes to what a complete staging recorded', async () => {
    const tree = await seedMemoryBintarball({ store: { sseKms: true } });
    const directory = mkdtempSync(join(tmpdir(), 'riva-trust-cache-'));
    try {
      const cached = (inputs: Parameters<typeof stageConfig>[2]) => {
        const run = harness.dependencies(tree.store);
        return stageOperation.run(stageConfig(tree, 'full', inputs), { ...run.deps, cache: new LocalDirectoryCache(directory) }).then((result) => ({ run, result }));
      };
      const first = await cached({});
      expect(first.result.content?.cache?.outcome).toBe('miss');

      // Re-staged with force: the complete staging in S3 vouches for the archive's SHA-256.
      const again = await cached({ force: 'true' });
      expect(again.result.content?.cache?.outcome).toBe('hit');
      expect(again.run.logLines.some((line) => line.includes('its SHA-256 is one this run knows'))).toBe(true);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('verify checks identity', () => {
  it('a document copied from another version\'s staging does not verify as this one', async () => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, 'reference-only', { modelVersion: 'v2' });
    await stageIn(tree, 'reference-only');
    const other = `dev/${MODEL_NAME}/v2/`;
    tree.store.putObject(BUCKET, `${STAGING_AREA_PREFIX}artifact.json`, tree.store.getObject(BUCKET, `${other}artifact.json`) ?? Buffer.alloc(0));
    tree.store.putObject(BUCKET, `${STAGING_AREA_PREFIX}staging_complete.txt`, tree.store.getObject(BUCKET, `${other}staging_complete.txt`) ?? Buffer.alloc(0));

    const result = await verifyOperation.run(verifyConfig(tree), harness.dependencies(tree.store).deps);

    expect(result.mismatches.map((mismatch) => mismatch.what)).toEqual(
      expect.arrayContaining(['metadata document (its own metadata_uri)', 'metadata document (model version)']),
    );
  });

  it('an environment holding both layouts is a ConfigurationError naming both and asking for deployment-json-uri', async () => {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, 'bintarball-reference');
    await stageIn(tree, 'reference-only');

    const error = await rejectionOf(verifyOperation.run(verifyConfig(tree), harness.dependencies(tree.store).deps));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain('deployment.json');
    expect((error as Error).message).toContain('artifact.json');
    expect((error as Error).message).toContain('deployment-json-uri');
    const chosen = await verifyOperation.run(
      verifyConfig(tree, { deploymentJsonUri: `s3://${BUCKET}/${STAGING_AREA_PREFIX}artifact.json` }),
      harness.dependencies(tree.store).deps,
    );
    expect(chosen.mismatches).toEqual([]);
  });
});

describe('a staging written with schema version 1', () => {
  /** Rewrites a staging's metadata as version 1 wrote it, with a marker to match. */
  async function legacyStaging(): Promise<MemoryBintarball> {
    const tree = await seedMemoryBintarball();
    await stageIn(tree, 'full');
    const current: Record<string, unknown> = { ...stagedMetadata(tree) };
    delete current.source_copy;
    const legacy = { ...current, schema_version: 1, files: stagedMetadata(tree).files.map((file) => ({ ...file, etag: undefined })) };
    const text = `${JSON.stringify(legacy, null, 2)}\n`;
    tree.store.putObject(BUCKET, `${STAGING_AREA_PREFIX}artifact.json`, Buffer.from(text));
    const marker = textOf(tree.store, `${STAGING_AREA_PREFIX}staging_complete.txt`).replace(/^metadata_sha256=.*$/m, `metadata_sha256=${sha256(text)}`);
    tree.store.putObject(BUCKET, `${STAGING_AREA_PREFIX}staging_complete.txt`, Buffer.from(marker));
    return tree;
  }

  it('verifies by size and warns that re-staging pins it', async () => {
    const tree = await legacyStaging();

    const result = await verifyOperation.run(verifyConfig(tree), harness.dependencies(tree.store).deps);

    expect(result.mismatches).toEqual([]);
    expect(verifyOperation.warnings(result)).toEqual([expect.stringMatching(/schema_version 1.*force/)]);
  });

  it('is already-staged with the same warning, and promotes into a pinned staging', async () => {
    const tree = await legacyStaging();

    const { result } = await stageIn(tree, 'full');
    expect(result.status).toBe('already-staged');
    expect(stageOperation.warnings(result)).toEqual([expect.stringMatching(/schema_version 1/)]);

    await promoteOperation.run(promoteConfig(tree), harness.dependencies(tree.store).deps);
    const promoted = metadataAt(tree, `prod/${MODEL_NAME}/${MODEL_VERSION}/artifact.json`);
    expect(promoted.schema_version).toBe(2);
    expect(promoted.files.every((file) => file.etag.length > 0)).toBe(true);
  });
});
