import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FetchConfig, Mode } from '../../src/config/config.ts';
import { ValidationError } from '../../src/errors.ts';
import { fetchOperation, type FetchResult } from '../../src/operations/fetch/fetch.ts';
import { stageOperation } from '../../src/operations/stage/stage.ts';
import type { ObjectStore } from '../../src/s3/object-store.ts';
import {
  ARCHIVE_NAME, BUCKET, MODEL_NAME, MODEL_VERSION, clearRequests, configOf, rejectionOf, seedMemoryBintarball, sha256, stageConfig, textOf,
  useOperationHarness, type MemoryBintarball,
} from './operation-harness.ts';

const harness = useOperationHarness();

const STAGING_AREA_PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const ACOUSTIC = 'parakeet-rnnt/1/parakeet-rnnt-1.1b-en-us.riva';
const PUNCTUATION = 'parakeet-rnnt/punctuation/punctuation-en-us.riva';

let destination = '';
beforeEach(() => {
  destination = mkdtempSync(join(tmpdir(), 'riva-fetch-'));
});
afterEach(() => {
  rmSync(destination, { recursive: true, force: true });
});

async function staged(mode: Mode, storeOptions: Parameters<typeof seedMemoryBintarball>[0] = {}): Promise<MemoryBintarball> {
  const tree = await seedMemoryBintarball(storeOptions);
  // The reference modes record the archive's SHA-256 when given it: fetch then proves the archive by it.
  const expectedSha256 = sha256(tree.archive.bytes);
  await stageOperation.run(stageConfig(tree, mode, { expectedSha256 }), harness.dependencies(tree.store).deps);
  clearRequests(tree.store);
  return tree;
}

function fetchConfig(tree: MemoryBintarball, inputs: Parameters<typeof configOf>[1] = {}): FetchConfig {
  const config = configOf(tree, { mode: 'fetch', destination, ...inputs });
  if (config.operation !== 'fetch') throw new TypeError('expected a fetch configuration');
  return config;
}

async function fetch(tree: MemoryBintarball, inputs: Parameters<typeof configOf>[1] = {}, store: ObjectStore = tree.store) {
  const run = harness.dependencies(tree.store);
  const result = await fetchOperation.run(fetchConfig(tree, inputs), { ...run.deps, store });
  return { run, result };
}

/** Every file under the destination, relative to it, sorted. */
function filesIn(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)))
    .sort();
}

function manifestOf(result: FetchResult): { complete: boolean; files: Array<{ path: string; size_bytes: number; sha256: string }> } {
  return JSON.parse(readFileSync(result.manifestPath, 'utf8')) as ReturnType<typeof manifestOf>;
}

/** A store whose first ranged GET of `key` finds the object replaced (after verify's HEAD saw it as staged). */
function replacedBeforeFirstRead(tree: MemoryBintarball, key: string, body: Buffer): ObjectStore {
  let replaced = false;
  return new Proxy(tree.store, {
    get(target, property) {
      if (property === 'readRange') {
        return async (...args: Parameters<ObjectStore['readRange']>) => {
          if (!replaced && args[0].key === key) {
            replaced = true;
            tree.store.putObject(BUCKET, key, body);
          }
          return target.readRange(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('fetch', () => {
  it('fetches a full staging: the archive copy and every .riva file, proven, with a manifest and the document', async () => {
    const tree = await staged('full');

    const { result } = await fetch(tree);

    expect(filesIn(destination)).toEqual(['artifact.json', 'fetch-manifest.json', `models/${ACOUSTIC}`, `models/${PUNCTUATION}`, `source/${ARCHIVE_NAME}`].sort());
    expect(readFileSync(join(destination, 'source', ARCHIVE_NAME))).toEqual(tree.archive.bytes);
    expect(readFileSync(join(destination, 'models', ACOUSTIC))).toEqual(tree.archive.files[ACOUSTIC]);
    expect(readFileSync(join(destination, 'artifact.json'), 'utf8')).toBe(textOf(tree.store, `${STAGING_AREA_PREFIX}artifact.json`));
    const manifest = manifestOf(result);
    expect(manifest.complete).toBe(true);
    for (const file of manifest.files) {
      const bytes = readFileSync(join(destination, file.path));
      expect(file.sha256).toBe(sha256(bytes));
      expect(file.size_bytes).toBe(bytes.length);
    }
    expect(manifest.files.map((file) => file.path)).toEqual(filesIn(destination).filter((path) => path !== 'fetch-manifest.json'));
    expect(fetchOperation.outputs(result)).toMatchObject({
      status: 'fetched',
      mode: 'fetch',
      'fetch-directory': destination,
      'manifest-path': join(destination, 'fetch-manifest.json'),
      'deployment-json-sha256': sha256(textOf(tree.store, `${STAGING_AREA_PREFIX}artifact.json`)),
    });
    expect(tree.store.writes()).toEqual([]);
  });

  it.each(['bintarball-reference', 'reference-only'] as const)('fetches the archive a %s staging references, and with extract its .riva files', async (mode) => {
    const tree = await staged(mode);

    const plain = await fetch(tree);
    expect(readFileSync(join(destination, 'source', ARCHIVE_NAME))).toEqual(tree.archive.bytes);
    expect(plain.result.files.map((file) => file.how).sort()).toEqual(['document', 'downloaded']);

    const extracted = await fetch(tree, { extract: 'true' });

    expect(readFileSync(join(destination, 'models', PUNCTUATION))).toEqual(tree.archive.files[PUNCTUATION]);
    expect(Object.fromEntries(extracted.result.files.map((file) => [file.path, file.how]))).toMatchObject({
      [`source/${ARCHIVE_NAME}`]: 'kept',
      [`models/${ACOUSTIC}`]: 'extracted',
      [`models/${PUNCTUATION}`]: 'extracted',
    });
    expect(manifestOf(extracted.result).files.map((file) => file.path)).toEqual(filesIn(destination).filter((path) => path !== 'fetch-manifest.json'));
  });

  it('reads every part with If-Match on the recorded ETag, in parallel ranged GETs', async () => {
    const tree = await staged('full');
    const reads: Array<Parameters<ObjectStore['readRange']>[1]> = [];
    const recording = new Proxy(tree.store, {
      get(target, property) {
        if (property === 'readRange') {
          return (location: Parameters<ObjectStore['readRange']>[0], range: Parameters<ObjectStore['readRange']>[1]) => {
            reads.push(range);
            return target.readRange(location, range);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });

    const { result } = await fetch(tree, {}, recording);

    const recorded = new Map(result.files.filter((file) => file.etag !== null).map((file) => [file.etag, file]));
    expect(reads.length).toBeGreaterThanOrEqual(recorded.size);
    for (const read of reads) expect(recorded.has(read.ifMatch)).toBe(true);
  });

  it('refuses an object replaced after staging (same size) by its pinned ETag, leaving nothing partial', async () => {
    const tree = await staged('full');
    const key = `${STAGING_AREA_PREFIX}models/${ACOUSTIC}`;
    const original = tree.archive.files[ACOUSTIC]!;
    const store = replacedBeforeFirstRead(tree, key, Buffer.alloc(original.length, 7));

    const error = await rejectionOf(fetch(tree, {}, store));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(`s3://${BUCKET}/${key}`);
    expect((error as Error).message).toContain('no longer has the ETag');
    expect(filesIn(destination).filter((path) => path.includes('partial'))).toEqual([]);
    expect(existsSync(join(destination, 'models', ACOUSTIC))).toBe(false);
    const listed = (JSON.parse(readFileSync(join(destination, 'fetch-manifest.json'), 'utf8')) as { complete: boolean; files: Array<{ path: string }> });
    expect(listed.complete).toBe(false);
    expect(listed.files.map((file) => file.path)).toEqual(filesIn(destination).filter((path) => path !== 'fetch-manifest.json'));
  });

  it('reads the recorded version in a versioned bucket, even after the key was overwritten', async () => {
    const tree = await staged('full', { store: { versioned: true } });
    const key = `${STAGING_AREA_PREFIX}models/${ACOUSTIC}`;
    const original = tree.archive.files[ACOUSTIC]!;
    const store = replacedBeforeFirstRead(tree, key, Buffer.alloc(original.length, 7));

    await fetch(tree, {}, store);

    expect(readFileSync(join(destination, 'models', ACOUSTIC))).toEqual(original);
  });

  it('refuses bytes that do not hash to the recorded SHA-256, keeping no file of them', async () => {
    const tree = await staged('reference-only');
    // A server that ignores If-Match and serves other bytes under the recorded ETag: only the hash can tell.
    const store = new Proxy(tree.store, {
      get(target, property) {
        if (property === 'readRange') {
          return async (...args: Parameters<ObjectStore['readRange']>) => {
            const answer = await target.readRange(...args);
            const { Readable } = await import('node:stream');
            const chunks: Buffer[] = [];
            for await (const chunk of answer.body) chunks.push(chunk as Buffer);
            const bytes = Buffer.concat(chunks);
            bytes[0] = bytes[0]! ^ 0xff;
            return { etag: answer.etag, body: Readable.from([bytes]) };
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });

    const error = await rejectionOf(fetch(tree, {}, store));

    expect((error as Error).message).toMatch(new RegExp(`${tree.modelUri} \\(the model archive\\) has SHA-256 [0-9a-f]{64}, not the ${sha256(tree.archive.bytes)}`));
    expect(filesIn(destination)).toEqual([]);
  });

  it('refuses a document that is not the expected deployment-json-sha256 before downloading anything', async () => {
    const tree = await staged('full');

    const error = await rejectionOf(fetch(tree, { deploymentJsonSha256: 'a'.repeat(64) }));

    expect((error as Error).message).toContain(`not the ${'a'.repeat(64)} that \`deployment-json-sha256\``);
    expect(tree.store.requests.filter((request) => request.operation === 'readRange')).toEqual([]);
    expect(filesIn(destination)).toEqual([]);
  });

  it('accepts the right deployment-json-sha256', async () => {
    const tree = await staged('reference-only');
    const digest = sha256(textOf(tree.store, `${STAGING_AREA_PREFIX}artifact.json`));

    const { result } = await fetch(tree, { deploymentJsonSha256: digest.toUpperCase() });

    expect(result.metadataSha256).toBe(digest);
  });

  it('refuses a staging without its completion marker', async () => {
    const tree = await staged('reference-only');
    await tree.store.delete({ bucket: BUCKET, key: `${STAGING_AREA_PREFIX}staging_complete.txt` }, 'marker');

    const error = await rejectionOf(fetch(tree));

    expect((error as Error).message).toContain(`completion marker s3://${BUCKET}/${STAGING_AREA_PREFIX}staging_complete.txt: expected present`);
    expect(filesIn(destination)).toEqual([]);
  });

  it('keeps whole proven files on a re-run and continues a partial file a killed run left', async () => {
    const tree = await staged('full');
    await fetch(tree);
    const archive = join(destination, 'source', ARCHIVE_NAME);
    const bytes = readFileSync(archive);
    const half = Math.floor(bytes.length / 2);
    // What a run killed half-way through the archive leaves: its first bytes under the temporary
    // name, and the sidecar naming the pinned object they belong to.
    const { source_copy: copy } = JSON.parse(textOf(tree.store, `${STAGING_AREA_PREFIX}artifact.json`)) as { source_copy: { uri: string; etag: string } };
    rmSync(archive);
    writeFileSync(`${archive}.riva-fetch-partial`, bytes.subarray(0, half));
    writeFileSync(`${archive}.riva-fetch-partial.json`, JSON.stringify({ uri: copy.uri, etag: copy.etag, version_id: null, size_bytes: bytes.length }));
    clearRequests(tree.store);

    const { result, run } = await fetch(tree);

    expect(readFileSync(archive)).toEqual(bytes);
    expect(Object.fromEntries(result.files.map((file) => [file.path, file.how]))).toMatchObject({
      [`source/${ARCHIVE_NAME}`]: 'resumed',
      [`models/${ACOUSTIC}`]: 'kept',
      [`models/${PUNCTUATION}`]: 'kept',
    });
    expect(result.bytesDownloaded).toBe(bytes.length - half);
    expect(run.logLines.join('\n')).toContain(`from byte ${half}`);
    const reads = tree.store.requests.filter((request) => request.operation === 'readRange');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((request) => request.key.endsWith(ARCHIVE_NAME))).toBe(true);
    expect(filesIn(destination).filter((path) => path.includes('partial'))).toEqual([]);
  });

  it('starts over a partial file of another object', async () => {
    const tree = await staged('reference-only');
    const archive = join(destination, 'source', ARCHIVE_NAME);
    await fetch(tree);
    rmSync(archive);
    writeFileSync(`${archive}.riva-fetch-partial`, 'bytes of something else');
    writeFileSync(`${archive}.riva-fetch-partial.json`, JSON.stringify({ uri: tree.modelUri, etag: 'another', version_id: null, size_bytes: 1 }));

    const { result } = await fetch(tree);

    expect(result.files.find((file) => file.path === `source/${ARCHIVE_NAME}`)?.how).toBe('downloaded');
    expect(readFileSync(archive)).toEqual(tree.archive.bytes);
  });

  it('removes every temporary file when a download fails part-way, and the manifest lists what stays', async () => {
    const tree = await staged('full');
    tree.store.inject({ operation: 'readRange', matches: (location) => location.key.endsWith('.riva'), times: 100, error: { status: 403, code: 'AccessDenied' } });

    await rejectionOf(fetch(tree));

    const files = filesIn(destination);
    expect(files.filter((path) => path.includes('partial'))).toEqual([]);
    const listed = (JSON.parse(readFileSync(join(destination, 'fetch-manifest.json'), 'utf8')) as { files: Array<{ path: string }> }).files.map((file) => file.path);
    expect(listed).toEqual(files.filter((path) => path !== 'fetch-manifest.json'));
    for (const path of listed) expect(statSync(join(destination, path)).size).toBeGreaterThan(0);
  });

  it('removes what an earlier fetch of another staging placed', async () => {
    const tree = await staged('full');
    await fetch(tree);
    await stageOperation.run(stageConfig(tree, 'reference-only', { expectedSha256: sha256(tree.archive.bytes), environment: 'qa' }), harness.dependencies(tree.store).deps);

    const { result } = await fetch(tree, { environment: 'qa' });

    expect(filesIn(destination)).toEqual(['artifact.json', 'fetch-manifest.json', `source/${ARCHIVE_NAME}`]);
    expect(result.files.map((file) => file.path).sort()).toEqual(['artifact.json', `source/${ARCHIVE_NAME}`]);
  });
});
