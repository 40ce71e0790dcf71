import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, stagingInputs } from '../helpers/bintarball.ts';
import { MODEL_KEY, makeModelArchive } from '../helpers/fixtures.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

const STAGING = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const BIG_FILE = `${STAGING}models/m/acoustic.riva`;

const s3 = useStagingFixture(() => makeModelArchive({ 'm/acoustic.riva': 300_000, 'm/lexicon.riva': 4096, 'README.txt': 10 }));

const act = (inputs: Record<string, string>) =>
  runAction({ inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, inputs), env: credentialsEnv(s3.target) });

async function stageThenVerify(mode: string, verifyInputs: Record<string, string> = {}) {
  const staged = await act({ mode });
  expect(staged.errors).toEqual([]);
  s3.proxy.requests.length = 0;
  return { staged, verified: await act({ mode: 'verify', ...verifyInputs }) };
}

describe('verify', () => {
  it.each(['bintarball-reference', 'reference-only', 'full'])('passes on a fresh %s staging, writing nothing', async (mode) => {
    const { staged, verified } = await stageThenVerify(mode);

    expect(verified.errors).toEqual([]);
    expect(verified.exitCode).toBe(0);
    expect(verified.outputs).toMatchObject({
      status: 'verified',
      mode: 'verify',
      'deployment-json-uri': staged.outputs['deployment-json-uri'],
      'artifact-id': staged.outputs['artifact-id'],
    });
    expect(s3.proxy.writes()).toEqual([]);
    expect(verified.summary).toContain('Riva deployment verified');
    expect(verified.summary).toContain('source archive');
    if (mode === 'full') {
      expect(verified.summary).toContain('staged file models/m/acoustic.riva');
      expect(verified.summary).toContain('checksums file entry source/');
    }
  });

  it('checks the document named by deployment-json-uri, deeply', async () => {
    const staged = await act({ mode: 'full' });
    const run = await runAction({
      inputs: { mode: 'verify', 'deployment-json-uri': staged.outputs['deployment-json-uri'] ?? '', deep: 'true', 'aws-region': s3.target.region, 's3-endpoint': s3.proxy.endpoint },
      env: credentialsEnv(s3.target),
    });

    expect(run.errors).toEqual([]);
    expect(run.outputs.status).toBe('verified');
    expect(run.summary).toMatch(/\(deep: \d+ objects re-hashed\)/);
    expect(run.summary).toContain('staged file models/m/acoustic.riva (re-hashed)');
    // The original archive is checked by its pinned ETag; its copy, the same bytes, is what is re-hashed.
    expect(run.summary).toContain('archive copy (re-hashed)');
    expect(run.summary).not.toContain('source archive (re-hashed)');
    expect(run.summary).toContain('archive copy (head)');
  });

  it('fails, naming the object, when a staged file was replaced or deleted', async () => {
    expect((await act({ mode: 'full' })).exitCode).toBe(0);
    await s3.target.putObject(s3.tree.bucket, BIG_FILE, randomBytes(1000));
    await s3.target.client.send(new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({ Bucket: s3.tree.bucket, Key: `${STAGING}models/m/lexicon.riva` }));

    const run = await act({ mode: 'verify' });

    expect(run.exitCode).toBe(1);
    const message = run.errors.join('\n').replace(/%0A/g, '\n');
    expect(message).toMatch(new RegExp(`staged file models/m/acoustic.riva s3://${s3.tree.bucket}/${BIG_FILE}: expected 300000 bytes, ETag \\w+, found 1000 bytes, ETag \\w+`));
    expect(message).toContain(`staged file models/m/lexicon.riva s3://${s3.tree.bucket}/${STAGING}models/m/lexicon.riva: expected present, found missing`);
    expect(run.outputs.status).toBe('failed');
    expect(run.summary).toContain('Mismatches');
  });

  it('fails when the source archive was overwritten', async () => {
    expect((await act({})).exitCode).toBe(0);
    await s3.target.putObject(s3.tree.bucket, MODEL_KEY, Buffer.from('another archive'));

    const run = await act({ mode: 'verify' });

    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toMatch(/source archive s3:\/\/.*: expected \d+ bytes, ETag \w+, found 15 bytes, ETag \w+/);
  });

  it('catches a same-size replacement by its ETag, without re-hashing', async () => {
    expect((await act({ mode: 'full' })).exitCode).toBe(0);
    await s3.target.putObject(s3.tree.bucket, BIG_FILE, randomBytes(300_000));

    const shallow = await act({ mode: 'verify' });

    // Neither test server keeps SHA-256 checksums of the staged files; the pinned ETag is what catches it.
    expect(shallow.exitCode).toBe(1);
    expect(shallow.errors.join('\n')).toMatch(/staged file models\/m\/acoustic\.riva .*ETag/);
  });

  it('fails when the marker is gone', async () => {
    expect((await act({ mode: 'reference-only' })).exitCode).toBe(0);
    await s3.target.client.send(new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({ Bucket: s3.tree.bucket, Key: `${STAGING}staging_complete.txt` }));

    const run = await act({ mode: 'verify' });

    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toContain('completion marker');
    expect(run.errors.join('\n')).toContain('found missing');
  });

  it('says where it looked when there is no staging', async () => {
    const run = await act({ mode: 'verify', environment: 'prod' });

    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toContain(`No staging of ${MODEL_NAME} ${MODEL_VERSION} for prod at`);
  });
});
