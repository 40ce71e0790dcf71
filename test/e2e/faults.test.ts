import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runAction, type ActionRun } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, stagingInputs } from '../helpers/bintarball.ts';
import { MODEL_KEY, makeModelArchive } from '../helpers/fixtures.ts';
import type { RecordedRequest } from '../helpers/s3-proxy.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

const PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const MIB = 1024 * 1024;

const s3 = useStagingFixture(() => makeModelArchive({ 'm/acoustic.riva': 12 * MIB, 'm/lexicon.riva': 4096 }));

const stageFull = (inputs: Record<string, string> = {}, env: Record<string, string> = {}) =>
  runAction({
    inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, { mode: 'full', ...inputs }),
    env: { ...credentialsEnv(s3.target), ...env },
  });

const isArchiveGet = (request: RecordedRequest) => request.method === 'GET' && request.path.endsWith(MODEL_KEY);
const isPartUpload = (partNumber: number) => (request: RecordedRequest) =>
  request.method === 'PUT' && request.path.endsWith('/m/acoustic.riva') && request.query.includes(`partNumber=${partNumber}&`);
const stateOf = (run: ActionRun) => JSON.parse(readFileSync(run.outputs['state-file'] ?? '', 'utf8')) as Record<string, unknown>;

async function expectNothingMarkedStaged(): Promise<void> {
  expect(await s3.target.exists(s3.tree.bucket, `${PREFIX}staging_complete.txt`)).toBe(false);
  expect(await s3.target.listMultipartUploads(s3.tree.bucket)).toEqual([]);
}

describe('retries', () => {
  it('recovers from throttled HeadObject, PutObject and UploadPart, and counts the retries', async () => {
    const slowDown = { kind: 'error', status: 503, code: 'SlowDown' } as const;
    s3.proxy.inject({ matches: (request) => request.method === 'HEAD' && request.path.endsWith(MODEL_KEY), action: slowDown, times: 2 });
    s3.proxy.inject({ matches: (request) => request.method === 'PUT' && request.path.endsWith('/artifact.json'), action: slowDown, times: 1 });
    s3.proxy.inject({ matches: isPartUpload(1), action: slowDown, times: 1 });

    const run = await stageFull();

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.status).toBe('staged');
    expect(stateOf(run).retries).toBe(4);
    expect(run.summary).toMatch(/<td>Retries<\/td><td>4<\/td>/);
    expect(run.stdout).toMatch(/::debug::Retrying HeadObjectCommand \(attempt 2 of 5\) after/);
  });

  it('resends only the part whose upload was cut, not the whole file', async () => {
    s3.proxy.inject({ matches: isPartUpload(1), action: { kind: 'cut-request', afterBytes: MIB }, times: 1 });

    const run = await stageFull();

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    const parts = s3.proxy.requests.filter((request) => request.method === 'PUT' && request.path.endsWith('/m/acoustic.riva'));
    expect(parts.filter(isPartUpload(1))).toHaveLength(2);
    expect(parts.filter(isPartUpload(2))).toHaveLength(1);
    const staged = await s3.target.getBytes(s3.tree.bucket, `${PREFIX}models/m/acoustic.riva`);
    expect(staged.length).toBe(12 * MIB);
  });

  it('fails after max-attempts on a persistent 500, leaving no marker and no open upload', async () => {
    s3.proxy.inject({ matches: isPartUpload(1), action: { kind: 'error', status: 500, code: 'InternalError' }, times: 1000 });

    const run = await stageFull({ 'max-attempts': '3' });

    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('InternalError');
    expect(s3.proxy.requests.filter(isPartUpload(1))).toHaveLength(3);
    await expectNothingMarkedStaged();
    expect(stateOf(run)).toMatchObject({ status: 'failed', failed_phase: 'write' });
  });

  it('treats a silent connection as broken and resumes the download', async () => {
    s3.proxy.inject({ matches: isArchiveGet, action: { kind: 'stall-response', afterBytes: 2 * MIB }, times: 1 });

    const run = await stageFull({}, { RIVA_STAGE_STALL_TIMEOUT: '2' });

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    const reads = s3.proxy.requests.filter(isArchiveGet);
    expect(reads).toHaveLength(2);
    expect(reads[0]?.responseBytes).toBe(2 * MIB);
  });
});

describe('verification', () => {
  it('fails before the marker is written when a written object does not check out', async () => {
    s3.proxy.inject({
      matches: (request) => request.method === 'HEAD' && request.path.endsWith('/models/m/acoustic.riva'),
      action: { kind: 'error', status: 404, code: 'NoSuchKey' },
      times: 1,
    });

    const run = await stageFull();

    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toContain('models/m/acoustic.riva is missing after it was written');
    await expectNothingMarkedStaged();
    // Found while pinning the written objects, before the metadata that would record them.
    expect(await s3.target.exists(s3.tree.bucket, `${PREFIX}artifact.json`)).toBe(false);
    expect(stateOf(run)).toMatchObject({ status: 'failed', failed_phase: 'write' });
  });
});

describe('deadline', () => {
  it('stops cleanly when the timeout expires in the middle of full mode', async () => {
    s3.proxy.inject({ matches: isArchiveGet, action: { kind: 'stall-response', afterBytes: 9 * MIB }, times: 1 });

    const run = await stageFull({ timeout: '3' });

    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain("The run's `timeout` (RIVA_STAGE_TIMEOUT) of 3 s expired during the write phase");
    await expectNothingMarkedStaged();
    expect(await s3.target.exists(s3.tree.bucket, `${PREFIX}artifact.json`)).toBe(false);
    expect(stateOf(run)).toMatchObject({ status: 'failed', failed_phase: 'write' });
  });
});

describe('two runs staging the same target at once', () => {
  it('never leaves a torn staging: one publishes, the other is refused or accepts it', async () => {
    const runs = await Promise.all([stageFull(), stageFull()]);
    const conditional = await s3.target.supportsConditionalWrites();

    if (conditional) {
      // The lease lets one write; the other is refused while it holds it, or finds its staging complete.
      const [winner, other] = [...runs].sort((a, b) => (a.outputs.status === 'staged' ? -1 : b.outputs.status === 'staged' ? 1 : 0));
      expect(winner?.outputs.status).toBe('staged');
      if (other?.exitCode === 0) expect(other.outputs.status).toBe('already-staged');
      else expect(other?.errors.join('\n')).toMatch(/Another run (is staging|took)/);
    } else {
      // Without conditional writes (documented in README): both runs write and the later write
      // wins; a run that reads back something other than what it wrote fails verification, before
      // writing its marker. (The embedded server does not even write atomically: a run may see
      // the other's half-written file.)
      for (const run of runs.filter((candidate) => candidate.exitCode !== 0)) {
        expect(run.errors[0]).toMatch(/^Verification failed: /);
      }
    }
    // Whatever the interleaving, a later run finds a complete, consistent staging, finishes one
    // that nobody marked complete, or (only without conditional writes) says the pair is torn.
    const after = await stageFull();
    if (conditional) {
      expect(after.errors).toEqual([]);
      expect(after.outputs.status).toBe('already-staged');
    } else if (after.exitCode === 0) {
      expect(['already-staged', 'staged']).toContain(after.outputs.status);
    } else {
      expect(after.errors[0]).toContain('is not the document its completion marker recorded');
    }
    expect(await s3.target.listMultipartUploads(s3.tree.bucket)).toEqual([]);
  });
});

describe('bad input', () => {
  const complete = () => stagingInputs(s3.target, s3.proxy.endpoint, s3.tree);
  const cases: Array<[string, Record<string, string | undefined>, string]> = [
    ['model-s3-uri missing', { 'model-s3-uri': undefined }, '`model-s3-uri` (RIVA_ASR_MODEL_S3_URI) is required'],
    ['bucket missing', { bucket: undefined }, '`bucket` (NVIDIA_DRIVERS_S3_BUCKET) is required'],
    ['model-name missing', { 'model-name': undefined }, '`model-name` (RIVA_ASR_MODEL_NAME) is required'],
    ['model-version missing', { 'model-version': undefined }, '`model-version` (MODEL_VERSION) is required'],
    ['environment missing', { environment: undefined }, '`environment` (ENV) is required'],
    ['aws-region missing', { 'aws-region': undefined }, '`aws-region` (AWS_REGION or AWS_DEFAULT_REGION) is required'],
    ['an https:// URI', { 'model-s3-uri': 'https://bucket/model.tar.gz' }, '`model-s3-uri` (RIVA_ASR_MODEL_S3_URI) must be an s3://bucket/key URI'],
    ['a gs:// container', { 'container-s3-uri': 'gs://bucket/c.tar.gz' }, '`container-s3-uri` (RIVA_CONTAINER_S3_URI) must be an s3://bucket/key URI'],
    ['a name with a slash', { 'model-name': 'parakeet/rnnt' }, '`model-name` (RIVA_ASR_MODEL_NAME) must be'],
    ['a version with ..', { 'model-version': '..' }, '`model-version` (MODEL_VERSION) must be'],
    ['an environment with a space', { environment: 'prod env' }, '`environment` (ENV) must be'],
    ['an unknown mode', { mode: 'copy' }, '`mode` (RIVA_STAGE_MODE) must be one of bintarball-reference, reference-only, full'],
    ['a non-numeric timeout', { timeout: 'soon' }, '`timeout` (RIVA_STAGE_TIMEOUT) must be a whole number'],
    ['a short expected-sha256', { 'expected-sha256': 'abc123' }, '`expected-sha256` (RIVA_ASR_MODEL_SHA256) must be 64 hexadecimal characters'],
  ];

  it.each(cases)('%s: exit 1, one line naming the input, no S3 request', async (_name, overrides, message) => {
    const inputs = Object.fromEntries(
      Object.entries({ ...complete(), ...overrides }).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    const run = await runAction({ inputs, env: credentialsEnv(s3.target) });

    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain(message);
    expect(run.errors[0]).not.toContain('%0A');
    expect(s3.proxy.requests).toEqual([]);
  });
});
