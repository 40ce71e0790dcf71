import { describe, expect, it } from 'vitest';
import type { Mode } from '../../src/config/config.ts';
import { parseMetadataDocument, pinnedObjects, type Metadata } from '../../src/metadata.ts';
import { promoteOperation } from '../../src/operations/promote.ts';
import { stageOperation } from '../../src/operations/stage/stage.ts';
import { MemoryObjectStore } from '../../src/s3/memory-object-store.ts';
import {
  CONTAINER_KEY, MODEL_KEY, promoteConfig, seedMemoryBintarball, sha256, stageConfig, textOf, useOperationHarness,
  type MemoryBintarball,
} from './operation-harness.ts';

const harness = useOperationHarness();

/** The bintarball in a bucket that keeps versions (as a versioned S3 bucket does). */
function versionedBintarball(): Promise<MemoryBintarball> {
  return seedMemoryBintarball({ store: { versioned: true } });
}

function storedMetadata(tree: MemoryBintarball, key: string): Metadata {
  const parsed = parseMetadataDocument(textOf(tree.store, key));
  if (!('metadata' in parsed) || parsed.metadata.schema_version !== 2) throw new Error(`${key} is not a current metadata document`);
  return parsed.metadata;
}

describe('pinned outputs of stage and promote', () => {
  it.each(['bintarball-reference', 'reference-only', 'full'] as const)(
    '%s: deployment-json-sha256 is the SHA-256 of the document as stored; no version in an unversioned bucket',
    async (mode: Mode) => {
      const tree = await seedMemoryBintarball();

      const result = await stageOperation.run(stageConfig(tree, mode), harness.dependencies(tree.store).deps);

      const outputs = stageOperation.outputs(result);
      expect(outputs['deployment-json-sha256']).toBe(sha256(textOf(tree.store, result.layout.metadata.key)));
      expect(outputs['deployment-json-version-id']).toBe('');
      expect(pinnedObjects(storedMetadata(tree, result.layout.metadata.key)).every((object) => object.version_id === undefined)).toBe(true);
    },
  );

  it('an already-staged run outputs the same digest; a dry run the digest of what it would write', async () => {
    const tree = await seedMemoryBintarball();
    const first = await stageOperation.run(stageConfig(tree, 'reference-only'), harness.dependencies(tree.store).deps);
    const again = await stageOperation.run(stageConfig(tree, 'reference-only'), harness.dependencies(tree.store).deps);
    const fresh = await seedMemoryBintarball();
    const planned = await stageOperation.run(stageConfig(fresh, 'reference-only', { dryRun: 'true' }), harness.dependencies(fresh.store).deps);

    expect(again.status).toBe('already-staged');
    expect(stageOperation.outputs(again)['deployment-json-sha256']).toBe(stageOperation.outputs(first)['deployment-json-sha256']);
    expect(planned.status).toBe('planned');
    expect(planned.document.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fresh.store.keys(fresh.bucket)).toEqual([CONTAINER_KEY, MODEL_KEY].sort());
  });

  it('records the version of every staged object and outputs the document version in a versioned bucket', async () => {
    const tree = await versionedBintarball();

    const result = await stageOperation.run(stageConfig(tree, 'full'), harness.dependencies(tree.store).deps);

    const metadata = storedMetadata(tree, result.layout.metadata.key);
    const pinned = pinnedObjects(metadata);
    // The archive copy and the two .riva files of the shared archive.
    expect(pinned.map((object) => object.path)).toHaveLength(3);
    for (const object of pinned) {
      const key = object.uri.slice(`s3://${tree.bucket}/`.length);
      expect(object.version_id).toBe((await tree.store.head({ bucket: tree.bucket, key }, 'x'))?.versionId);
      expect(object.version_id).toMatch(/\S/);
    }
    const version = (await tree.store.head(result.layout.metadata, 'the metadata document'))?.versionId;
    expect(stageOperation.outputs(result)['deployment-json-version-id']).toBe(version);
    expect(version).toMatch(/\S/);
  });

  it('promote pins its copies and its document the same way', async () => {
    const tree = await versionedBintarball();
    await stageOperation.run(stageConfig(tree, 'full'), harness.dependencies(tree.store).deps);

    const result = await promoteOperation.run(promoteConfig(tree), harness.dependencies(tree.store).deps);

    const metadata = storedMetadata(tree, result.layout.metadata.key);
    expect(pinnedObjects(metadata).length).toBeGreaterThan(1);
    for (const object of pinnedObjects(metadata)) {
      const key = object.uri.slice(`s3://${tree.bucket}/`.length);
      expect(key.startsWith('prod/')).toBe(true);
      expect(object.version_id).toBe((await tree.store.head({ bucket: tree.bucket, key }, 'x'))?.versionId);
    }
    const outputs = promoteOperation.outputs(result);
    expect(outputs['deployment-json-sha256']).toBe(sha256(textOf(tree.store, result.layout.metadata.key)));
    expect(outputs['deployment-json-version-id']).toBe((await tree.store.head(result.layout.metadata, 'x'))?.versionId);
  });

  it('a versioned memory bucket serves an overwritten key by its old version', async () => {
    const store = new MemoryObjectStore({ versioned: true });
    store.createBucket('b');
    const first = store.putObject('b', 'k', 'one');
    const version = (await store.head({ bucket: 'b', key: 'k' }, 'k'))?.versionId;
    store.putObject('b', 'k', 'two');

    const read = await store.readRange({ bucket: 'b', key: 'k' }, { ifMatch: first, versionId: version, first: 0, last: 2 });

    const chunks: Buffer[] = [];
    for await (const chunk of read.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('one');
    expect(read.etag).toBe(first);
  });
});
