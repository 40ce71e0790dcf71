import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MetadataSchema } from '../../src/metadata.ts';
import { parseMarker } from '../../src/marker.ts';
import { runAction } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, stagingInputs } from '../helpers/bintarball.ts';
import { CONTAINER_KEY, MODEL_KEY, makeModelArchive } from '../helpers/fixtures.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

const BINTARBALL_PREFIX = `bintarball/deployment-metadata/dev/${MODEL_NAME}/${MODEL_VERSION}/`;

const s3 = useStagingFixture();

const stage = (overrides: Record<string, string> = {}, env: Record<string, string> = {}) =>
  runAction({
    inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, overrides),
    env: { ...credentialsEnv(s3.target), ...env },
  });

/** The writes besides those of the staging's lease (taken first, released last, so never left in the keys below). */
const stagingWrites = () => s3.proxy.writes().filter((request) => !request.path.endsWith('/staging_lease.json'));

const keys = async () => (await s3.target.listObjects(s3.tree.bucket)).map((object) => object.key);
const readJson = async (key: string) => JSON.parse(await s3.target.getText(s3.tree.bucket, key)) as unknown;

describe('bintarball-reference mode', () => {
  it('writes deployment.json and then the marker beside the bintarball tree, and verifies them', async () => {
    const run = await stage({ 'container-s3-uri': s3.tree.containerUri });

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(await keys()).toEqual([
      `${BINTARBALL_PREFIX}deployment.json`,
      `${BINTARBALL_PREFIX}deployment_ready.txt`,
      CONTAINER_KEY,
      MODEL_KEY,
    ]);
    // Metadata first, marker last, nothing else written.
    expect(stagingWrites().map((request) => `${request.method} ${request.path}`)).toEqual([
      `PUT /${s3.tree.bucket}/${BINTARBALL_PREFIX}deployment.json`,
      `PUT /${s3.tree.bucket}/${BINTARBALL_PREFIX}deployment_ready.txt`,
    ]);

    const metadata = MetadataSchema.parse(await readJson(`${BINTARBALL_PREFIX}deployment.json`));
    const source = (await s3.target.listObjects(s3.tree.bucket)).find((object) => object.key === MODEL_KEY);
    expect(metadata).toMatchObject({
      schema_version: 2,
      artifact_id: `${MODEL_NAME}-${MODEL_VERSION}`,
      mode: 'bintarball-reference',
      model: { name: MODEL_NAME, version: MODEL_VERSION, language_code: 'en-US', architecture: 'rnnt' },
      source: { uri: s3.tree.modelUri, size_bytes: s3.tree.archive.bytes.length, etag: source?.etag },
      containers: [{ uri: s3.tree.containerUri, size_bytes: 34 }],
      files: [],
      deployment: {
        environment: 'dev',
        s3_bucket: s3.tree.bucket,
        metadata_uri: `s3://${s3.tree.bucket}/${BINTARBALL_PREFIX}deployment.json`,
        marker_uri: `s3://${s3.tree.bucket}/${BINTARBALL_PREFIX}deployment_ready.txt`,
      },
      run: {
        id: run.outputs['run-id'],
        github: { repository: 'org/release-pipeline', run_id: '4242', run_attempt: '1' },
      },
    });

    const marker = parseMarker(await s3.target.getText(s3.tree.bucket, `${BINTARBALL_PREFIX}deployment_ready.txt`));
    expect(marker).toMatchObject({ sourceUri: s3.tree.modelUri, sourceEtag: source?.etag, runId: run.outputs['run-id'] });

    expect(run.outputs).toMatchObject({
      'deployment-json-uri': `s3://${s3.tree.bucket}/${BINTARBALL_PREFIX}deployment.json`,
      'marker-uri': `s3://${s3.tree.bucket}/${BINTARBALL_PREFIX}deployment_ready.txt`,
      'artifact-id': `${MODEL_NAME}-${MODEL_VERSION}`,
      mode: 'bintarball-reference',
      status: 'staged',
      'source-uri': s3.tree.modelUri,
      'source-size-bytes': String(s3.tree.archive.bytes.length),
      'source-sha256': '',
    });
    expect(run.summary).toContain('Riva model staged');
    expect(run.summary).toContain(`s3://${s3.tree.bucket}/${BINTARBALL_PREFIX}deployment.json`);
    expect(run.summary).toContain('Duplication avoided');

    const state = JSON.parse(readFileSync(run.outputs['state-file'] ?? '', 'utf8')) as {
      status: string;
      phases: Array<{ name: string; status: string }>;
    };
    expect(state.status).toBe('staged');
    expect(state.phases.map((phase) => `${phase.name}:${phase.status}`)).toEqual([
      'discover:done',
      'plan:done',
      'lease:done',
      'write:done',
      'verify:done',
    ]);
  });

  it('reports already-staged on a re-run and writes nothing', async () => {
    const first = await stage();
    expect(first.exitCode).toBe(0);
    const before = await s3.target.listObjects(s3.tree.bucket);
    s3.proxy.requests.length = 0;

    const second = await stage();

    expect(second.exitCode).toBe(0);
    expect(second.outputs.status).toBe('already-staged');
    expect(second.outputs['deployment-json-uri']).toBe(first.outputs['deployment-json-uri']);
    expect(s3.proxy.writes()).toEqual([]);
    expect(await s3.target.listObjects(s3.tree.bucket)).toEqual(before);
    expect(second.summary).toContain('already staged');
  });

  it('re-stages with force, withdrawing the old marker before writing the new metadata', async () => {
    expect((await stage()).exitCode).toBe(0);
    s3.proxy.requests.length = 0;

    const forced = await stage({ force: 'true' });

    expect(forced.exitCode).toBe(0);
    expect(forced.outputs.status).toBe('staged');
    expect(stagingWrites().map((request) => `${request.method} ${request.path}`)).toEqual([
      `DELETE /${s3.tree.bucket}/${BINTARBALL_PREFIX}deployment_ready.txt`,
      `PUT /${s3.tree.bucket}/${BINTARBALL_PREFIX}deployment.json`,
      `PUT /${s3.tree.bucket}/${BINTARBALL_PREFIX}deployment_ready.txt`,
    ]);
    const metadata = MetadataSchema.parse(await readJson(`${BINTARBALL_PREFIX}deployment.json`));
    expect(metadata.run.id).toBe(forced.outputs['run-id']);
  });

  it('refuses to restage a version whose archive changed, unless forced', async () => {
    expect((await stage()).exitCode).toBe(0);
    await s3.target.putObject(s3.tree.bucket, MODEL_KEY, (await makeModelArchive({ 'other/model.riva': 2048 })).bytes);
    s3.proxy.requests.length = 0;

    const run = await stage();

    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toMatch(/already marks a complete staging of a different source/);
    expect(run.errors.join('\n')).toMatch(/model-version/);
    expect(s3.proxy.writes()).toEqual([]);
  });

  it('plans without writing in a dry run', async () => {
    const run = await stage({ 'dry-run': 'true' });

    expect(run.exitCode).toBe(0);
    expect(run.outputs.status).toBe('planned');
    expect(run.outputs['deployment-json-uri']).toBe(`s3://${s3.tree.bucket}/${BINTARBALL_PREFIX}deployment.json`);
    expect(s3.proxy.writes()).toEqual([]);
    expect(await keys()).toEqual([CONTAINER_KEY, MODEL_KEY]);
    expect(run.stdout).toContain(`would write s3://${s3.tree.bucket}/${BINTARBALL_PREFIX}deployment.json`);
    expect(run.summary).toContain('dry run');
  });
});

describe('reference-only mode', () => {
  it('writes artifact.json and staging_complete.txt under <env>/<model>/<version>/', async () => {
    const run = await stage({ mode: 'reference-only', environment: 'staging' });

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    const prefix = `staging/${MODEL_NAME}/${MODEL_VERSION}/`;
    expect(await keys()).toEqual([
      CONTAINER_KEY,
      MODEL_KEY,
      `${prefix}artifact.json`,
      `${prefix}staging_complete.txt`,
    ]);
    expect(stagingWrites().map((request) => request.path)).toEqual([
      `/${s3.tree.bucket}/${prefix}artifact.json`,
      `/${s3.tree.bucket}/${prefix}staging_complete.txt`,
    ]);
    const metadata = MetadataSchema.parse(await readJson(`${prefix}artifact.json`));
    expect(metadata.mode).toBe('reference-only');
    expect(metadata.deployment.environment).toBe('staging');
    expect(metadata.source.uri).toBe(s3.tree.modelUri);
    expect(run.outputs['deployment-json-uri']).toBe(`s3://${s3.tree.bucket}/${prefix}artifact.json`);
    expect(run.outputs['marker-uri']).toBe(`s3://${s3.tree.bucket}/${prefix}staging_complete.txt`);
  });
});

describe('configuration from the seed pipeline', () => {
  const seedVariables = () => ({
    RIVA_STAGE_MODE: 'reference-only',
    RIVA_ASR_MODEL_S3_URI: s3.tree.modelUri,
    NVIDIA_DRIVERS_S3_BUCKET: s3.tree.bucket,
    RIVA_ASR_MODEL_NAME: MODEL_NAME,
    MODEL_VERSION,
    ENV: 'prod',
    AWS_DEFAULT_REGION: s3.target.region,
    AWS_ENDPOINT_URL_S3: s3.proxy.endpoint,
  });

  it('stages from environment variables alone', async () => {
    const run = await runAction({ env: { ...credentialsEnv(s3.target), ...seedVariables() } });

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs['deployment-json-uri']).toBe(`s3://${s3.tree.bucket}/prod/${MODEL_NAME}/${MODEL_VERSION}/artifact.json`);
  });

  it('stages from the .env file env-file names in the workspace, and an input beats the environment', async () => {
    const dotenv = Object.entries({ ...seedVariables(), ...credentialsEnv(s3.target) })
      .map(([name, value]) => `${name}=${value}`)
      .join('\n');
    const run = await runAction({
      workspaceFiles: { '.env': dotenv },
      env: { ENV: 'staging' },
      inputs: { environment: 'dev', 'env-file': '.env' },
    });

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs['deployment-json-uri']).toBe(`s3://${s3.tree.bucket}/dev/${MODEL_NAME}/${MODEL_VERSION}/artifact.json`);
  });

  it('ignores an empty AWS_PROFILE when keys are in the environment', async () => {
    const run = await stage({}, { AWS_PROFILE: '' });

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
  });
});

describe('failures', () => {
  it('fails on a missing archive, naming it, with nothing written', async () => {
    const missing = `s3://${s3.tree.bucket}/bintarball/riva-models/parakeet/missing-en-us-rnnt.tar.gz`;
    const run = await stage({ 'model-s3-uri': missing });

    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain(`Could not find the model archive (${missing}): no such object`);
    expect(s3.proxy.writes()).toEqual([]);
    expect(await keys()).toEqual([CONTAINER_KEY, MODEL_KEY]);
    const state = JSON.parse(readFileSync(run.outputs['state-file'] ?? '', 'utf8')) as Record<string, unknown>;
    expect(state).toMatchObject({ status: 'failed', failed_phase: 'discover' });
  });

  it('rejects an unsafe version before any S3 request, naming the input and variable', async () => {
    const run = await stage({ 'model-version': 'v1/../../prod' });

    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('`model-version` (MODEL_VERSION)');
    expect(run.errors[0]).toContain('v1/../../prod');
    expect(s3.proxy.requests).toEqual([]);
  });

  it('rejects a URI that is not s3://, before any S3 request', async () => {
    const run = await stage({ 'model-s3-uri': 'https://example.com/model.tar.gz' });

    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toContain('`model-s3-uri` (RIVA_ASR_MODEL_S3_URI) must be an s3://bucket/key URI');
    expect(s3.proxy.requests).toEqual([]);
  });

  it('lists every missing required input at once', async () => {
    const run = await runAction({ env: credentialsEnv(s3.target) });

    expect(run.exitCode).toBe(1);
    const message = run.errors.map((line) => line.replace(/%0A/g, '\n')).join('\n');
    for (const named of [
      '`model-s3-uri` (RIVA_ASR_MODEL_S3_URI)',
      '`bucket` (NVIDIA_DRIVERS_S3_BUCKET)',
      '`model-name` (RIVA_ASR_MODEL_NAME)',
      '`model-version` (MODEL_VERSION)',
      '`environment` (ENV)',
      '`aws-region` (AWS_REGION or AWS_DEFAULT_REGION)',
    ]) {
      expect(message).toContain(`${named} is required`);
    }
  });

  it('says the endpoint cannot be reached', async () => {
    const run = await stage({ 's3-endpoint': 'http://127.0.0.1:9', 'max-attempts': '1' });

    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/);
    expect(run.errors[0]).toContain('`s3-endpoint` (AWS_ENDPOINT_URL_S3)');
  });

  // The embedded server accepts any signature; a production S3 server does not.
  it.runIf(process.env.RIVA_TEST_S3_ENDPOINT)('says the credentials were rejected when the secret is wrong', async () => {
    const run = await stage({}, { AWS_SECRET_ACCESS_KEY: 'not-the-secret-key-of-this-user-0000000000' });

    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('the AWS credentials were rejected');
    expect(s3.proxy.writes()).toEqual([]);
  });

  it('masks the secret key and never prints it', async () => {
    const run = await stage({}, { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY' });

    expect(run.stdout).toContain('::add-mask::wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY');
    const rest = run.stdout.replace('::add-mask::wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY', '');
    expect(rest + run.stderr + run.summary).not.toContain('wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY');
  });
});
