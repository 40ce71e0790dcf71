import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, seedBintarball, stagingInputs } from '../helpers/bintarball.ts';
import { ARCHIVE_NAME } from '../helpers/fixtures.ts';
import { startS3Proxy, type S3Proxy } from '../helpers/s3-proxy.ts';
import { startS3Target, type S3Target } from '../helpers/s3-target.ts';

const PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
/** The region the archive's bucket is in, unlike the staging bucket (in `aws-region`). */
const OTHER_REGION = 'eu-west-3';

let target: S3Target;
let proxy: S3Proxy;

beforeAll(async () => {
  target = await startS3Target();
});
afterAll(async () => {
  await target.stop();
});
afterEach(async () => {
  await proxy?.stop();
});

const inBucket = (bucket: string) => (request: { path: string }) => request.path === `/${bucket}` || request.path.startsWith(`/${bucket}/`);

describe('buckets in different regions', () => {
  it('stages from an archive bucket in another region: S3\'s redirect names it, and from then on that bucket\'s requests are signed for it', async () => {
    const tree = await seedBintarball(target);
    const stagingBucket = await target.createBucket();
    proxy = await startS3Proxy(target.endpoint);
    // What S3 answers a request for a bucket signed for another region than the bucket's.
    proxy.inject({
      matches: (request) => inBucket(tree.bucket)(request) && request.region !== OTHER_REGION,
      action: { kind: 'error', status: 301, code: 'PermanentRedirect', headers: { 'x-amz-bucket-region': OTHER_REGION } },
      times: 1000,
    });

    const result = await runAction({
      inputs: stagingInputs(target, proxy.endpoint, tree, { mode: 'full', bucket: stagingBucket }),
      env: credentialsEnv(target),
    });

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('staged');
    expect(result.stdout).toContain(`The bucket ${tree.bucket} is in ${OTHER_REGION}, not ${target.region}: its requests go to ${OTHER_REGION}.`);
    const staged = (await target.listObjects(stagingBucket)).map((object) => object.key);
    expect(staged).toContain(`${PREFIX}source/${ARCHIVE_NAME}`);
    expect(staged).toContain(`${PREFIX}staging_complete.txt`);

    const archiveRequests = proxy.requests.filter(inBucket(tree.bucket));
    // One redirect, then the bucket's region is known: no request pays it again.
    expect(archiveRequests.filter((request) => request.status === 301)).toHaveLength(1);
    expect(archiveRequests.slice(1).every((request) => request.region === OTHER_REGION)).toBe(true);
    expect(archiveRequests.length).toBeGreaterThan(1);
    // The staging bucket's requests, the server-side copy from the archive's bucket included, stay in aws-region.
    const stagingRequests = proxy.requests.filter(inBucket(stagingBucket));
    expect(stagingRequests.some((request) => request.copySource !== undefined)).toBe(true);
    expect(stagingRequests.every((request) => request.region === target.region)).toBe(true);
  });

  it('reports a bucket that is not where the redirect says as a wrong region, not as a loop', async () => {
    const tree = await seedBintarball(target);
    proxy = await startS3Proxy(target.endpoint);
    // A misbehaving answer: every request, whatever its region, is sent elsewhere.
    proxy.inject({
      matches: inBucket(tree.bucket),
      action: { kind: 'error', status: 301, code: 'PermanentRedirect', headers: { 'x-amz-bucket-region': OTHER_REGION } },
      times: 1000,
    });

    const result = await runAction({ inputs: stagingInputs(target, proxy.endpoint, tree), env: credentialsEnv(target) });

    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toContain(`the bucket is in ${OTHER_REGION}`);
    expect(proxy.requests.filter(inBucket(tree.bucket)).length).toBeLessThan(10);
  });
});
