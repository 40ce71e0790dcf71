import { createHash, randomBytes } from 'node:crypto';
import { crc32, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { commandData, runAction, type ActionRun } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, stagingInputs } from '../helpers/bintarball.ts';
import { ARCHIVE_NAME, CONTAINER_KEY, MODEL_KEY, makeModelArchive, makeRawArchive } from '../helpers/fixtures.ts';
import type { RecordedRequest } from '../helpers/s3-proxy.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

/**
 * The trust rules (SPEC §9) end to end: what a staging vouches for must be what S3 holds, and
 * nothing wrong is ever marked complete, in every mode.
 */

const stagingArea = (environment: string, version = MODEL_VERSION) => `${environment}/${MODEL_NAME}/${version}/`;
const bintarballFolder = (version = MODEL_VERSION) => `bintarball/deployment-metadata/dev/${MODEL_NAME}/${version}/`;
const PREFIX = stagingArea('dev');
const SOURCE_COPY = `source/${ARCHIVE_NAME}`;
/** The documents of a staging area, which the metadata does not list as staged objects. */
const STAGING_DOCUMENTS = ['artifact.json', 'staging_complete.txt', 'checksums.sha256'];
const WRONG_SHA256 = 'ab'.repeat(32);

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

// Archive A of every test: two .riva files and a README; tests that need another archive replace it.
const s3 = useStagingFixture(() => makeModelArchive({ 'm/a.riva': 300_000, 'm/b.riva': 300_000, 'README.txt': 20 }));

/** The fields of a metadata document these tests read (schema v2 adds `etag` and `source_copy`). */
interface StoredMetadata {
  readonly schema_version: number;
  readonly mode: string;
  readonly source: { readonly uri: string; readonly size_bytes: number; readonly sha256: string | null };
  readonly source_copy?: unknown;
  readonly files: ReadonlyArray<{ readonly path: string; readonly uri: string; readonly size_bytes: number; readonly etag?: unknown }>;
}

/** An in-progress or lease record at the top of the staging prefix (`*.json` other than the metadata). */
const isRunRecord = (relative: string) => !relative.includes('/') && relative.endsWith('.json') && relative !== 'artifact.json';

const act = (inputs: Record<string, string>) =>
  runAction({ inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, inputs), env: credentialsEnv(s3.target) });
const errorText = (run: ActionRun) => run.errors.map(commandData).join('\n');
const bucketKeys = async () => (await s3.target.listObjects(s3.tree.bucket)).map((object) => object.key);
const keysUnder = async (prefix: string) => (await bucketKeys()).filter((key) => key.startsWith(prefix));
const etagsUnder = async (prefix: string) =>
  new Map((await s3.target.listObjects(s3.tree.bucket)).filter((object) => object.key.startsWith(prefix)).map((object) => [object.key, object.etag]));
/** Key → ETag of a staging's objects, leaving out in-progress and lease records. */
const stagingObjects = async (prefix: string) =>
  new Map([...(await etagsUnder(prefix))].filter(([key]) => !isRunRecord(key.slice(prefix.length))));
const exists = (key: string) => s3.target.exists(s3.tree.bucket, key);
const bytesOf = (key: string) => s3.target.getBytes(s3.tree.bucket, key);
const readMetadata = async (key: string) => JSON.parse(await s3.target.getText(s3.tree.bucket, key)) as StoredMetadata;
const keyOf = (uri: string | undefined) => (uri ?? '').replace(`s3://${s3.tree.bucket}/`, '');
/** Replaces the model archive in the bintarball tree, straight on the server (not through the proxy). */
const replaceArchive = (bytes: Buffer) => s3.target.putObject(s3.tree.bucket, MODEL_KEY, bytes);
const puts = () => s3.proxy.requests.filter((request) => request.method === 'PUT');
const uploadsTo = (name: string) => (request: RecordedRequest) => request.method === 'PUT' && request.path.endsWith(`/models/m/${name}`);

/** Keys under the staging prefix that its metadata does not account for (nothing stale may remain). */
async function unaccountedObjects(prefix: string): Promise<string[]> {
  const metadata = await readMetadata(`${prefix}artifact.json`);
  const listed = new Set([...metadata.files.map((file) => file.path), SOURCE_COPY]);
  return (await keysUnder(prefix))
    .map((key) => key.slice(prefix.length))
    .filter((relative) => !STAGING_DOCUMENTS.includes(relative) && !isRunRecord(relative) && !listed.has(relative));
}

/** The names of a gzip'd tar's entries, read from the raw headers (no normalisation). */
function tarEntryNames(archive: Buffer): string[] {
  const tar = gunzipSync(archive);
  const names: string[] = [];
  const text = (start: number, length: number) => tar.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const name = text(offset, 100);
    if (name === '') break;
    const prefix = text(offset + 345, 155);
    names.push(prefix === '' ? name : `${prefix}/${name}`);
    const size = parseInt(text(offset + 124, 12).trim() || '0', 8);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

/** A zip archive with stored (uncompressed) entries: not a gzip'd tar, though it holds a .riva file. */
function makeZip(entries: Record<string, Buffer>): Buffer {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [path, content] of Object.entries(entries)) {
    const name = Buffer.from(path);
    const crc = crc32(content);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(0x21, 12); // 1980-01-01
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(content.length, 18);
    header.writeUInt32LE(content.length, 22);
    header.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x21, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(content.length, 20);
    entry.writeUInt32LE(content.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    local.push(header, name, content);
    central.push(entry, name);
    offset += header.length + name.length + content.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, directory, end]);
}

describe('the reference modes refuse what is not a gzip\'d tar', () => {
  const notTarballs: Array<[string, () => Buffer]> = [
    ['plain text', () => Buffer.from('riva model archive placeholder: this is plain text, not an archive\n'.repeat(20))],
    ['a zip archive', () => makeZip({ 'm/model.riva': randomBytes(4096) })],
    ['a gzip\'d text file (no tar inside)', () => gzipSync(Buffer.from('not a tar archive, only gzip\'d text\n'.repeat(100)))],
  ];
  const cases = ['bintarball-reference', 'reference-only'].flatMap((mode) => notTarballs.map(([name, bytes]) => [mode, name, bytes] as const));

  it.each(cases)('%s: refuses %s, writing no metadata and no marker', async (mode, _name, bytes) => {
    await replaceArchive(bytes());

    const run = await act({ mode });

    expect(run.exitCode).toBe(1);
    expect(errorText(run)).toMatch(/gzip|tar/i);
    expect(await bucketKeys()).toEqual([CONTAINER_KEY, MODEL_KEY]);
    expect(puts()).toEqual([]);
  });
});

describe('expected-sha256 is enforced in every mode', () => {
  it('reference mode: a wrong expected-sha256 fails, writing nothing', async () => {
    const run = await act({ mode: 'bintarball-reference', 'expected-sha256': WRONG_SHA256 });

    expect(run.exitCode).toBe(1);
    expect(errorText(run)).toContain('expected-sha256');
    expect(await bucketKeys()).toEqual([CONTAINER_KEY, MODEL_KEY]);
    expect(puts()).toEqual([]);
  });

  it('reference mode: the right expected-sha256 stages and is recorded as source.sha256', async () => {
    const archiveSha256 = sha256(s3.tree.archive.bytes);

    const run = await act({ mode: 'reference-only', 'expected-sha256': archiveSha256 });

    expect(errorText(run)).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs.status).toBe('staged');
    expect(await exists(`${PREFIX}staging_complete.txt`)).toBe(true);
    const metadata = await readMetadata(`${PREFIX}artifact.json`);
    expect(metadata.source.sha256).toBe(archiveSha256);
    expect(run.outputs['source-sha256']).toBe(archiveSha256);
  });

  it('full mode: a re-run with a wrong expected-sha256 fails instead of reporting already-staged, leaving the staging as it was', async () => {
    const staged = await act({ mode: 'full' });
    expect(staged.exitCode).toBe(0);
    const marker = await bytesOf(`${PREFIX}staging_complete.txt`);
    const metadata = await bytesOf(`${PREFIX}artifact.json`);
    const objectsBefore = await stagingObjects(PREFIX);

    const run = await act({ mode: 'full', 'expected-sha256': WRONG_SHA256 });

    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).not.toBe('already-staged');
    expect(errorText(run)).toContain('expected-sha256');
    expect((await bytesOf(`${PREFIX}staging_complete.txt`)).equals(marker)).toBe(true);
    expect((await bytesOf(`${PREFIX}artifact.json`)).equals(metadata)).toBe(true);
    // Nothing of the complete staging was removed or replaced (run records aside).
    expect(await stagingObjects(PREFIX)).toEqual(objectsBefore);
  });
});

describe('a staging of another mode is not already-staged', () => {
  it('refuses full over a reference-only staging of the same version unless forced', async () => {
    expect((await act({ mode: 'reference-only' })).exitCode).toBe(0);
    const marker = await bytesOf(`${PREFIX}staging_complete.txt`);

    const refused = await act({ mode: 'full' });

    expect(refused.exitCode).toBe(1);
    expect(refused.outputs.status).not.toBe('already-staged');
    expect(errorText(refused)).toContain('reference-only');
    expect(errorText(refused)).toContain('force');
    expect((await bytesOf(`${PREFIX}staging_complete.txt`)).equals(marker)).toBe(true);
    expect((await keysUnder(PREFIX)).filter((key) => key.startsWith(`${PREFIX}models/`))).toEqual([]);

    const forced = await act({ mode: 'full', force: 'true' });

    expect(errorText(forced)).toBe('');
    expect(forced.exitCode).toBe(0);
    expect(forced.outputs.status).toBe('staged');
    expect(await exists(`${PREFIX}models/m/a.riva`)).toBe(true);
    expect(await exists(`${PREFIX}models/m/b.riva`)).toBe(true);
    expect((await readMetadata(`${PREFIX}artifact.json`)).mode).toBe('full');
  });
});

describe('verify and promote pin staged files to their recorded ETags', () => {
  /** A full staging whose models/m/a.riva was then replaced by other bytes of the same size, behind the tool's back. */
  async function stageThenReplaceSameSize() {
    expect((await act({ mode: 'full' })).exitCode).toBe(0);
    const replaced = `${PREFIX}models/m/a.riva`;
    const etagBefore = (await etagsUnder(replaced)).get(replaced);
    await s3.target.putObject(s3.tree.bucket, replaced, randomBytes(300_000));
    const after = (await s3.target.listObjects(s3.tree.bucket)).find((object) => object.key === replaced);
    // The setup did what it says: same size, different object.
    expect(after?.size).toBe(300_000);
    expect(after?.etag).not.toBe(etagBefore);
  }

  it('a shallow verify fails, naming the replaced file', async () => {
    await stageThenReplaceSameSize();

    const run = await act({ mode: 'verify' });

    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).not.toBe('verified');
    expect(errorText(run)).toContain('models/m/a.riva');
  });

  it('promote refuses it, writing no marker in the target environment', async () => {
    await stageThenReplaceSameSize();

    const run = await act({ mode: 'promote', 'from-environment': 'dev', environment: 'prod' });

    expect(run.exitCode).toBe(1);
    expect(errorText(run)).toContain('models/m/a.riva');
    expect(await exists(`${stagingArea('prod')}staging_complete.txt`)).toBe(false);
  });
});

describe('nothing outside the metadata remains under a staging prefix', () => {
  it('force re-staging from an archive that dropped a file removes the dropped file', async () => {
    expect((await act({ mode: 'full' })).exitCode).toBe(0);
    expect(await exists(`${PREFIX}models/m/b.riva`)).toBe(true);
    const archiveB = await makeModelArchive({ 'm/a.riva': 300_000 });
    await replaceArchive(archiveB.bytes);

    const run = await act({ mode: 'full', force: 'true' });

    expect(errorText(run)).toBe('');
    expect(run.exitCode).toBe(0);
    expect(await exists(`${PREFIX}models/m/b.riva`)).toBe(false);
    expect((await bytesOf(`${PREFIX}models/m/a.riva`)).equals(archiveB.files['m/a.riva']!)).toBe(true);
    expect(await unaccountedObjects(PREFIX)).toEqual([]);
  });

  it('continuing after a failed run of another archive keeps none of its files', async () => {
    s3.proxy.inject({ matches: uploadsTo('b.riva'), action: { kind: 'error', status: 500, code: 'InternalError' }, times: 1000 });
    const failed = await act({ mode: 'full', 'max-attempts': '1' });
    expect(failed.exitCode).toBe(1);
    // The failed run left archive A's first file behind, and no marker.
    expect(await exists(`${PREFIX}models/m/a.riva`)).toBe(true);
    expect(await exists(`${PREFIX}staging_complete.txt`)).toBe(false);
    await replaceArchive((await makeModelArchive({ 'n/c.riva': 300_000, 'n/d.riva': 4096 })).bytes);
    await s3.restartProxy();

    const run = await act({ mode: 'full' });

    expect(errorText(run)).toBe('');
    expect(run.exitCode).toBe(0);
    const left = await keysUnder(PREFIX);
    expect(left).toContain(`${PREFIX}models/n/c.riva`);
    expect(left).not.toContain(`${PREFIX}models/m/a.riva`);
    expect(left).not.toContain(`${PREFIX}models/m/b.riva`);
    expect(await unaccountedObjects(PREFIX)).toEqual([]);
  });
});

describe('archive entries are unique', () => {
  it('rejects an archive holding both a.riva and ./a.riva, naming both, with no marker and no metadata', async () => {
    const archive = makeRawArchive([
      { path: 'a.riva', content: randomBytes(4096) },
      { path: './a.riva', content: randomBytes(4096) },
    ]);
    expect(tarEntryNames(archive)).toEqual(['a.riva', './a.riva']);
    await replaceArchive(archive);

    const run = await act({ mode: 'full' });

    expect(run.exitCode).toBe(1);
    const message = errorText(run);
    expect(message).toContain('./a.riva');
    // `a.riva` on its own too, not only as the tail of `./a.riva`.
    expect(message).toMatch(/(^|[^./])a\.riva/);
    expect(await exists(`${PREFIX}staging_complete.txt`)).toBe(false);
    expect(await exists(`${PREFIX}artifact.json`)).toBe(false);
  });
});

describe('verify checks what a document is of, not only that it is valid', () => {
  it('fails when the document (and its marker) describe another version', async () => {
    expect((await act({ 'model-version': '1.0' })).exitCode).toBe(0);
    expect((await act({ 'model-version': '2.0' })).exitCode).toBe(0);
    const other = await s3.target.getText(s3.tree.bucket, `${bintarballFolder('2.0')}deployment.json`);
    await s3.target.putObject(s3.tree.bucket, `${bintarballFolder('1.0')}deployment.json`, other);
    const markerKey = `${bintarballFolder('1.0')}deployment_ready.txt`;
    const marker = await s3.target.getText(s3.tree.bucket, markerKey);
    const rewritten = marker.replace(/^metadata_sha256=.*$/m, `metadata_sha256=${sha256(other)}`);
    expect(rewritten).not.toBe(marker);
    await s3.target.putObject(s3.tree.bucket, markerKey, rewritten);

    const run = await act({ mode: 'verify', 'model-version': '1.0' });

    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).not.toBe('verified');
    expect(errorText(run)).toMatch(/version/i);
    expect(errorText(run)).toContain('2.0');
  });

  it('asks for deployment-json-uri when the version is staged in both layouts, and verifies the one named', async () => {
    const bintarball = await act({ mode: 'bintarball-reference' });
    const referenceOnly = await act({ mode: 'reference-only' });
    expect(bintarball.exitCode).toBe(0);
    expect(referenceOnly.exitCode).toBe(0);
    const documents = [`s3://${s3.tree.bucket}/${bintarballFolder()}deployment.json`, `s3://${s3.tree.bucket}/${PREFIX}artifact.json`];
    expect([bintarball.outputs['deployment-json-uri'], referenceOnly.outputs['deployment-json-uri']]).toEqual(documents);

    const ambiguous = await act({ mode: 'verify' });

    expect(ambiguous.exitCode).toBe(1);
    expect(ambiguous.outputs.status).not.toBe('verified');
    for (const document of documents) expect(errorText(ambiguous)).toContain(document);
    expect(errorText(ambiguous)).toContain('deployment-json-uri');

    const named = await act({ mode: 'verify', 'deployment-json-uri': documents[1]! });

    expect(errorText(named)).toBe('');
    expect(named.exitCode).toBe(0);
    expect(named.outputs.status).toBe('verified');
    expect(named.outputs['deployment-json-uri']).toBe(documents[1]);
  });
});

describe('metadata schema v2 pins every object to the ETag the server reports', () => {
  it('full mode: every file and the archive copy carry the server\'s ETag', async () => {
    const run = await act({ mode: 'full' });
    expect(errorText(run)).toBe('');
    expect(run.exitCode).toBe(0);
    const etags = await etagsUnder(PREFIX);

    const metadata = await readMetadata(`${PREFIX}artifact.json`);

    expect(metadata.schema_version).toBe(2);
    expect(metadata.files.map((file) => file.path)).toEqual(['models/m/a.riva', 'models/m/b.riva']);
    for (const file of metadata.files) {
      const etag = etags.get(`${PREFIX}${file.path}`);
      expect(etag, file.path).toBeTruthy();
      expect(file.etag, file.path).toBe(etag);
    }
    expect(metadata.source_copy).toEqual({
      path: SOURCE_COPY,
      uri: `s3://${s3.tree.bucket}/${PREFIX}${SOURCE_COPY}`,
      size_bytes: s3.tree.archive.bytes.length,
      etag: etags.get(`${PREFIX}${SOURCE_COPY}`),
      sha256: sha256(s3.tree.archive.bytes),
    });
    expect(etags.get(`${PREFIX}${SOURCE_COPY}`)).toBeTruthy();
  });

  it.each(['bintarball-reference', 'reference-only'])('%s: schema v2 with source_copy null', async (mode) => {
    const run = await act({ mode });
    expect(errorText(run)).toBe('');
    expect(run.exitCode).toBe(0);

    const metadata = await readMetadata(keyOf(run.outputs['deployment-json-uri']));

    expect(metadata.schema_version).toBe(2);
    expect(metadata.source_copy).toBeNull();
    expect(metadata.files).toEqual([]);
  });
});
