import { describe, expect, it } from 'vitest';
import { commandData, runAction } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, stagingInputs } from '../helpers/bintarball.ts';
import { runCli } from '../helpers/cli-runner.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

const OTHER_VERSION = 'v2025.10';
const BINTARBALL_METADATA = 'bintarball/deployment-metadata/';
const folder = (environment: string, version = MODEL_VERSION) => `${environment}/${MODEL_NAME}/${version}/`;

const s3 = useStagingFixture();

/** A staging step of the release workflow: the seed's inputs, through the recording proxy. */
const act = (inputs: Record<string, string>) =>
  runAction({ inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, inputs), env: credentialsEnv(s3.target) });
/** A list step names only the bucket and how to reach it. */
const list = (inputs: Record<string, string> = {}) =>
  runAction({
    inputs: { mode: 'list', bucket: s3.tree.bucket, 'aws-region': s3.target.region, 's3-endpoint': s3.proxy.endpoint, ...inputs },
    env: credentialsEnv(s3.target),
  });
/** The CLI's variables for list: bucket and connection only, so nothing narrows unless added. */
const listEnv = (overrides: Record<string, string> = {}) => ({
  ...credentialsEnv(s3.target),
  NVIDIA_DRIVERS_S3_BUCKET: s3.tree.bucket,
  AWS_REGION: s3.target.region,
  AWS_ENDPOINT_URL_S3: s3.proxy.endpoint,
  ...overrides,
});
const allKeys = async () => (await s3.target.listObjects(s3.tree.bucket)).map((object) => object.key);
const pathsOf = (requests: ReadonlyArray<{ method: string; path: string }>) => requests.map((request) => `${request.method} ${request.path}`);

/**
 * The writes of a delete under `prefix` with its lease checked and taken out: the lease is created
 * before anything is removed and deleted after everything else.
 */
function writesUnderLease(writes: readonly string[], prefix: string): string[] {
  const lease = `/${s3.tree.bucket}/${prefix}staging_lease.json`;
  const firstOther = writes.findIndex((write) => !write.endsWith(lease));
  expect(firstOther).toBeGreaterThan(0);
  expect(writes.slice(0, firstOther).every((write) => write === `PUT ${lease}`)).toBe(true);
  expect(writes.at(-1)).toBe(`DELETE ${lease}`);
  return writes.slice(firstOther, -1);
}
const clearRequests = () => void s3.proxy.requests.splice(0);

/** bintarball-reference for dev of one version; full for dev and prod of another. */
async function stageThree(): Promise<void> {
  const stagings: Array<Record<string, string>> = [
    { mode: 'bintarball-reference', environment: 'dev' },
    { mode: 'full', environment: 'dev', 'model-version': OTHER_VERSION },
    { mode: 'full', environment: 'prod', 'model-version': OTHER_VERSION },
  ];
  for (const inputs of stagings) {
    const staged = await act(inputs);
    expect(staged.errors, JSON.stringify(inputs)).toEqual([]);
    expect(staged.exitCode).toBe(0);
  }
  clearRequests();
}

const expectedStagings = () => [
  ['dev', MODEL_VERSION, 'bintarball-reference', `${BINTARBALL_METADATA}${folder('dev')}deployment.json`],
  ['dev', OTHER_VERSION, 'full', `${folder('dev', OTHER_VERSION)}artifact.json`],
  ['prod', OTHER_VERSION, 'full', `${folder('prod', OTHER_VERSION)}artifact.json`],
].map(([environment, version, mode, key]) => ({
  environment,
  model: MODEL_NAME,
  version,
  mode,
  complete: true,
  source: s3.tree.modelUri,
  stagedAt: expect.any(String) as unknown,
  promotedFrom: null,
  metadataUri: `s3://${s3.tree.bucket}/${key}`,
}));

describe('list', () => {
  it('action: the stagings output and a table row for each staging, writing nothing', async () => {
    await stageThree();

    const run = await list();

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ mode: 'list', status: 'listed' });
    expect(JSON.parse(run.outputs.stagings ?? '')).toEqual(expectedStagings());
    for (const { environment, version, mode } of expectedStagings()) {
      expect(run.summary).toContain(`<tr><td>${environment}</td><td>${MODEL_NAME}</td><td>${version}</td><td>${mode}</td><td>yes</td>`);
    }
    expect(run.summary).toContain('Riva stagings: 3 stagings');
    expect(s3.proxy.requests.length).toBeGreaterThan(0);
    expect(s3.proxy.writes()).toEqual([]);
  });

  it('CLI: --json prints one object with the stagings, the plain table has a header, ENV narrows', async () => {
    await stageThree();

    const json = await runCli(['--list', '--json'], listEnv());
    expect(json.exitCode).toBe(0);
    const printed = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({ mode: 'list', status: 'listed' });
    expect(printed.stagings).toEqual(expectedStagings());

    const plain = await runCli(['--list'], listEnv());
    expect(plain.exitCode).toBe(0);
    const lines = plain.stdout.split('\n');
    expect(lines[0]).toBe('Riva stagings: 3 stagings');
    expect(lines[1]).toMatch(/^\s+Environment\s+Model\s+Version\s+Mode\s+Complete\s+Source\s+Staged at$/);
    expect(lines.filter((line) => line.includes(MODEL_NAME))).toHaveLength(3);

    const prod = await runCli(['--list', '--json'], listEnv({ ENV: 'prod' }));
    expect(prod.exitCode).toBe(0);
    expect((JSON.parse(prod.stdout) as { stagings: unknown }).stagings).toEqual(expectedStagings().filter((staging) => staging.environment === 'prod'));
    expect(s3.proxy.writes()).toEqual([]);
  });
});

describe('delete', () => {
  const deleteOther = (inputs: Record<string, string> = {}) => act({ mode: 'delete', environment: 'dev', 'model-version': OTHER_VERSION, ...inputs });

  it('removes one staging, marker first and metadata last, and leaves the others', async () => {
    await stageThree();
    const before = await allKeys();
    const doomed = before.filter((key) => key.startsWith(folder('dev', OTHER_VERSION)));
    expect(doomed).toContain(`${folder('dev', OTHER_VERSION)}staging_complete.txt`);

    const run = await deleteOther();

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      mode: 'delete',
      status: 'deleted',
      'deployment-json-uri': `s3://${s3.tree.bucket}/${folder('dev', OTHER_VERSION)}artifact.json`,
    });
    const after = await allKeys();
    expect(after.filter((key) => key.startsWith(folder('dev', OTHER_VERSION)))).toEqual([]);
    expect(after).toEqual(before.filter((key) => !doomed.includes(key)));
    const writes = writesUnderLease(pathsOf(s3.proxy.writes()), folder('dev', OTHER_VERSION));
    expect(writes).toHaveLength(doomed.length);
    expect(writes[0]).toBe(`DELETE /${s3.tree.bucket}/${folder('dev', OTHER_VERSION)}staging_complete.txt`);
    expect(writes.at(-1)).toBe(`DELETE /${s3.tree.bucket}/${folder('dev', OTHER_VERSION)}artifact.json`);
    expect(run.summary).toContain('Riva staging deleted');

    clearRequests();
    const again = await deleteOther();
    expect(again.errors).toEqual([]);
    expect(again.exitCode).toBe(0);
    expect(again.outputs.status).toBe('absent');
    expect(s3.proxy.writes()).toEqual([]);
  });

  it('removes a bintarball-reference staging, its deployment_ready.txt first', async () => {
    await stageThree();
    const before = await allKeys();
    const prefix = `${BINTARBALL_METADATA}${folder('dev')}`;

    const run = await act({ mode: 'delete', environment: 'dev' });

    expect(run.errors).toEqual([]);
    expect(run.outputs.status).toBe('deleted');
    const writes = writesUnderLease(pathsOf(s3.proxy.writes()), prefix);
    expect(writes[0]).toBe(`DELETE /${s3.tree.bucket}/${prefix}deployment_ready.txt`);
    expect(writes.at(-1)).toBe(`DELETE /${s3.tree.bucket}/${prefix}deployment.json`);
    expect(await allKeys()).toEqual(before.filter((key) => !key.startsWith(prefix)));
  });

  it('dry-run lists the objects and deletes nothing', async () => {
    await stageThree();
    const before = await allKeys();
    const doomed = before.filter((key) => key.startsWith(folder('dev', OTHER_VERSION)));

    const run = await deleteOther({ 'dry-run': 'true' });

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.status).toBe('planned');
    expect(s3.proxy.writes()).toEqual([]);
    expect(await allKeys()).toEqual(before);
    expect(run.summary).toContain('dry run: nothing deleted');
    for (const key of doomed) {
      expect(run.summary).toContain(`s3://${s3.tree.bucket}/${key}`);
      expect(run.stdout).toContain(`s3://${s3.tree.bucket}/${key}`);
    }
    expect(run.stdout).toContain(`Would delete  ${doomed.length} objects`);
  });

  it('refuses a staging that was promoted to prod unless forced', async () => {
    expect((await act({ mode: 'full', environment: 'dev' })).exitCode).toBe(0);
    const promoted = await act({ mode: 'promote', 'from-environment': 'dev', environment: 'prod' });
    expect(promoted.errors).toEqual([]);
    const before = await allKeys();
    clearRequests();

    const refused = await act({ mode: 'delete', environment: 'dev' });

    expect(refused.exitCode).toBe(1);
    const message = commandData(refused.errors[0] ?? '');
    expect(message).toContain(`s3://${s3.tree.bucket}/${folder('prod')}artifact.json`);
    expect(message).toContain('`force`');
    expect(s3.proxy.writes()).toEqual([]);
    expect(await allKeys()).toEqual(before);

    const forced = await act({ mode: 'delete', environment: 'dev', force: 'true' });

    expect(forced.errors).toEqual([]);
    expect(forced.outputs.status).toBe('deleted');
    const after = await allKeys();
    expect(after.filter((key) => key.startsWith(folder('dev')))).toEqual([]);
    expect(after.filter((key) => key.startsWith(folder('prod')))).toEqual(before.filter((key) => key.startsWith(folder('prod'))));
  });
});

describe('an input of another mode', () => {
  it.each([
    ['list', 'force', '`force` belongs to mode bintarball-reference, mode reference-only, mode full, mode promote or mode delete, not to mode list'],
    ['list', 'dry-run', '`dry-run` belongs to mode bintarball-reference, mode reference-only, mode full, mode promote or mode delete, not to mode list'],
    ['delete', 'deep', '`deep` belongs to mode verify or mode promote, not to mode delete: remove it, or set `mode` to one of those.'],
  ])('action mode %s with %s is refused before any S3 request', async (mode, input, message) => {
    const run = await act({ mode, [input]: 'true' });
    expect(run.exitCode).toBe(1);
    expect(commandData(run.errors.join('\n'))).toContain(message);
    expect(s3.proxy.requests).toEqual([]);
  });

  it.each([
    [['--list', '--deep'], '`--deep` belongs to --verify or --promote, not to --list'],
    [['--list', '--force'], '`--force` belongs to --bintarball-reference, --reference-only, --full, --promote or --delete, not to --list'],
    [['--delete', '--deep'], '`--deep` belongs to --verify or --promote, not to --delete'],
  ])('CLI %j is a usage error before any S3 request: exit 2', async (args, message) => {
    const run = await runCli(args, listEnv({ RIVA_ASR_MODEL_NAME: MODEL_NAME, MODEL_VERSION, ENV: 'dev' }));
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
    expect(s3.proxy.requests).toEqual([]);
  });
});
