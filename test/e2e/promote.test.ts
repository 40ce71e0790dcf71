import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { MetadataSchema } from '../../src/metadata.ts';
import { runAction } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, stagingInputs } from '../helpers/bintarball.ts';
import { makeModelArchive } from '../helpers/fixtures.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

const folder = (environment: string) => `${environment}/${MODEL_NAME}/${MODEL_VERSION}/`;
const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

const s3 = useStagingFixture(() => makeModelArchive({ 'm/acoustic.riva': 200_000, 'm/lexicon.riva': 4096 }));

const act = (inputs: Record<string, string>) =>
  runAction({ inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, inputs), env: credentialsEnv(s3.target) });
const promoteToProd = (inputs: Record<string, string> = {}) =>
  act({ mode: 'promote', 'from-environment': 'dev', environment: 'prod', ...inputs });
const keysUnder = async (prefix: string) =>
  (await s3.target.listObjects(s3.tree.bucket)).map((object) => object.key).filter((key) => key.startsWith(prefix));

describe('promote', () => {
  it.each([
    ['bintarball-reference', `bintarball/deployment-metadata/`, 'deployment.json'],
    ['reference-only', '', 'artifact.json'],
    ['full', '', 'artifact.json'],
  ])('copies a verified %s staging from dev to prod inside S3', async (mode, root, document) => {
    const staged = await act({ mode, environment: 'dev' });
    expect(staged.errors).toEqual([]);
    const sourceDocument = await s3.target.getText(s3.tree.bucket, `${root}${folder('dev')}${document}`);
    s3.proxy.requests.length = 0;

    const promoted = await promoteToProd();

    expect(promoted.errors).toEqual([]);
    expect(promoted.exitCode).toBe(0);
    expect(promoted.outputs.status).toBe('staged');
    const prodKeys = await keysUnder(`${root}${folder('prod')}`);
    const devKeys = await keysUnder(`${root}${folder('dev')}`);
    expect(prodKeys.map((key) => key.replace('/prod/', '/dev/').replace(/^prod\//, 'dev/'))).toEqual(devKeys);

    const metadata = MetadataSchema.parse(JSON.parse(await s3.target.getText(s3.tree.bucket, `${root}${folder('prod')}${document}`)));
    expect(metadata.promoted_from).toEqual({
      metadata_uri: `s3://${s3.tree.bucket}/${root}${folder('dev')}${document}`,
      environment: 'dev',
      metadata_sha256: sha256(sourceDocument),
    });
    expect(metadata.deployment.environment).toBe('prod');
    expect(metadata.source.uri).toBe(s3.tree.modelUri);
    for (const file of metadata.files) {
      expect(file.uri).toContain(`/${folder('prod')}`);
      const bytes = await s3.target.getBytes(s3.tree.bucket, `${folder('prod')}${file.path}`);
      expect(bytes.equals(s3.tree.archive.files[file.path.replace('models/', '')]!)).toBe(true);
    }
    // No object body went through the runner: every write of a staged object was a server-side copy.
    const bodyWrites = s3.proxy
      .writes()
      .filter((request) => request.method === 'PUT' && request.copySource === undefined && !request.path.endsWith('/staging_lease.json'));
    expect(bodyWrites.map((request) => request.path.split('/').pop())).toEqual([document, document.startsWith('deployment') ? 'deployment_ready.txt' : 'staging_complete.txt']);

    const verified = await act({ mode: 'verify', environment: 'prod' });
    expect(verified.errors).toEqual([]);
    expect(verified.outputs.status).toBe('verified');
    expect(await s3.target.listMultipartUploads(s3.tree.bucket)).toEqual([]);
  });

  it('is already-staged when the same promotion is repeated', async () => {
    expect((await act({ mode: 'full', environment: 'dev' })).exitCode).toBe(0);
    expect((await promoteToProd()).exitCode).toBe(0);
    s3.proxy.requests.length = 0;

    const again = await promoteToProd();

    expect(again.exitCode).toBe(0);
    expect(again.outputs.status).toBe('already-staged');
    expect(s3.proxy.writes()).toEqual([]);
  });

  it('writes no marker when the promoted copy does not check out, and a re-run completes it', async () => {
    expect((await act({ mode: 'full', environment: 'dev' })).exitCode).toBe(0);
    s3.proxy.inject({
      matches: (request) => request.method === 'HEAD' && request.path.endsWith(`/${folder('prod')}models/m/acoustic.riva`),
      action: { kind: 'error', status: 404, code: 'NoSuchKey' },
      times: 1,
    });

    const failed = await promoteToProd();

    expect(failed.exitCode).toBe(1);
    expect(failed.errors[0]).toContain(`${folder('prod')}models/m/acoustic.riva`);
    expect(await keysUnder(folder('prod'))).not.toContain(`${folder('prod')}staging_complete.txt`);
    // Each copy is checked as it lands, so that the target's metadata can pin it.
    expect(JSON.parse(readFileSync(failed.outputs['state-file']!, 'utf8'))).toMatchObject({ status: 'failed', failed_phase: 'write' });

    const retried = await promoteToProd();

    expect(retried.errors).toEqual([]);
    expect(retried.outputs.status).toBe('staged');
    expect(await keysUnder(folder('prod'))).toContain(`${folder('prod')}staging_complete.txt`);
  });

  it('refuses an incomplete source staging and writes nothing', async () => {
    expect((await act({ mode: 'reference-only', environment: 'dev' })).exitCode).toBe(0);
    await s3.target.client.send(new DeleteObjectCommand({ Bucket: s3.tree.bucket, Key: `${folder('dev')}staging_complete.txt` }));
    s3.proxy.requests.length = 0;

    const run = await promoteToProd();

    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toContain('The staging of environment "dev" cannot be promoted');
    expect(run.errors[0]).toContain('completion marker');
    expect(s3.proxy.writes()).toEqual([]);
    expect(await keysUnder(folder('prod'))).toEqual([]);
  });

  it('refuses a tampered source staging and writes nothing', async () => {
    expect((await act({ mode: 'full', environment: 'dev' })).exitCode).toBe(0);
    await s3.target.putObject(s3.tree.bucket, `${folder('dev')}models/m/lexicon.riva`, randomBytes(10));
    s3.proxy.requests.length = 0;

    const run = await promoteToProd();

    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toContain('staged file models/m/lexicon.riva');
    expect(s3.proxy.writes()).toEqual([]);
    expect(await keysUnder(folder('prod'))).toEqual([]);
  });

  it('needs from-environment and a different environment', async () => {
    const missing = await act({ mode: 'promote' });
    expect(missing.errors[0]).toContain('`from-environment` (RIVA_PROMOTE_FROM_ENV) is required');
    const same = await act({ mode: 'promote', 'from-environment': 'dev', environment: 'dev' });
    expect(same.errors[0]).toContain('are both "dev"');
    expect(s3.proxy.requests).toEqual([]);
  });
});
