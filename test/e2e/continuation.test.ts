import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, seedBintarball, stagingInputs, type Bintarball } from '../helpers/bintarball.ts';
import { makeModelArchive, type ModelArchive } from '../helpers/fixtures.ts';
import { startS3Proxy, type RecordedRequest, type S3Proxy } from '../helpers/s3-proxy.ts';
import { startS3Target, type S3Target } from '../helpers/s3-target.ts';

const PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;

let target: S3Target;
let proxy: S3Proxy;
let tree: Bintarball;
let archive: ModelArchive;

beforeAll(async () => {
  target = await startS3Target();
});
afterAll(async () => {
  await target.stop();
});
beforeEach(async () => {
  // Tar order: a.riva lands first, b.riva second.
  archive = await makeModelArchive({ 'm/a.riva': 300_000, 'm/b.riva': 300_000 });
  tree = await seedBintarball(target, archive);
  proxy = await startS3Proxy(target.endpoint);
});
afterEach(async () => {
  await proxy.stop();
});

const stageFull = (inputs: Record<string, string> = {}) =>
  runAction({ inputs: stagingInputs(target, proxy.endpoint, tree, { mode: 'full', ...inputs }), env: credentialsEnv(target) });
const uploadsTo = (name: string) => (request: RecordedRequest) => request.method === 'PUT' && request.path.endsWith(`/models/m/${name}`);

describe('continuing a failed full staging', () => {
  it('does not upload again what the failed run staged, and completes', async () => {
    proxy.inject({ matches: uploadsTo('b.riva'), action: { kind: 'error', status: 500, code: 'InternalError' }, times: 1000 });
    const failed = await stageFull({ 'max-attempts': '1' });
    expect(failed.exitCode).toBe(1);
    expect(await target.exists(tree.bucket, `${PREFIX}models/m/a.riva`)).toBe(true);
    expect(await target.exists(tree.bucket, `${PREFIX}staging_in_progress.json`)).toBe(true);
    expect(await target.exists(tree.bucket, `${PREFIX}staging_complete.txt`)).toBe(false);

    await proxy.stop();
    proxy = await startS3Proxy(target.endpoint);
    const continued = await stageFull();

    expect(continued.errors).toEqual([]);
    expect(continued.exitCode).toBe(0);
    expect(proxy.requests.filter(uploadsTo('a.riva'))).toEqual([]);
    expect(proxy.requests.filter(uploadsTo('b.riva')).length).toBeGreaterThan(0);
    expect(continued.stdout).toContain('Reused models/m/a.riva');
    expect(continued.summary).toContain('Reused (staged by an earlier run)');
    expect(await target.exists(tree.bucket, `${PREFIX}staging_in_progress.json`)).toBe(false);
    expect((await target.getBytes(tree.bucket, `${PREFIX}models/m/a.riva`)).equals(archive.files['m/a.riva']!)).toBe(true);

    const verified = await runAction({
      inputs: stagingInputs(target, proxy.endpoint, tree, { mode: 'verify', deep: 'true' }),
      env: credentialsEnv(target),
    });
    expect(verified.errors).toEqual([]);
    expect(verified.outputs.status).toBe('verified');
  });

  it('starts over when the archive changed since the failed run', async () => {
    proxy.inject({ matches: uploadsTo('b.riva'), action: { kind: 'error', status: 500, code: 'InternalError' }, times: 1000 });
    expect((await stageFull({ 'max-attempts': '1' })).exitCode).toBe(1);
    const changed = await makeModelArchive({ 'm/a.riva': 300_000, 'm/b.riva': 300_000 });
    await target.putObject(tree.bucket, tree.modelUri.replace(`s3://${tree.bucket}/`, ''), changed.bytes);

    await proxy.stop();
    proxy = await startS3Proxy(target.endpoint);
    const run = await stageFull();

    expect(run.errors).toEqual([]);
    expect(run.stdout).toContain('it records another source');
    expect(proxy.requests.filter(uploadsTo('a.riva')).length).toBeGreaterThan(0);
    expect((await target.getBytes(tree.bucket, `${PREFIX}models/m/a.riva`)).equals(changed.files['m/a.riva']!)).toBe(true);
  });
});
