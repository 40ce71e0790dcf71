import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction, type ActionRun } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, seedBintarball, stagingInputs, type Bintarball } from '../helpers/bintarball.ts';
import { TAR_END, gzipBlocks, paxClaim, sparseBytes, streamedTarEntry, tarEntry, zeros } from '../helpers/fixtures.ts';
import { peakRssProbe } from '../helpers/peak-rss.ts';
import { startS3Target, type S3Target } from '../helpers/s3-target.ts';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const TIB = 1024 ** 4;
const PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const SETTING = '`max-inflated-bytes` (RIVA_STAGE_MAX_INFLATED_BYTES)';

/** The limit the README promises for full mode's peak memory "at any size" (its Performance section). */
const MEMORY_LIMIT_BYTES = (() => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const limit = /peak memory under (\d+) MiB at any size/.exec(readme);
  if (!limit) throw new Error('README.md no longer states the peak memory limit this test holds full mode to');
  return Number(limit[1]) * MIB;
})();

let target: S3Target;
/**
 * A PAX header claiming 2 TiB for a .riva after a genuine one, then 1 GiB of zeros, and the
 * archive ends there: about 1 MB, and enough bytes to fill parts sized by the claim.
 */
let claims2TiB: Buffer;
/** A PAX header claiming 140 GiB (an upload of 16 MiB parts, two in flight) that holds 384 MiB before the archive ends. */
let claims140GiB: Buffer;
/** A 32 MiB .riva and 1.25 GiB of files that are not staged, all of it gzipping about 100×. */
let inflates100x: Buffer;
const INFLATED_BYTES = 32 * MIB + 5 * 256 * MIB;

beforeAll(async () => {
  target = await startS3Target();
  const model = tarEntry({ path: 'parakeet-rnnt/1/encoder.riva', content: Buffer.from('a genuine model file') });
  claims2TiB = await gzipBlocks([model, paxClaim('parakeet-rnnt/1/huge.riva', 2 * TIB), ...zeros(GIB)]);
  claims140GiB = await gzipBlocks([model, paxClaim('parakeet-rnnt/1/huge.riva', 140 * GIB), ...sparseBytes(384 * MIB)]);
  inflates100x = await gzipBlocks(
    (function* () {
      yield* streamedTarEntry('parakeet-rnnt/1/model.riva', 32 * MIB, sparseBytes(32 * MIB));
      for (let index = 0; index < 5; index += 1) {
        yield* streamedTarEntry(`extras/padding-${index}.bin`, 256 * MIB, sparseBytes(256 * MIB));
      }
      yield TAR_END;
    })(),
  );
}, 120_000);
afterAll(async () => {
  await target?.stop();
});

/** Full mode on `archive`, through the bundle, with the peak resident memory of the action's process. */
async function stageFull(archive: Buffer, inputs: Record<string, string> = {}): Promise<{ tree: Bintarball; result: ActionRun; peakRss: number }> {
  const tree = await seedBintarball(target, { bytes: archive, files: {} });
  const probe = peakRssProbe();
  const result = await runAction({
    inputs: stagingInputs(target, target.endpoint, tree, { mode: 'full', ...inputs }),
    env: { ...credentialsEnv(target), ...probe.env },
  });
  const peakRss = probe.peakRssBytes();
  console.log(`peak RSS ${(peakRss / MIB).toFixed(1)} MiB: ${archive.length} byte archive, ${JSON.stringify(inputs)}`);
  return { tree, result, peakRss };
}

async function expectRejectedCleanly(tree: Bintarball, result: ActionRun, message: RegExp): Promise<void> {
  expect(result.exitCode).toBe(1);
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]).toMatch(message);
  expect(result.stderr).not.toMatch(/TypeError|Uncaught|Emitted 'error'/);
  const keys = (await target.listObjects(tree.bucket)).map((object) => object.key);
  expect(keys).not.toContain(`${PREFIX}staging_complete.txt`);
  expect(await target.listMultipartUploads(tree.bucket)).toEqual([]);
}

describe('full mode at any input stays under the README memory limit', () => {
  it('is built from archives that claim and inflate what they should', () => {
    expect(claims2TiB.length).toBeLessThan(2 * MIB);
    expect(INFLATED_BYTES / inflates100x.length).toBeGreaterThan(80);
  });

  it('refuses an entry claiming 2 TiB under the default limit, before sizing anything by it', async () => {
    const { tree, result, peakRss } = await stageFull(claims2TiB);
    await expectRejectedCleanly(
      tree,
      result,
      new RegExp(String.raw`The archive entry "parakeet-rnnt/1/huge\.riva" claims 2\.00 TiB \(2199023255552 bytes\), more than the 1\.00 GiB \(1073741824 bytes\) that ${escape(SETTING)} allows`),
    );
    expect(peakRss).toBeLessThan(MEMORY_LIMIT_BYTES);
  });

  it('refuses an entry claiming 2 TiB with the limit raised to 2 TiB: no upload takes parts that large', async () => {
    const { tree, result, peakRss } = await stageFull(claims2TiB, { 'max-inflated-bytes': '2TiB' });
    await expectRejectedCleanly(
      tree,
      result,
      /Cannot upload models\/parakeet-rnnt\/1\/huge\.riva: it is 2\.00 TiB \(2199023255552 bytes\), and the largest file this tool uploads is 140\.63 GiB/,
    );
    expect(peakRss).toBeLessThan(MEMORY_LIMIT_BYTES);
  });

  it('uploads an entry claiming 140 GiB in 16 MiB parts, two in flight, until the archive ends early', async () => {
    const { tree, result, peakRss } = await stageFull(claims140GiB, { 'max-inflated-bytes': '2TiB' });
    await expectRejectedCleanly(tree, result, /The model archive is not a valid tar: TAR_BAD_ARCHIVE: Truncated input/);
    expect(peakRss).toBeLessThan(MEMORY_LIMIT_BYTES);
  });

  it('stops an archive that inflates 100× at the default limit', async () => {
    const { tree, result, peakRss } = await stageFull(inflates100x);
    await expectRejectedCleanly(tree, result, new RegExp(`the 1\\.00 GiB \\(1073741824 bytes\\) that ${escape(SETTING)} allows`));
    expect(peakRss).toBeLessThan(MEMORY_LIMIT_BYTES);
  });

  it('stages an archive that inflates 100× with the limit raised to 2 TiB', async () => {
    const { tree, result, peakRss } = await stageFull(inflates100x, { 'max-inflated-bytes': '2TiB' });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const keys = (await target.listObjects(tree.bucket)).map((object) => object.key);
    expect(keys).toContain(`${PREFIX}models/parakeet-rnnt/1/model.riva`);
    expect(keys).toContain(`${PREFIX}staging_complete.txt`);
    expect(keys.filter((key) => key.includes('padding'))).toEqual([]);
    expect(peakRss).toBeLessThan(MEMORY_LIMIT_BYTES);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
