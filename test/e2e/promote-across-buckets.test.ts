import { describe, expect, it } from 'vitest';
import { MetadataSchema } from '../../src/metadata.ts';
import { runAction } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, stagingInputs } from '../helpers/bintarball.ts';
import { runCli } from '../helpers/cli-runner.ts';
import { makeModelArchive } from '../helpers/fixtures.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

const folder = (environment: string) => `${environment}/${MODEL_NAME}/${MODEL_VERSION}/`;

const s3 = useStagingFixture(() => makeModelArchive({ 'm/acoustic.riva': 200_000, 'm/lexicon.riva': 4096 }));

const act = (inputs: Record<string, string>) =>
  runAction({ inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, inputs), env: credentialsEnv(s3.target) });
const keysIn = async (bucket: string, prefix: string) =>
  (await s3.target.listObjects(bucket)).map((object) => object.key).filter((key) => key.startsWith(prefix));

describe('promote into another bucket', () => {
  it('copies a verified full staging server-side into `to-bucket`, which then holds a staging that verifies there', async () => {
    const prodBucket = await s3.target.createBucket();
    expect((await act({ mode: 'full', environment: 'dev' })).errors).toEqual([]);
    const sourceKeys = (await s3.target.listObjects(s3.tree.bucket)).map((object) => object.key);
    s3.proxy.requests.length = 0;

    const promoted = await act({ mode: 'promote', 'from-environment': 'dev', environment: 'prod', 'to-bucket': prodBucket });

    expect(promoted.errors).toEqual([]);
    expect(promoted.exitCode).toBe(0);
    expect(promoted.outputs.status).toBe('staged');
    expect(promoted.outputs['deployment-json-uri']).toBe(`s3://${prodBucket}/${folder('prod')}artifact.json`);
    const devKeys = await keysIn(s3.tree.bucket, folder('dev'));
    expect((await keysIn(prodBucket, folder('prod'))).map((key) => key.replace(/^prod\//, 'dev/'))).toEqual(devKeys);
    // The source bucket is only read.
    expect((await s3.target.listObjects(s3.tree.bucket)).map((object) => object.key)).toEqual(sourceKeys);
    expect(s3.proxy.writes().every((request) => request.path.startsWith(`/${prodBucket}/`))).toBe(true);

    // Every staged object arrived as a copy from the source bucket, pinned to its ETag; only the documents carry a body.
    const metadata = MetadataSchema.parse(JSON.parse(await s3.target.getText(prodBucket, `${folder('prod')}artifact.json`)));
    const copies = s3.proxy.writes().filter((request) => request.copySource !== undefined);
    expect(copies.map((request) => request.path).sort()).toEqual(
      [...metadata.files.map((file) => file.path), 'checksums.sha256', `source/${metadata.source_copy?.path.replace('source/', '')}`]
        .map((path) => `/${prodBucket}/${folder('prod')}${path}`)
        .sort(),
    );
    for (const copy of copies) {
      expect(decodeURIComponent(copy.copySource!)).toMatch(new RegExp(`^/?${s3.tree.bucket}/${folder('dev')}`));
      expect(copy.copySourceIfMatch ?? copy.copyIfMatch).toBeDefined();
    }
    expect(metadata.deployment).toMatchObject({ environment: 'prod', s3_bucket: prodBucket });
    expect(metadata.promoted_from?.metadata_uri).toBe(`s3://${s3.tree.bucket}/${folder('dev')}artifact.json`);
    for (const file of metadata.files) {
      expect(file.uri).toBe(`s3://${prodBucket}/${folder('prod')}${file.path}`);
      expect((await s3.target.getBytes(prodBucket, `${folder('prod')}${file.path}`)).equals(s3.tree.archive.files[file.path.replace('models/', '')]!)).toBe(true);
    }

    const verified = await act({ mode: 'verify', bucket: prodBucket, environment: 'prod', deep: 'true' });
    expect(verified.errors).toEqual([]);
    expect(verified.outputs.status).toBe('verified');
    expect(await s3.target.listMultipartUploads(prodBucket)).toEqual([]);
  });

  it('promotes a staging to the same environment of another bucket from the command line (RIVA_PROMOTE_TO_BUCKET)', async () => {
    const prodBucket = await s3.target.createBucket();
    expect((await act({ mode: 'reference-only', environment: 'prod' })).errors).toEqual([]);

    const result = await runCli(['--promote', '--from-environment=prod', '--json'], {
      ...credentialsEnv(s3.target),
      RIVA_ASR_MODEL_S3_URI: s3.tree.modelUri,
      NVIDIA_DRIVERS_S3_BUCKET: s3.tree.bucket,
      RIVA_PROMOTE_TO_BUCKET: prodBucket,
      RIVA_ASR_MODEL_NAME: MODEL_NAME,
      MODEL_VERSION,
      ENV: 'prod',
      AWS_REGION: s3.target.region,
      AWS_ENDPOINT_URL_S3: s3.proxy.endpoint,
    });

    expect(result.stderr).not.toContain('riva-130-stage:');
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'staged', 'deployment-json-uri': `s3://${prodBucket}/${folder('prod')}artifact.json` });
    expect(await keysIn(prodBucket, folder('prod'))).toEqual([`${folder('prod')}artifact.json`, `${folder('prod')}staging_complete.txt`]);
  });

  it('refuses a target bucket that does not exist, naming it, and writes nothing', async () => {
    expect((await act({ mode: 'full', environment: 'dev' })).errors).toEqual([]);
    s3.proxy.requests.length = 0;

    const promoted = await act({ mode: 'promote', 'from-environment': 'dev', environment: 'prod', 'to-bucket': 'riva-no-such-bucket-here' });

    expect(promoted.exitCode).not.toBe(0);
    expect(promoted.errors.join('\n')).toContain('riva-no-such-bucket-here');
    expect(s3.proxy.writes().filter((request) => request.status < 300)).toEqual([]);
  });
});
