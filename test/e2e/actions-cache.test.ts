import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACTION_ENTRY, runAction } from '../helpers/action-runner.ts';
import { startAzurite, type Azurite } from '../helpers/azurite.ts';
import { credentialsEnv, stagingInputs } from '../helpers/bintarball.ts';
import { CLI_ENTRY } from '../helpers/cli-runner.ts';
import { startBlobProxy, type BlobProxy } from '../helpers/blob-proxy.ts';
import { MODEL_KEY, makeModelArchive } from '../helpers/fixtures.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';
import { startActionsCacheService, type ActionsCacheService, type BeforeCall, type BlobUrlStyle } from '../servers/actions-cache-service.ts';

/**
 * The GitHub Actions cache for real: @actions/cache in dist/, unmocked, against a cache service
 * speaking the runner's protocol v2 over a real blob store (Azurite). The toolkit reads a blob
 * through the Blob SDK when its host ends in .blob.core.windows.net and with one plain GET
 * otherwise: both are run.
 */
const s3 = useStagingFixture(() => makeModelArchive({ 'm/acoustic.riva': 300_000, 'm/lexicon.riva': 4096 }));
let azurite: Azurite;
let blobProxy: BlobProxy;
let runnerTemp: string;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});
beforeEach(async () => {
  blobProxy = await startBlobProxy(azurite);
  // The runner's temporary folder is the same path in every job (the cache's paths are part of its version).
  runnerTemp = mkdtempSync(join(tmpdir(), 'riva-runner-temp-'));
});
afterEach(async () => {
  await blobProxy?.stop();
  rmSync(runnerTemp, { recursive: true, force: true });
});

type Downloads = 'blob-sdk' | 'plain-get';

async function startService(downloads: Downloads, before?: BeforeCall): Promise<ActionsCacheService> {
  const style: BlobUrlStyle = downloads === 'blob-sdk' ? { kind: 'azure-host' } : { kind: 'endpoint', endpoint: blobProxy.url };
  return startActionsCacheService(azurite, style, before);
}

/** A hosted runner's environment for the cache, and for the Blob SDK path a proxy that resolves Azure's host name to Azurite. */
function runnerEnv(service: ActionsCacheService, downloads: Downloads): Record<string, string> {
  return {
    ...credentialsEnv(s3.target),
    ACTIONS_CACHE_SERVICE_V2: 'true',
    ACTIONS_RESULTS_URL: service.url,
    ACTIONS_RUNTIME_TOKEN: service.token,
    RUNNER_TEMP: runnerTemp,
    // S3 and the cache service are reached directly, as a runner's NO_PROXY names its own endpoints;
    // only the blob store's Azure host name goes through the proxy.
    ...(downloads === 'blob-sdk' ? { HTTP_PROXY: blobProxy.url, NO_PROXY: '127.0.0.1,localhost' } : {}),
  };
}

const stageFull = (service: ActionsCacheService, downloads: Downloads, environment: string) =>
  runAction({ inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, { mode: 'full', environment }), env: runnerEnv(service, downloads) });
const verify = (environment: string) =>
  runAction({ inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, { mode: 'verify', environment, deep: 'true' }), env: credentialsEnv(s3.target) });
// The embedded S3 server's own warning (no conditional writes) is not the cache's.
const cacheWarnings = (warnings: string[]) => warnings.filter((warning) => /cache/i.test(warning));
const archiveGets = () => s3.proxy.requests.filter((request) => request.method === 'GET' && request.path.endsWith(MODEL_KEY));

/** `tar -tv` of the cache blob (tar picks gzip or zstd from the bytes): name → size. */
function listCacheBlob(bytes: Buffer): Map<string, number> {
  const file = join(runnerTemp, 'blob.tar');
  writeFileSync(file, bytes);
  const listing = execFileSync('tar', ['-tvPf', file], { encoding: 'utf8' });
  rmSync(file);
  return new Map(
    listing
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .map((fields) => [fields.slice(5).join(' '), Number(fields[2])] as const),
  );
}

describe.each<Downloads>(['blob-sdk', 'plain-get'])('archive cache (Actions cache service, downloads by %s)', (downloads) => {
  it('saves the archive on a miss and restores it on the next run, which reads nothing of it from S3', async () => {
    const service = await startService(downloads);
    try {
      const first = await stageFull(service, downloads, 'dev');

      expect(first.errors).toEqual([]);
      expect(cacheWarnings(first.warnings)).toEqual([]);
      expect(first.exitCode).toBe(0);
      expect(first.summary).toContain('miss (GitHub Actions cache): saved for the next run');
      expect(archiveGets()).toHaveLength(1);
      expect(service.entries).toHaveLength(1);
      const [entry] = service.entries;
      expect(entry!.key).toMatch(/^riva-130-stage-v1-/);
      expect(entry!.sizeBytes).toBeGreaterThan(0);
      expect(await service.blobSize(entry!)).toBe(entry!.sizeBytes);
      // The blob holds the model archive, whole, beside its sidecar.
      const contents = listCacheBlob(await service.blobBytes(entry!));
      const archivePath = [...contents.keys()].find((name) => name.endsWith(`${entry!.key}.tar.gz`));
      expect(archivePath).toBeDefined();
      expect(contents.get(archivePath!)).toBe(s3.tree.archive.bytes.length);
      expect([...contents.keys()].some((name) => name.endsWith(`${entry!.key}.json`))).toBe(true);

      // A fresh runner: nothing left in its temporary folder, only the cache service has the copy.
      rmSync(runnerTemp, { recursive: true, force: true });
      mkdirSync(runnerTemp);
      s3.proxy.requests.length = 0;
      blobProxy.requests.length = 0;
      const second = await stageFull(service, downloads, 'staging');

      expect(second.errors).toEqual([]);
      expect(cacheWarnings(second.warnings)).toEqual([]);
      expect(second.exitCode).toBe(0);
      expect(archiveGets()).toEqual([]);
      expect(second.summary).toMatch(/hit \(GitHub Actions cache\): [\d.]+ KiB not downloaded/);
      expect(service.calls.filter((call) => call.startsWith('CreateCacheEntry'))).toHaveLength(1);
      const blobReads = blobProxy.requests.filter((request) => request.path.endsWith(`/${entry!.blobName}`));
      expect(blobReads.reduce((sum, request) => sum + (request.method === 'GET' ? request.responseBytes : 0), 0)).toBe(entry!.sizeBytes);
      if (downloads === 'blob-sdk') {
        // The Blob SDK: its properties first, then ranged reads, all addressed to Azure's host name.
        expect(blobReads.map((request) => request.method)).toContain('HEAD');
        expect(blobReads.filter((request) => request.method === 'GET').every((request) => request.range !== undefined)).toBe(true);
        expect(blobReads.every((request) => request.host === 'devstoreaccount1.blob.core.windows.net')).toBe(true);
      } else {
        expect(blobReads.map((request) => `${request.method} ${request.range ?? 'whole'}`)).toEqual(['GET whole']);
      }
      expect((await verify('staging')).outputs.status).toBe('verified');
    } finally {
      await service.stop();
    }
  });
});

describe('archive cache (Actions cache service) on a miss', () => {
  const markerWritten = async () => (await s3.target.listObjects(s3.tree.bucket)).some((object) => object.key.endsWith('/staging_complete.txt'));

  it('writes the marker without waiting for the upload to the cache', async () => {
    // The service holds the upload's reservation until the marker is in S3: a run that saved
    // before publishing would never see it, and its save would be refused.
    const service = await startService('plain-get', async (method) => {
      if (method !== 'CreateCacheEntry') return undefined;
      for (let attempt = 0; attempt < 300; attempt += 1) {
        if (await markerWritten()) return undefined;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return { ok: false, message: 'the marker was not written while the upload waited' };
    });
    try {
      const run = await stageFull(service, 'plain-get', 'dev');

      expect(run.errors).toEqual([]);
      expect(cacheWarnings(run.warnings)).toEqual([]);
      expect(run.exitCode).toBe(0);
      expect(run.outputs.status).toBe('staged');
      expect(service.entries.map((entry) => entry.sizeBytes !== undefined)).toEqual([true]);
      // The log says the save waits for the staging, when it starts, and that it was saved only once it was.
      const lines = run.stdout.split('\n');
      const waits = lines.indexOf('The model archive goes to the GitHub Actions cache once the staging is done.');
      const saving = lines.indexOf('Saving the model archive to the GitHub Actions cache.');
      const saved = lines.findIndex((line) => /^Saved the model archive to the GitHub Actions cache \(entry \d+\)\.$/.test(line));
      expect(waits, run.stdout).toBeGreaterThanOrEqual(0);
      expect(saving, run.stdout).toBeGreaterThan(waits);
      expect(saved, run.stdout).toBeGreaterThan(saving);
    } finally {
      await service.stop();
    }
  });

  it('saves only once the outputs are set: the save does not share the uplink with the staging', async () => {
    let outputFile = '';
    // The service refuses a reservation made before the step's outputs were written.
    const service = await startService('plain-get', async (method) => {
      if (method !== 'CreateCacheEntry') return undefined;
      return readFileSync(outputFile, 'utf8').includes('deployment-json-uri<<') ? undefined : { ok: false, message: 'the outputs were not yet set' };
    });
    try {
      const run = await runAction({
        inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, { mode: 'full', environment: 'staging' }),
        env: runnerEnv(service, 'plain-get'),
        onStart: (_child, file) => (outputFile = file),
      });

      expect(run.errors).toEqual([]);
      expect(cacheWarnings(run.warnings)).toEqual([]);
      expect(run.outputs.status).toBe('staged');
      expect(service.entries.map((entry) => entry.sizeBytes !== undefined)).toEqual([true]);
    } finally {
      await service.stop();
    }
  });

  it('stages, with a warning, when the cache service does not take the entry', async () => {
    const service = await startService('plain-get', async (method) =>
      method === 'FinalizeCacheEntryUpload' ? { ok: false, message: 'the cache is over its size limit' } : undefined,
    );
    try {
      const run = await stageFull(service, 'plain-get', 'dev');

      expect(run.errors).toEqual([]);
      expect(run.exitCode).toBe(0);
      expect(run.outputs.status).toBe('staged');
      expect(cacheWarnings(run.warnings)).toContain(
        'Could not save the model archive to the GitHub Actions cache: the cache service did not take the entry (see the message above)',
      );
      expect(run.summary).toContain('miss (GitHub Actions cache): could not be saved for the next run');
      // Started, never saved: no line may say it was.
      expect(run.stdout).toContain('Saving the model archive to the GitHub Actions cache.');
      expect(run.stdout).not.toContain('Saved the model archive to the GitHub Actions cache');
      expect(service.entries.map((entry) => entry.sizeBytes)).toEqual([undefined]);
      expect((await verify('dev')).outputs.status).toBe('verified');
    } finally {
      await service.stop();
    }
  });
});

describe('the bundles', () => {
  // ncc leaves the path of many a bundled module in the code it emits: a sign of which package a file holds.
  const holds = (file: string, name: string) => readFileSync(file, 'utf8').includes(`node_modules/${name}/`);
  // A bundle is its entry file and the chunks beside it, one for each dynamic import.
  const filesOf = (entry: string) =>
    readdirSync(dirname(entry))
      .filter((name) => name.endsWith('.js'))
      .map((name) => join(dirname(entry), name));
  const bundles = (entry: string, name: string) => filesOf(entry).some((file) => holds(file, name));

  it('leave the Actions cache out of the command line, which never uses it', () => {
    for (const name of ['@actions/cache', '@azure/storage-blob']) {
      expect(bundles(ACTION_ENTRY, name), name).toBe(true);
      expect(bundles(CLI_ENTRY, name), name).toBe(false);
    }
  });

  it("leave @actions/core and its HTTP client out of the command line, which writes no job summary", () => {
    for (const name of ['@actions/core', 'undici']) {
      expect(bundles(ACTION_ENTRY, name), name).toBe(true);
      expect(bundles(CLI_ENTRY, name), name).toBe(false);
    }
  });

  it("keep the Actions cache out of the action's entry file, so that a run without it never compiles it", () => {
    for (const name of ['@actions/cache', '@azure/storage-blob']) {
      expect(bundles(ACTION_ENTRY, name), name).toBe(true);
      expect(holds(ACTION_ENTRY, name), name).toBe(false);
    }
  });

  it("list the licences of every package, the chunks' among them", () => {
    // ncc's own --license lists the entry chunk's packages alone: scripts/build.ts writes the list.
    const licences = readFileSync(join(dirname(ACTION_ENTRY), 'licenses.txt'), 'utf8').split('\n');
    for (const name of ['@actions/cache', '@azure/storage-blob', '@actions/core', '@aws-sdk/client-s3', '@aws-sdk/lib-storage', 'tar', 'zod']) {
      expect(licences, name).toContain(name);
    }
    const named = [...new Set([ACTION_ENTRY, CLI_ENTRY].flatMap(filesOf).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/node_modules\/((?:@[\w.-]+\/)?[\w.-]+)\//g)].map((match) => match[1]!)))];
    expect(named.length).toBeGreaterThan(20);
    for (const name of named) expect(licences, name).toContain(name);
  });
});
