import { lookup } from 'node:dns/promises';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isIPv4 } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, seedBintarball, stagingInputs } from '../helpers/bintarball.ts';
import { runCli } from '../helpers/cli-runner.ts';
import { ARCHIVE_NAME, MODEL_KEY } from '../helpers/fixtures.ts';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy.ts';
import { startS3Target, type S3Target } from '../helpers/s3-target.ts';

// A name in the reserved .test domain that only the proxy's hosts file resolves: a request that
// does not go through the proxy cannot reach the server.
const PROXIED_HOST = 's3.riva-proxy.test';
const PROXY_PASSWORD = 'proxy-password-never-logged';
const PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
// Ceph RGW (whose `rgw dns name` is localhost in the suite's cluster) reads any other Host as a
// bucket name, virtual-hosted style, so the proxied name cannot address buckets by path there:
// the stagings through that name run on the embedded server; the rest runs on both.
const PATH_STYLE_FOR_ANY_HOST = !process.env.RIVA_TEST_S3_ENDPOINT;

const ROLE_ARN = process.env.RIVA_TEST_S3_ROLE_ARN;
const STS_ENDPOINT = process.env.RIVA_TEST_S3_STS_ENDPOINT;

let target: S3Target;
let proxy: ForwardProxy;
/** The S3 endpoint by the name only the proxy knows, on the server's port. */
let proxiedEndpoint: string;

beforeAll(async () => {
  target = await startS3Target();
  const server = new URL(target.endpoint);
  const { address } = await lookup(server.hostname, { family: 4 });
  proxy = await startForwardProxy({ [PROXIED_HOST]: address, localhost: address });
  proxiedEndpoint = `${server.protocol}//${PROXIED_HOST}:${server.port}`;
});
afterAll(async () => {
  await proxy?.stop();
  await target?.stop();
});

let seen = 0;
/** The requests the proxy served since the previous call. */
async function newProxyRequests(): Promise<string[]> {
  const all = await proxy.requests();
  const fresh = all.slice(seen);
  seen = all.length;
  return fresh;
}
afterEach(async () => {
  await newProxyRequests();
});

/** `http://user:password@127.0.0.1:PORT`. */
function proxyWithCredentials(): string {
  const url = new URL(proxy.url);
  url.username = 'stage-user';
  url.password = PROXY_PASSWORD;
  return url.href;
}

describe('through a forward proxy', () => {
  it.runIf(PATH_STYLE_FOR_ANY_HOST)('stages in full mode with every S3 request through the `http-proxy` input, which wins over HTTP_PROXY; its password is never shown', async () => {
    const tree = await seedBintarball(target);

    const result = await runAction({
      inputs: stagingInputs(target, proxiedEndpoint, tree, { mode: 'full', 'http-proxy': proxyWithCredentials() }),
      // A dead proxy in the variables: the input must win over them.
      env: { ...credentialsEnv(target), HTTP_PROXY: 'http://127.0.0.1:9', http_proxy: 'http://127.0.0.1:9' },
    });

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('staged');
    const keys = (await target.listObjects(tree.bucket)).map((object) => object.key).filter((key) => key.startsWith(PREFIX));
    expect(keys).toContain(`${PREFIX}source/${ARCHIVE_NAME}`);
    expect(keys).toContain(`${PREFIX}staging_complete.txt`);

    const requests = await newProxyRequests();
    const origin = `http://${PROXIED_HOST}:${new URL(target.endpoint).port}`;
    // The archive read, the server-side copy, the metadata and the marker all went through it.
    expect(requests).toContain(`GET ${origin}/${tree.bucket}/${MODEL_KEY}`);
    expect(requests).toContain(`PUT ${origin}/${tree.bucket}/${PREFIX}source/${ARCHIVE_NAME}`);
    expect(requests).toContain(`PUT ${origin}/${tree.bucket}/${PREFIX}artifact.json`);
    expect(requests).toContain(`PUT ${origin}/${tree.bucket}/${PREFIX}staging_complete.txt`);
    expect(requests.every((request) => request.includes(origin))).toBe(true);

    const shown = `${result.stdout}\n${result.stderr}\n${result.summary}\n${readFileSync(result.outputs['state-file']!, 'utf8')}`;
    expect(shown).toContain(`through http://***@127.0.0.1:${new URL(proxy.url).port}/ (from http-proxy)`);
    expect(shown).not.toContain(PROXY_PASSWORD);
  });

  it.runIf(PATH_STYLE_FOR_ANY_HOST)('takes the proxy from HTTP_PROXY on the command line', async () => {
    const tree = await seedBintarball(target);

    const result = await runCli(['--json'], {
      ...credentialsEnv(target),
      HTTP_PROXY: proxy.url,
      RIVA_ASR_MODEL_S3_URI: tree.modelUri,
      NVIDIA_DRIVERS_S3_BUCKET: tree.bucket,
      RIVA_ASR_MODEL_NAME: MODEL_NAME,
      MODEL_VERSION,
      ENV: 'dev',
      AWS_REGION: target.region,
      AWS_ENDPOINT_URL_S3: proxiedEndpoint,
    });

    expect(result.stderr).toContain('(from HTTP_PROXY)');
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'staged' });
    const requests = await newProxyRequests();
    expect(requests.some((request) => request.startsWith(`PUT http://${PROXIED_HOST}:`) && request.endsWith('deployment_ready.txt'))).toBe(true);
  });

  it('stages through the proxy on any server: the requests it forwards keep their signatures valid', async () => {
    const tree = await seedBintarball(target);
    const byName = new URL(target.endpoint);
    byName.hostname = 'localhost';

    const result = await runAction({
      inputs: stagingInputs(target, byName.origin, tree, { mode: 'reference-only' }),
      env: { ...credentialsEnv(target), http_proxy: proxy.url },
    });

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('(from http_proxy)');
    const requests = await newProxyRequests();
    expect(requests).toContain(`PUT ${byName.origin}/${tree.bucket}/${PREFIX}artifact.json`);
    expect(requests).toContain(`PUT ${byName.origin}/${tree.bucket}/${PREFIX}staging_complete.txt`);
  });

  // A role the server's STS lets the test user assume, and a gateway of the same cluster that takes
  // the session's credentials for S3 (test/servers/ceph-rgw-up.sh makes both).
  it.runIf(ROLE_ARN !== undefined && STS_ENDPOINT !== undefined)('assumes a profile\'s role through the proxy: STS is asked through it, then S3 with the role\'s credentials', async () => {
    const tree = await seedBintarball(target);
    const byName = new URL(STS_ENDPOINT!);
    byName.hostname = 'localhost';
    const { accessKeyId, secretAccessKey } = target;
    const profiles = mkdtempSync(join(tmpdir(), 'riva-aws-profiles-'));
    try {
      writeFileSync(join(profiles, 'config'), `[profile staged]\nrole_arn = ${ROLE_ARN}\nsource_profile = base\n\n[profile base]\n`);
      writeFileSync(join(profiles, 'credentials'), `[base]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`);

      const result = await runAction({
        inputs: stagingInputs(target, byName.origin, tree, { mode: 'reference-only' }),
        env: {
          AWS_PROFILE: 'staged',
          AWS_CONFIG_FILE: join(profiles, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(profiles, 'credentials'),
          AWS_ENDPOINT_URL_STS: byName.origin,
          HTTP_PROXY: proxy.url,
        },
      });

      expect(result.errors).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(result.outputs.status).toBe('staged');
      const requests = await newProxyRequests();
      // STS's AssumeRole is a POST to the endpoint's root; S3 requests name a bucket.
      expect(requests).toContain(`POST ${byName.origin}/`);
      expect(requests).toContain(`PUT ${byName.origin}/${tree.bucket}/${PREFIX}staging_complete.txt`);
    } finally {
      rmSync(profiles, { recursive: true, force: true });
    }
  });

  it('goes direct to a host NO_PROXY names, the proxy seeing nothing', async () => {
    const tree = await seedBintarball(target);
    const direct = new URL(target.endpoint);

    const result = await runAction({
      inputs: stagingInputs(target, target.endpoint, tree),
      env: { ...credentialsEnv(target), HTTP_PROXY: proxy.url, NO_PROXY: `example.com,${direct.hostname}` },
    });

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('staged');
    expect(result.stdout).toContain(`direct for NO_PROXY example.com,${direct.hostname}`);
    expect(await newProxyRequests()).toEqual([]);
  });

  it('goes direct to an address in a NO_PROXY CIDR range, the proxy seeing nothing', async () => {
    const tree = await seedBintarball(target);
    const direct = new URL(target.endpoint);
    // The servers the tests start listen on 127.0.0.1: the range is written around that address.
    expect(isIPv4(direct.hostname)).toBe(true);
    const range = `${direct.hostname.split('.')[0]}.0.0.0/8`;

    const result = await runAction({
      inputs: stagingInputs(target, target.endpoint, tree),
      env: { ...credentialsEnv(target), HTTP_PROXY: proxy.url, NO_PROXY: `10.0.0.0/8,${range}` },
    });

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('staged');
    expect(result.stdout).toContain(`direct for NO_PROXY 10.0.0.0/8,${range}`);
    expect(await newProxyRequests()).toEqual([]);
  });

  it('cannot reach the proxied name without the proxy (so the tests above prove the route)', async () => {
    const tree = await seedBintarball(target);

    const result = await runAction({
      inputs: stagingInputs(target, proxiedEndpoint, tree, { 'max-attempts': '1' }),
      env: credentialsEnv(target),
    });

    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toContain(PROXIED_HOST);
    expect(await newProxyRequests()).toEqual([]);
  });
});
