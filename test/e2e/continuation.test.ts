import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, stagingInputs } from '../helpers/bintarball.ts';
import { makeModelArchive } from '../helpers/fixtures.ts';
import type { RecordedRequest } from '../helpers/s3-proxy.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

const PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;

const s3 = useStagingFixture(() => makeModelArchive({ 'm/a.riva': 300_000, 'm/b.riva': 300_000 }));

/** Polls until `condition` holds (or fails the test after 20 s). */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 20_000; await new Promise((resolve) => setTimeout(resolve, 100))) {
    if (await condition()) return;
  }
  throw new Error('condition not met within 20 s');
}

const stageFull = (inputs: Record<string, string> = {}, env: Record<string, string> = {}) =>
  runAction({ inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, { mode: 'full', ...inputs }), env: { ...credentialsEnv(s3.target), ...env } });
const uploadsTo = (name: string) => (request: RecordedRequest) => request.method === 'PUT' && request.path.endsWith(`/models/m/${name}`);

/** A fresh run after the interrupted one: completes, keeps a.riva without uploading it, drops the record. */
async function continueWithoutUploadingA(env: Record<string, string> = {}) {
  await s3.restartProxy();
  const continued = await stageFull({}, env);
  expect(continued.errors).toEqual([]);
  expect(continued.exitCode).toBe(0);
  expect(s3.proxy.requests.filter(uploadsTo('a.riva'))).toEqual([]);
  expect(continued.stdout).toContain('Reused models/m/a.riva');
  expect(await s3.target.exists(s3.tree.bucket, `${PREFIX}staging_in_progress.json`)).toBe(false);
  return continued;
}

describe('continuing a failed full staging', () => {
  it('does not upload again what the failed run staged, and completes', async () => {
    s3.proxy.inject({ matches: uploadsTo('b.riva'), action: { kind: 'error', status: 500, code: 'InternalError' }, times: 1000 });
    const failed = await stageFull({ 'max-attempts': '1' });
    expect(failed.exitCode).toBe(1);
    expect(await s3.target.exists(s3.tree.bucket, `${PREFIX}models/m/a.riva`)).toBe(true);
    expect(await s3.target.exists(s3.tree.bucket, `${PREFIX}staging_in_progress.json`)).toBe(true);
    expect(await s3.target.exists(s3.tree.bucket, `${PREFIX}staging_complete.txt`)).toBe(false);

    const continued = await continueWithoutUploadingA();

    expect(s3.proxy.requests.filter(uploadsTo('b.riva')).length).toBeGreaterThan(0);
    expect(continued.summary).toContain('Reused (staged by an earlier run)');
    expect((await s3.target.getBytes(s3.tree.bucket, `${PREFIX}models/m/a.riva`)).equals(s3.tree.archive.files['m/a.riva']!)).toBe(true);

    const verified = await runAction({
      inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, { mode: 'verify', deep: 'true' }),
      env: credentialsEnv(s3.target),
    });
    expect(verified.errors).toEqual([]);
    expect(verified.outputs.status).toBe('verified');
  });

  it('continues after the process was killed once the first file landed', async () => {
    // The second file's upload is throttled again and again, so the run is busy when killed.
    s3.proxy.inject({ matches: uploadsTo('b.riva'), action: { kind: 'error', status: 503, code: 'SlowDown' }, times: 1000 });
    const record = `${PREFIX}staging_in_progress.json`;
    let child: ChildProcess | undefined;
    const running = runAction({
      inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, { mode: 'full', 'max-attempts': '20' }),
      env: credentialsEnv(s3.target),
      onStart: (started) => (child = started),
    });
    await waitFor(async () => (await s3.target.exists(s3.tree.bucket, record)) && (await s3.target.getText(s3.tree.bucket, record)).includes('models/m/a.riva'));
    child?.kill('SIGKILL');
    const killed = await running;
    expect(killed.exitCode).toBeNull();
    expect(await s3.target.exists(s3.tree.bucket, `${PREFIX}staging_complete.txt`)).toBe(false);

    // Re-running the killed job is the workflow run's next attempt: it takes the lease over at once.
    await continueWithoutUploadingA({ GITHUB_RUN_ATTEMPT: '2' });
  });

  it('starts over when the archive changed since the failed run', async () => {
    s3.proxy.inject({ matches: uploadsTo('b.riva'), action: { kind: 'error', status: 500, code: 'InternalError' }, times: 1000 });
    expect((await stageFull({ 'max-attempts': '1' })).exitCode).toBe(1);
    const changed = await makeModelArchive({ 'm/a.riva': 300_000, 'm/b.riva': 300_000 });
    await s3.target.putObject(s3.tree.bucket, s3.tree.modelUri.replace(`s3://${s3.tree.bucket}/`, ''), changed.bytes);

    await s3.restartProxy();
    const run = await stageFull();

    expect(run.errors).toEqual([]);
    expect(run.stdout).toContain('it records another source');
    expect(s3.proxy.requests.filter(uploadsTo('a.riva')).length).toBeGreaterThan(0);
    expect((await s3.target.getBytes(s3.tree.bucket, `${PREFIX}models/m/a.riva`)).equals(changed.files['m/a.riva']!)).toBe(true);
  });
});
