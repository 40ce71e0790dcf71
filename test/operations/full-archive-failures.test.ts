import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AccessDeniedError, ValidationError } from '../../src/errors.ts';
import { stageOperation } from '../../src/operations/stage/stage.ts';
import { TAR_END, paxClaim, tarEntry } from '../helpers/fixtures.ts';
import { collectUncaught } from '../helpers/uncaught.ts';
import { MODEL_NAME, MODEL_VERSION, keysUnder, seedMemoryBintarball, stageConfig, useOperationHarness } from './operation-harness.ts';

const harness = useOperationHarness();

const MIB = 1024 * 1024;
const PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;

/** Full mode on `archive` against the in-memory store: its outcome, what reached the process uncaught, and what is left. */
async function stageFull(archive: Buffer, fault?: (key: string) => boolean) {
  const tree = await seedMemoryBintarball({ archive });
  if (fault) tree.store.inject({ operation: 'uploadStream', matches: (location) => fault(location.key), error: { status: 403, code: 'AccessDenied' } });
  const run = harness.dependencies(tree.store);
  const { value: outcome, uncaught } = await collectUncaught(() =>
    stageOperation.run(stageConfig(tree, 'full'), run.deps).then(
      () => expect.fail('expected the staging to fail'),
      (error: unknown) => error,
    ),
  );
  return { outcome, uncaught, left: keysUnder(tree.store, PREFIX), openUploads: tree.store.openUploads(), state: run.state() };
}

const riva = (path: string, size: number) => tarEntry({ path, content: randomBytes(size) });

describe('full mode on an archive that fails part way', () => {
  it('refuses a tar header broken after a large .riva entry: one clear error, no crash, no marker, no open upload', async () => {
    const broken = riva('m/c.riva', 1000);
    broken.writeUInt8(broken.readUInt8(0) ^ 0x01, 0);
    const archive = gzipSync(Buffer.concat([riva('m/a.riva', 12 * MIB), riva('m/b.riva', 1000), broken, TAR_END]));

    const { outcome, uncaught, left, openUploads, state } = await stageFull(archive);

    expect(uncaught).toEqual([]);
    expect(outcome).toBeInstanceOf(ValidationError);
    expect((outcome as Error).message).toBe('The model archive is not a valid tar: TAR_ENTRY_INVALID: checksum failure');
    expect(left).not.toContain('staging_complete.txt');
    expect(left.filter((key) => key.startsWith('models/'))).toEqual([]);
    expect(openUploads).toEqual([]);
    expect(state).toMatchObject({ status: 'failed', failed_phase: 'write' });
  });

  it('fails on a 403 for one of several .riva files with that error, while the others wait for an upload slot', async () => {
    const archive = gzipSync(
      Buffer.concat([riva('m/a.riva', 3 * MIB), riva('m/b.riva', 1000), riva('m/c.riva', 1000), riva('m/d.riva', 1000), TAR_END]),
    );

    const { outcome, uncaught, left, openUploads } = await stageFull(archive, (key) => key.endsWith('/m/a.riva'));

    expect(uncaught).toEqual([]);
    expect(outcome).toBeInstanceOf(AccessDeniedError);
    expect(left).not.toContain('staging_complete.txt');
    expect(openUploads).toEqual([]);
  });

  it('refuses an entry whose PAX header claims 2 TiB before uploading anything of it', async () => {
    const archive = gzipSync(Buffer.concat([riva('m/a.riva', 1000), paxClaim('m/huge.riva', 2 * 1024 ** 4), Buffer.alloc(MIB)]));

    const { outcome, uncaught, left, openUploads } = await stageFull(archive);

    expect(uncaught).toEqual([]);
    expect(outcome).toBeInstanceOf(ValidationError);
    expect((outcome as Error).message).toContain('The archive entry "m/huge.riva" claims 2.00 TiB');
    expect((outcome as Error).message).toContain('`max-inflated-bytes` (RIVA_STAGE_MAX_INFLATED_BYTES)');
    expect(left.filter((key) => key.startsWith('models/'))).toEqual([]);
    expect(openUploads).toEqual([]);
  });
});
