import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { commandData, runAction } from '../helpers/action-runner.ts';
import { ARCHIVE_NAME, MODEL_NAME, MODEL_VERSION, credentialsEnv, stagingInputs } from '../helpers/bintarball.ts';
import { CLI_ENTRY, runCli, type CliRun } from '../helpers/cli-runner.ts';
import { makeModelArchive } from '../helpers/fixtures.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

const MIB = 1024 * 1024;
const STAGING = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const BIG_FILE = 'm/acoustic.riva';
/** Larger than one 8 MiB part: the archive and its big file are fetched in several ranged GETs. */
const BIG_FILE_BYTES = 20 * MIB;

const s3 = useStagingFixture(() => makeModelArchive({ [BIG_FILE]: BIG_FILE_BYTES, 'm/lexicon.riva': 4096, 'README.txt': 10 }));

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

const stage = async (inputs: Record<string, string>) => {
  const run = await runAction({
    inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, { 'expected-sha256': sha256(s3.tree.archive.bytes), ...inputs }),
    env: credentialsEnv(s3.target),
  });
  expect(run.errors).toEqual([]);
  return run;
};

const fetchAction = (inputs: Record<string, string>) =>
  runAction({ inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, { mode: 'fetch', ...inputs }), env: credentialsEnv(s3.target) });

/** The command line's environment for the fixture's staging (as a deploy job would export it). */
function cliEnv(): Record<string, string> {
  return {
    ...credentialsEnv(s3.target),
    NVIDIA_DRIVERS_S3_BUCKET: s3.tree.bucket,
    RIVA_ASR_MODEL_S3_URI: s3.tree.modelUri,
    RIVA_ASR_MODEL_NAME: MODEL_NAME,
    MODEL_VERSION,
    ENV: 'dev',
    AWS_REGION: s3.target.region,
    AWS_ENDPOINT_URL_S3: s3.proxy.endpoint,
  };
}

const newDirectory = () => mkdtempSync(join(tmpdir(), 'riva-fetched-'));

function filesIn(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)))
    .sort();
}

interface Manifest {
  readonly complete: boolean;
  readonly metadata_sha256: string;
  readonly files: ReadonlyArray<{ path: string; size_bytes: number; sha256: string }>;
}

const manifestIn = (directory: string) => JSON.parse(readFileSync(join(directory, 'fetch-manifest.json'), 'utf8')) as Manifest;

/** Nothing partial, and every file but the manifest listed in it with its true size and hash. */
function expectOnlyListedWholeFiles(directory: string): Manifest | undefined {
  const files = filesIn(directory);
  expect(files.filter((path) => path.includes('riva-fetch-partial'))).toEqual([]);
  if (!files.includes('fetch-manifest.json')) {
    expect(files).toEqual([]);
    return undefined;
  }
  const manifest = manifestIn(directory);
  expect(manifest.files.map((file) => file.path).sort()).toEqual(files.filter((path) => path !== 'fetch-manifest.json'));
  for (const file of manifest.files) {
    const bytes = readFileSync(join(directory, file.path));
    expect([file.path, bytes.length, sha256(bytes)]).toEqual([file.path, file.size_bytes, file.sha256]);
  }
  return manifest;
}

/** The ranged GETs that read staged bytes (not the documents), as the proxy saw them. */
const rangedReads = () => s3.proxy.requests.filter((request) => request.method === 'GET' && request.range !== undefined && !request.path.endsWith('.txt'));

describe('fetch', () => {
  it('fetches a full staging through the action, every part pinned with If-Match, proven by its hash', async () => {
    const staged = await stage({ mode: 'full' });
    const directory = newDirectory();
    s3.proxy.requests.length = 0;

    const run = await fetchAction({ destination: directory, 'deployment-json-sha256': staged.outputs['deployment-json-sha256'] ?? '' });

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(filesIn(directory)).toEqual(['artifact.json', 'fetch-manifest.json', 'models/m/acoustic.riva', 'models/m/lexicon.riva', `source/${ARCHIVE_NAME}`]);
    expect(sha256(readFileSync(join(directory, 'source', ARCHIVE_NAME)))).toBe(sha256(s3.tree.archive.bytes));
    expect(sha256(readFileSync(join(directory, 'models', BIG_FILE)))).toBe(sha256(s3.tree.archive.files[BIG_FILE]!));
    expect(sha256(readFileSync(join(directory, 'artifact.json')))).toBe(staged.outputs['deployment-json-sha256']);
    expect(expectOnlyListedWholeFiles(directory)?.complete).toBe(true);
    expect(run.outputs).toMatchObject({
      status: 'fetched',
      'fetch-directory': directory,
      'manifest-path': join(directory, 'fetch-manifest.json'),
      'deployment-json-sha256': staged.outputs['deployment-json-sha256'],
    });
    const reads = rangedReads();
    // 20 MiB in 8 MiB parts, twice (archive copy and big file), plus the small file.
    expect(reads.length).toBeGreaterThanOrEqual(7);
    expect(reads.every((read) => read.ifMatch !== undefined && /^"?[0-9a-f-]+"?$/.test(read.ifMatch))).toBe(true);
    expect(s3.proxy.writes()).toEqual([]);
    expect(run.summary).toContain('Riva staging fetched');
  });

  it.each(['bintarball-reference', 'reference-only'])('fetches the archive a %s staging references, and extracts its .riva files on the command line', async (mode) => {
    await stage({ mode });
    const directory = newDirectory();

    const run = await runCli(['--fetch', `--to=${directory}`, '--extract', '--json'], cliEnv());

    expect(run.stderr).not.toContain('riva-130-stage:');
    expect(run.exitCode).toBe(0);
    expect(sha256(readFileSync(join(directory, 'source', ARCHIVE_NAME)))).toBe(sha256(s3.tree.archive.bytes));
    expect(sha256(readFileSync(join(directory, 'models', BIG_FILE)))).toBe(sha256(s3.tree.archive.files[BIG_FILE]!));
    expect(sha256(readFileSync(join(directory, 'models', 'm', 'lexicon.riva')))).toBe(sha256(s3.tree.archive.files['m/lexicon.riva']!));
    expect(existsSync(join(directory, 'models', 'README.txt'))).toBe(false);
    expectOnlyListedWholeFiles(directory);
    const outputs = JSON.parse(run.stdout) as Record<string, string>;
    expect(outputs['manifest-path']).toBe(join(directory, 'fetch-manifest.json'));
  });

  it('refuses a staged object replaced after staging with one of the same size, by its pinned ETag', async () => {
    await stage({ mode: 'full' });
    const directory = newDirectory();
    const key = `${STAGING}models/m/lexicon.riva`;
    // The object changes after the staging was checked (HEAD), just before its bytes are read.
    s3.proxy.inject({
      matches: (request) => request.method === 'GET' && request.path.endsWith(`/${key}`) && request.range !== undefined,
      action: { kind: 'hold', until: () => s3.target.putObject(s3.tree.bucket, key, randomBytes(4096)) },
      times: 1,
    });

    const run = await fetchAction({ destination: directory });

    expect(run.exitCode).toBe(1);
    const message = commandData(run.errors.join('\n'));
    expect(message).toContain(`s3://${s3.tree.bucket}/${key} (the staged file models/m/lexicon.riva) is not the object the metadata pins`);
    expect(existsSync(join(directory, 'models', 'm', 'lexicon.riva'))).toBe(false);
    expectOnlyListedWholeFiles(directory);
  });

  it('refuses a metadata document that is not the expected deployment-json-sha256, downloading nothing', async () => {
    await stage({ mode: 'reference-only' });
    const directory = newDirectory();
    s3.proxy.requests.length = 0;

    const run = await runCli(['--fetch', `--to=${directory}`], { ...cliEnv(), RIVA_DEPLOYMENT_JSON_SHA256: 'f'.repeat(64) });

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`not the ${'f'.repeat(64)} that \`--deployment-json-sha256\` (RIVA_DEPLOYMENT_JSON_SHA256) expects`);
    expect(rangedReads()).toEqual([]);
    expect(filesIn(directory)).toEqual([]);
  });

  it('refuses a staging whose completion marker is gone', async () => {
    await stage({ mode: 'reference-only' });
    const directory = newDirectory();
    await s3.target.client.send(new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({ Bucket: s3.tree.bucket, Key: `${STAGING}staging_complete.txt` }));

    const run = await fetchAction({ destination: directory });

    expect(run.exitCode).toBe(1);
    expect(commandData(run.errors.join('\n'))).toContain(`completion marker s3://${s3.tree.bucket}/${STAGING}staging_complete.txt: expected present`);
    expect(filesIn(directory)).toEqual([]);
  });

  it('continues after a killed run: proven files are kept, a partial file resumes from its last byte', async () => {
    await stage({ mode: 'full' });
    const directory = newDirectory();
    // Every part after the first goes silent: the first 8 MiB of the archive land, then the run hangs and is killed.
    s3.proxy.inject({
      matches: (request) => request.method === 'GET' && request.range !== undefined && !/^bytes=0-/.test(request.range),
      action: { kind: 'stall-response', afterBytes: 0 },
      times: 1000,
    });
    const partial = join(directory, 'source', `${ARCHIVE_NAME}.riva-fetch-partial`);

    const killed = await runCliUntil(['--fetch', `--to=${directory}`], cliEnv(), () => existsSync(partial) && statSync(partial).size >= 8 * MIB, 'SIGKILL');

    expect(killed.signal).toBe('SIGKILL');
    expect(statSync(partial).size).toBe(8 * MIB);
    await s3.restartProxy();
    s3.proxy.requests.length = 0;

    const run = await runCli(['--fetch', `--to=${directory}`, '--json'], { ...cliEnv(), AWS_ENDPOINT_URL_S3: s3.proxy.endpoint });

    expect(run.stderr).not.toContain('riva-130-stage:');
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain(`Continuing the archive copy from byte ${8 * MIB}`);
    const files = (JSON.parse(run.stdout) as { files: Array<{ path: string; how: string }> }).files;
    expect(files.find((file) => file.path === `source/${ARCHIVE_NAME}`)?.how).toBe('resumed');
    expect(sha256(readFileSync(join(directory, 'source', ARCHIVE_NAME)))).toBe(sha256(s3.tree.archive.bytes));
    // The archive's first 8 MiB were not fetched again.
    expect(rangedReads().filter((read) => read.path.endsWith(ARCHIVE_NAME) && read.range?.startsWith('bytes=0-'))).toEqual([]);
    expect(expectOnlyListedWholeFiles(directory)?.complete).toBe(true);
  });

  it('a cancelled fetch (SIGTERM) leaves no partly written file', async () => {
    await stage({ mode: 'full' });
    const directory = newDirectory();
    s3.proxy.inject({
      matches: (request) => request.method === 'GET' && request.range !== undefined && !/^bytes=0-/.test(request.range),
      action: { kind: 'stall-response', afterBytes: 0 },
      times: 1000,
    });
    const partial = join(directory, 'source', `${ARCHIVE_NAME}.riva-fetch-partial`);

    const cancelled = await runCliUntil(['--fetch', `--to=${directory}`], cliEnv(), () => existsSync(partial) && statSync(partial).size >= 8 * MIB, 'SIGTERM');

    expect(cancelled.exitCode).toBe(130);
    expect(cancelled.stderr).toContain('download phase');
    // The line says what a fetch cleaned up, not what a staging would have (uploads, a marker).
    const said = cancelled.stderr.split('\n').filter((line) => line.startsWith('riva-130-stage: ')).join('\n');
    expect(said).toContain('It removed its partly written files');
    expect(said).not.toMatch(/multipart|completion marker/);
    expectOnlyListedWholeFiles(directory);
    expect(existsSync(partial)).toBe(false);
  });
});

/** Runs the command line until `ready` holds, then sends `signal`; resolves when the process has ended. */
async function runCliUntil(
  args: string[],
  env: Record<string, string>,
  ready: () => boolean,
  signal: NodeJS.Signals,
): Promise<CliRun & { signal: NodeJS.Signals | null }> {
  const home = mkdtempSync(join(tmpdir(), 'riva-cli-'));
  const child = spawn(CLI_ENTRY, args, {
    cwd: home,
    env: { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, how) => resolve({ code, signal: how })));
  let finished = false;
  void ended.then(() => (finished = true));
  while (!finished && !ready()) await sleep(50);
  if (!finished) child.kill(signal);
  const { code, signal: how } = await ended;
  return { exitCode: code, signal: how, stdout, stderr };
}
