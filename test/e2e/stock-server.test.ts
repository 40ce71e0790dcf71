import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commandData, runAction, type ActionRun } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, seedBintarball, stagingInputs, type Bintarball } from '../helpers/bintarball.ts';
import { ARCHIVE_NAME, makeModelArchive } from '../helpers/fixtures.ts';
import { startS3Proxy, type RecordedRequest, type S3Proxy } from '../helpers/s3-proxy.ts';
import { startS3Target, type S3Target } from '../helpers/s3-target.ts';

/**
 * Full mode on the embedded server as published: it implements neither ListMultipartUploads
 * (501) nor AbortMultipartUpload (405). A staging still passes end to end, and a failing one
 * still ends with its own error; what could not be aborted is a warning naming each upload.
 * Only the embedded server can be run stock: an external endpoint (Ceph RGW) implements abort.
 */
const PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const MIB = 1024 * 1024;
const external = Boolean(process.env.RIVA_TEST_S3_ENDPOINT);

let target: S3Target;
let tree: Bintarball;
let proxy: S3Proxy;

const stageFull = (inputs: Record<string, string> = {}) =>
  runAction({ inputs: stagingInputs(target, proxy.endpoint, tree, { mode: 'full', ...inputs }), env: credentialsEnv(target) });

const transcript = (run: ActionRun) => `exit ${run.exitCode}\n--- stdout ---\n${run.stdout.slice(-6000)}\n--- stderr ---\n${run.stderr.slice(-6000)}`;
const warningText = (run: ActionRun) => run.warnings.map(commandData);
const uploadIdOf = (request: RecordedRequest) => new URLSearchParams(request.query).get('uploadId');

/** Every multipart upload the run touched and did not complete (a part, a copied part, or an abort), by id. */
function uploadsLeftOpen(): Map<string, string> {
  const completed = new Set(
    proxy.requests.filter((request) => request.method === 'POST' && uploadIdOf(request) !== null && request.status === 200).map(uploadIdOf),
  );
  const open = new Map<string, string>();
  for (const request of proxy.requests) {
    const id = uploadIdOf(request);
    if (id !== null && !completed.has(id)) open.set(id, request.path);
  }
  return open;
}

const createdUploads = () => proxy.requests.filter((request) => request.method === 'POST' && request.query.startsWith('uploads'));
/** The aborts the server refused: what the run could not clean up. */
const refusedAborts = () => proxy.requests.filter((request) => request.method === 'DELETE' && uploadIdOf(request) !== null && request.status === 405);

describe.skipIf(external)('full mode on the stock embedded server (no ListMultipartUploads, no AbortMultipartUpload; skipped on an external endpoint, which implements abort)', () => {
  beforeAll(async () => {
    target = await startS3Target({ stock: true });
  });
  afterAll(async () => {
    await target?.stop();
  });
  beforeEach(async () => {
    tree = await seedBintarball(target, await makeModelArchive({ 'm/acoustic.riva': 12 * MIB, 'm/lexicon.riva': 4096, 'README.txt': 10 }));
    proxy = await startS3Proxy(target.endpoint);
  });
  afterEach(async () => {
    await proxy?.stop();
  });

  it('stages end to end, passes a deep verify, and warns about the probe upload it could not abort', async () => {
    const run = await stageFull();

    const explained = transcript(run);
    expect(run.errors, explained).toEqual([]);
    expect(run.exitCode, explained).toBe(0);
    expect(run.outputs.status).toBe('staged');
    expect(await target.exists(tree.bucket, `${PREFIX}staging_complete.txt`)).toBe(true);
    // The server-side copy probe opened an upload on the archive copy's key, and the server refused to abort it.
    const refused = refusedAborts();
    expect(refused.map((request) => request.path), explained).toEqual([`/${tree.bucket}/${PREFIX}source/${ARCHIVE_NAME}`]);
    const probeUpload = uploadIdOf(refused[0]!) ?? '';
    expect(warningText(run), explained).toEqual(
      expect.arrayContaining([expect.stringContaining(`Could not abort the multipart upload ${probeUpload} of s3://${tree.bucket}/${PREFIX}source/${ARCHIVE_NAME}`)]),
    );

    const verified = await runAction({
      inputs: {
        mode: 'verify',
        'deployment-json-uri': run.outputs['deployment-json-uri'] ?? '',
        deep: 'true',
        'aws-region': target.region,
        's3-endpoint': proxy.endpoint,
      },
      env: credentialsEnv(target),
    });
    expect(verified.errors, transcript(verified)).toEqual([]);
    expect(verified.exitCode, transcript(verified)).toBe(0);
    expect(verified.outputs.status).toBe('verified');
    expect(verified.summary).toMatch(/\(deep: \d+ objects re-hashed\)/);
  });

  it('a failing upload ends with its own error, exit 1, no marker, and a warning naming each upload it could not abort', async () => {
    proxy.inject({
      matches: (request) => request.method === 'PUT' && request.path.endsWith('/models/m/acoustic.riva') && request.query.includes('partNumber=1&'),
      action: { kind: 'error', status: 500, code: 'InternalError' },
      times: 1000,
    });

    const run = await stageFull({ 'max-attempts': '2' });

    const explained = transcript(run);
    expect(run.exitCode, explained).toBe(1);
    expect(run.errors, explained).toHaveLength(1);
    const error = commandData(run.errors[0] ?? '');
    expect(error, explained).toContain('InternalError');
    expect(error, explained).toContain('models/m/acoustic.riva');
    expect(error, explained).not.toMatch(/not allowed|MethodNotAllowed/i);
    expect(await target.exists(tree.bucket, `${PREFIX}staging_complete.txt`)).toBe(false);
    expect(await target.exists(tree.bucket, `${PREFIX}staging_lease.json`)).toBe(false);
    expect(JSON.parse(readFileSync(run.outputs['state-file'] ?? '', 'utf8'))).toMatchObject({ status: 'failed', failed_phase: 'write' });

    // Every upload the run opened and did not complete is one the server refused to abort, and a warning names it.
    const open = uploadsLeftOpen();
    expect(open.size, explained).toBe(createdUploads().length);
    expect([...open.values()], explained).toEqual(
      expect.arrayContaining([`/${tree.bucket}/${PREFIX}source/${ARCHIVE_NAME}`, `/${tree.bucket}/${PREFIX}models/m/acoustic.riva`]),
    );
    const warnings = warningText(run).join('\n');
    for (const [id, path] of open) expect(warnings, `${path}#${id} is named in a warning\n${explained}`).toContain(id);
  });
});
