// README's IAM policies against the HTTP requests the built command line sends to a real S3
// server: the in-process test (test/unit/readme-iam-policy.test.ts) sees the ObjectStore's calls;
// this one sees what the SDK puts on the wire, through the recording proxy, so a request that
// the store interface hides (a probe, a part HEAD, a tagging call) cannot escape the policies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedVariables } from '../helpers/bintarball.ts';
import { runCli } from '../helpers/cli-runner.ts';
import { bucketArn, deniedNeeds, objectArn, policyFor, type Need, type S3Action } from '../helpers/readme-iam.ts';
import type { RecordedRequest } from '../helpers/s3-proxy.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

const s3 = useStagingFixture();

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** The bucket and key of a path-style request path (`/bucket/key`), decoded. */
function locationOf(path: string): { bucket: string; key: string } {
  const [bucket = '', ...rest] = path.replace(/^\//, '').split('/');
  return { bucket, key: decodeURIComponent(rest.join('/')) };
}

/** What IAM authorises an S3 request by, as the S3 API reference lists it per operation. */
function needsOf(request: RecordedRequest): Need[] {
  const { bucket, key } = locationOf(request.path);
  const query = new URLSearchParams(request.query);
  const described = `${request.method} /${bucket}/${key}${request.query ? `?${request.query}` : ''}`;
  const need = (action: S3Action, arn = objectArn(bucket, key)): Need => ({ action, arn, request: described });
  const needs: Need[] = [];
  if (key === '') {
    if ((request.method === 'GET' && query.has('uploads')) || request.method !== 'GET' && request.method !== 'HEAD') {
      throw new Error(`no IAM mapping for ${described}: describe it here`);
    }
    needs.push(need('s3:ListBucket', bucketArn(bucket))); // ListObjectsV2, HeadBucket
  } else if (request.method === 'GET' || request.method === 'HEAD') {
    needs.push(need(query.has('uploadId') ? 's3:ListMultipartUploadParts' : 's3:GetObject'));
    // A HEAD or GET of a missing key answers 404 only to a caller allowed s3:ListBucket (else 403).
    if (request.status === 404) needs.push(need('s3:ListBucket', bucketArn(bucket)));
  } else if (request.method === 'PUT' && query.has('tagging')) needs.push(need('s3:PutObjectTagging'));
  else if (request.method === 'PUT' && query.has('acl')) needs.push(need('s3:PutObjectAcl'));
  else if (request.method === 'PUT' || request.method === 'POST') needs.push(need('s3:PutObject')); // PutObject, CopyObject, the multipart calls
  else if (request.method === 'DELETE') needs.push(need(query.has('uploadId') ? 's3:AbortMultipartUpload' : 's3:DeleteObject'));
  else throw new Error(`no IAM mapping for ${described}: describe it here`);
  if (request.copySource !== undefined) {
    const source = locationOf(`/${decodeURIComponent(request.copySource).replace(/^\//, '').replace(/\?versionId=.*$/, '')}`);
    needs.push(need('s3:GetObject', objectArn(source.bucket, source.key)));
  }
  return needs;
}

/** Runs the command line through the recording proxy; returns what it needed of IAM. */
async function needsOfRun(args: string[], env: Record<string, string>): Promise<Need[]> {
  s3.proxy.requests.length = 0;
  const run = await runCli(args, { ...seedVariables(s3.target, s3.tree), AWS_ENDPOINT_URL_S3: s3.proxy.endpoint, ...env });
  expect(run.exitCode, run.stderr).toBe(0);
  expect(s3.proxy.requests.length).toBeGreaterThan(0);
  return s3.proxy.requests.flatMap(needsOf);
}

function expectAllowed(policy: string, needs: readonly Need[], place: { env: string; fromEnv?: string }): void {
  const statements = policyFor(policy, { ...place, buckets: [['ml-artifacts', s3.tree.bucket]] });
  expect(deniedNeeds(statements, needs), `requests README's ${policy} policy does not allow`).toEqual([]);
}

describe("README's IAM policies allow every request the command line sends", () => {
  it('bintarball-reference and full stage (again with --force, and as a dry run), then verify --deep, fetch, promote, list and delete', async () => {
    for (const mode of ['bintarball-reference', 'full'] as const) {
      const stage = [
        ...(await needsOfRun([`--${mode}`, '--dry-run'], {})),
        ...(await needsOfRun([`--${mode}`], {})),
        ...(await needsOfRun([`--${mode}`, '--force'], {})),
      ];
      expectAllowed(mode, stage, { env: 'dev' });
      expectAllowed('verify', await needsOfRun(['--verify', '--deep'], {}), { env: 'dev' });
      const destination = mkdtempSync(join(tmpdir(), 'riva-iam-fetch-'));
      folders.push(destination);
      expectAllowed('fetch', await needsOfRun(['--fetch', `--to=${destination}`, ...(mode === 'full' ? [] : ['--extract'])], {}), { env: 'dev' });
      expectAllowed('promote', await needsOfRun(['--promote', '--from-environment=dev'], { ENV: 'prod' }), { env: 'prod', fromEnv: 'dev' });
      expectAllowed('list', await needsOfRun(['--list'], { ENV: '', RIVA_ASR_MODEL_NAME: '', MODEL_VERSION: '' }), { env: 'dev' });
      expectAllowed('delete', await needsOfRun(['--delete'], { ENV: 'prod' }), { env: 'prod' });
      expectAllowed('delete', await needsOfRun(['--delete'], {}), { env: 'dev' });
    }
  }, 120_000);
});
