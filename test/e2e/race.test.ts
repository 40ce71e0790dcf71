import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { commandData, runAction, type ActionRun, type ActionRunOptions } from '../helpers/action-runner.ts';
import { MODEL_NAME, credentialsEnv, stagingInputs } from '../helpers/bintarball.ts';
import { ARCHIVE_NAME, makeModelArchive, type ModelArchive } from '../helpers/fixtures.ts';
import type { Fault, RecordedRequest } from '../helpers/s3-proxy.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

/**
 * One writer per staging (SPEC §9.3, issue 14): runs that race for one version, a holder killed
 * and re-attempted, a holder stopped past its lease's TTL. The lease rests on `If-None-Match: *`,
 * so the rounds need a server that enforces it (Ceph RGW under `npm run test:rgw`); on the
 * embedded server the run must say that it cannot exclude another run.
 */

/** Set when the suite talks to an external server (Ceph RGW in CI); the embedded one ignores If-None-Match. */
const EXTERNAL_SERVER = (process.env.RIVA_TEST_S3_ENDPOINT ?? '') !== '';
const NOT_EXCLUDED =
  'needs a server that enforces If-None-Match (Ceph RGW: npm run test:rgw); the embedded server ignores it, ' +
  'so the lease cannot exclude concurrent runs there';
const RACE_ROUNDS = 20;
/** The archives are small: a round is two process starts and a handful of requests. */
const SMALL_ARCHIVE = { 'm/a.riva': 64 * 1024, 'm/b.riva': 64 * 1024, 'README.txt': 20 };
/** The log line of a run on a server that ignores If-None-Match. */
const NO_EXCLUSION_WARNING = /ignores If-None-Match.*cannot exclude another run/;
/** Why the loser of a race is refused: the winner's live lease, or the winner's complete staging of another source. */
const REFUSALS = {
  'lease held': /Another run is staging s3:\/\/\S+ now: .* holds s3:\/\/\S+staging_lease\.json/,
  'lost the lease race': /Another run took s3:\/\/\S+staging_lease\.json at the same moment/,
  'found the winner\'s staging': /already marks a complete staging of a different source/,
} as const;
/** The documents of a full staging, which its metadata does not list as staged objects. */
const STAGING_DOCUMENTS = ['artifact.json', 'staging_complete.txt', 'checksums.sha256'];

const s3 = useStagingFixture(() => makeModelArchive(SMALL_ARCHIVE));

/** A model archive in the bucket, and the ETag the server gave it. */
interface Source {
  readonly name: string;
  readonly uri: string;
  readonly etag: string;
  readonly archive: ModelArchive;
}

/** The fields of a metadata document these tests read. */
interface StoredMetadata {
  readonly source: { readonly uri: string; readonly etag: string; readonly size_bytes: number };
  readonly source_copy: { readonly path: string } | null;
  readonly files: ReadonlyArray<{ readonly path: string; readonly etag: string }>;
}

/** A step started but not yet finished: its process, and its result once it exits. */
interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<ActionRun>;
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const stagingArea = (version: string) => `dev/${MODEL_NAME}/${version}/`;
const errorText = (run: ActionRun) => run.errors.map(commandData).join('\n');
const exists = (key: string) => s3.target.exists(s3.tree.bucket, key);
const readMetadata = async (prefix: string) => JSON.parse(await s3.target.getText(s3.tree.bucket, `${prefix}artifact.json`)) as StoredMetadata;
const uploadsTo = (name: string) => (request: RecordedRequest) => request.method === 'PUT' && request.path.endsWith(`/models/m/${name}`);
/** An upload that the S3 server keeps answering with 503 SlowDown: the run retries it with backoff, holding its lease. */
const throttledUploadsOf = (name: string): Fault => ({ matches: uploadsTo(name), action: { kind: 'error', status: 503, code: 'SlowDown' }, times: 1000 });

/** The child's exit and its output's tail, for failure messages. */
function transcript(label: string, run: ActionRun): string {
  const tail = (text: string) => (text.length > 6000 ? `…${text.slice(-6000)}` : text);
  return `${label}: exit ${run.exitCode}\n--- stdout ---\n${tail(run.stdout)}\n--- stderr ---\n${tail(run.stderr)}`;
}

/** Puts an archive into the bucket under its own folder (same file name: both sources' copies land on one key). */
async function putSource(name: string, archive: ModelArchive): Promise<Source> {
  const key = `bintarball/riva-models/${name}/${ARCHIVE_NAME}`;
  await s3.target.putObject(s3.tree.bucket, key, archive.bytes);
  const etag = (await s3.target.listObjects(s3.tree.bucket)).find((object) => object.key === key)?.etag ?? '';
  return { name, uri: `s3://${s3.tree.bucket}/${key}`, etag, archive };
}

/** The fixture's own archive as a source. */
async function fixtureSource(): Promise<Source> {
  const uri = s3.tree.modelUri;
  const key = uri.replace(`s3://${s3.tree.bucket}/`, '');
  const etag = (await s3.target.listObjects(s3.tree.bucket)).find((object) => object.key === key)?.etag ?? '';
  return { name: 'fixture archive', uri, etag, archive: s3.tree.archive };
}

interface StepOptions {
  readonly source: Source;
  readonly version: string;
  /** The S3 endpoint the step talks to: the server itself, or the fixture's proxy. */
  readonly endpoint: string;
  readonly inputs?: Record<string, string>;
  /** The workflow run (GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT) and the lease's TTL live here. */
  readonly env?: Record<string, string>;
}

function stepOptions(options: StepOptions): ActionRunOptions {
  return {
    inputs: stagingInputs(s3.target, options.endpoint, s3.tree, {
      mode: 'full',
      'model-s3-uri': options.source.uri,
      'model-version': options.version,
      ...options.inputs,
    }),
    env: { ...credentialsEnv(s3.target), ...options.env },
  };
}

const runStep = (options: StepOptions) => runAction(stepOptions(options));

/** Starts a step and hands back its process (runAction spawns it before its first await). */
function startStep(options: StepOptions): Running {
  let child: ChildProcess | undefined;
  const done = runAction({ ...stepOptions(options), onStart: (started) => (child = started) });
  if (child === undefined) throw new Error('the step did not start');
  return { child, done };
}

/** Makes sure a started step is gone, whatever the test did to it (stopped, or still running). */
async function endStep(running: Running | undefined): Promise<void> {
  if (running === undefined) return;
  if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
  await running.done.catch(() => undefined);
}

/** Polls until `condition` holds while the step runs; fails with the step's output when it ends first or 30 s pass. */
async function waitWhileRunning(running: Running, what: string, condition: () => Promise<boolean>): Promise<void> {
  let exited: ActionRun | undefined;
  void running.done.then((run) => (exited = run)).catch(() => undefined);
  for (const started = Date.now(); !(await condition()); await sleep(100)) {
    if (exited !== undefined) throw new Error(transcript(`The step exited before ${what}`, exited));
    if (Date.now() - started > 30_000) {
      running.child.kill('SIGKILL');
      throw new Error(transcript(`No ${what} within 30 s (step killed)`, await running.done));
    }
  }
}

/** The run holds its lease and has staged models/m/a.riva (its in-progress record says so). */
async function holdsLeaseAndStagedA(prefix: string): Promise<boolean> {
  const record = `${prefix}staging_in_progress.json`;
  return (await exists(`${prefix}staging_lease.json`)) && (await exists(record)) && (await s3.target.getText(s3.tree.bucket, record)).includes('models/m/a.riva');
}

/** Keys under the prefix that are neither a document nor an object the metadata lists (run records included). */
async function unlistedObjects(prefix: string): Promise<string[]> {
  const metadata = await readMetadata(prefix);
  const listed = new Set([...STAGING_DOCUMENTS, ...metadata.files.map((file) => file.path), ...(metadata.source_copy ? [metadata.source_copy.path] : [])]);
  return (await s3.target.listObjects(s3.tree.bucket))
    .map((object) => object.key)
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length))
    .filter((relative) => !listed.has(relative));
}

/** The staging's documents and every object in the bucket with its ETag. */
async function snapshot(prefix: string) {
  return {
    metadata: await s3.target.getText(s3.tree.bucket, `${prefix}artifact.json`),
    marker: await s3.target.getText(s3.tree.bucket, `${prefix}staging_complete.txt`),
    objects: Object.fromEntries((await s3.target.listObjects(s3.tree.bucket)).map((object) => [object.key, object.etag])),
  };
}

/**
 * What a complete staging of `source` at `version` must be: a deep verify passes, the metadata
 * records this source, the staged `.riva` files are its bytes, nothing else lies under the
 * prefix (no lease, no in-progress record, no other run's file).
 */
async function expectCompleteStagingOf(source: Source, version: string, context: string): Promise<void> {
  const prefix = stagingArea(version);
  const verified = await runStep({ source, version, endpoint: s3.target.endpoint, inputs: { mode: 'verify', deep: 'true' } });
  const explained = `${context}\n\n${transcript('deep verify', verified)}`;
  expect(verified.exitCode, explained).toBe(0);
  expect(verified.outputs.status, explained).toBe('verified');
  const metadata = await readMetadata(prefix);
  expect(metadata.source.uri, context).toBe(source.uri);
  expect(metadata.source.etag, context).toBe(source.etag);
  for (const [path, bytes] of Object.entries(source.archive.files).filter(([path]) => path.endsWith('.riva'))) {
    expect((await s3.target.getBytes(s3.tree.bucket, `${prefix}models/${path}`)).equals(bytes), `${context}\nmodels/${path} holds other bytes`).toBe(true);
  }
  expect(await unlistedObjects(prefix), context).toEqual([]);
}

/** The one reason among REFUSALS that the loser's error gives. */
function refusalOf(loser: ActionRun): string | undefined {
  const text = errorText(loser);
  return Object.entries(REFUSALS).find(([, pattern]) => pattern.test(text))?.[0];
}

describe('the staging lease on this server', () => {
  it('a staging run says in its log whether the lease can exclude another run (it cannot on the embedded server)', async () => {
    const run = await runStep({ source: await fixtureSource(), version: 'v1', endpoint: s3.proxy.endpoint });

    expect(run.exitCode, transcript('staging', run)).toBe(0);
    if (await s3.target.supportsConditionalWrites()) {
      expect(run.stdout, transcript('staging', run)).not.toMatch(NO_EXCLUSION_WARNING);
    } else {
      expect(run.stdout, transcript('staging', run)).toMatch(NO_EXCLUSION_WARNING);
    }
  });
});

describe(`racing runs (${EXTERNAL_SERVER ? 'on the external server' : `skipped: ${NOT_EXCLUDED}`})`, () => {
  const requireConditionalWrites = async (skip: (note: string) => never) => {
    if (!(await s3.target.supportsConditionalWrites())) skip(`${s3.target.endpoint} ${NOT_EXCLUDED}`);
  };

  it.skipIf(!EXTERNAL_SERVER)(
    `${RACE_ROUNDS} rounds of two runs of different archives to one version: exactly one stages, the other is refused, the staging is the winner's`,
    async (context) => {
      await requireConditionalWrites((note) => context.skip(note));
      const sources = [await putSource('parakeet-a', await makeModelArchive(SMALL_ARCHIVE)), await putSource('parakeet-b', await makeModelArchive(SMALL_ARCHIVE))];
      expect(sources[0]!.etag).not.toBe(sources[1]!.etag);
      const refusals: Record<string, number> = {};
      const wins: Record<string, number> = {};

      for (let round = 1; round <= RACE_ROUNDS; round += 1) {
        const version = `race-${String(round).padStart(2, '0')}`;
        // Alternate which one is spawned first, so neither has the head start every round.
        const contenders = round % 2 === 0 ? [...sources].reverse() : sources;
        const runs = await Promise.all(
          contenders.map((source, index) =>
            runStep({ source, version, endpoint: s3.target.endpoint, env: { GITHUB_RUN_ID: String(10_000 + round * 10 + index), GITHUB_RUN_ATTEMPT: '1' } }),
          ),
        );
        const described = runs.map((run, index) => transcript(`round ${round}, run of ${contenders[index]!.name}`, run)).join('\n\n');

        expect(runs.map((run) => run.exitCode).sort(), described).toEqual([0, 1]);
        const winnerIndex = runs.findIndex((run) => run.exitCode === 0);
        const winner = runs[winnerIndex]!;
        const loser = runs[1 - winnerIndex]!;
        expect(winner.outputs.status, described).toBe('staged');
        expect(winner.stdout, described).not.toMatch(NO_EXCLUSION_WARNING);
        const refusal = refusalOf(loser);
        expect(refusal, `the loser's error is none of the refusals expected\n\n${described}`).toBeDefined();
        await expectCompleteStagingOf(contenders[winnerIndex]!, version, described);

        refusals[refusal!] = (refusals[refusal!] ?? 0) + 1;
        wins[contenders[winnerIndex]!.name] = (wins[contenders[winnerIndex]!.name] ?? 0) + 1;
      }
      console.log(`race rounds: winners ${JSON.stringify(wins)}; the loser ${JSON.stringify(refusals)}`);
    },
    240_000,
  );

  it.skipIf(!EXTERNAL_SERVER)(
    'SIGKILL: the holder is killed mid-staging; another workflow run is refused, a later attempt of the same run takes over at once and completes',
    async (context) => {
      await requireConditionalWrites((note) => context.skip(note));
      const source = await fixtureSource();
      const version = 'killed';
      const prefix = stagingArea(version);
      const workflowRun = { GITHUB_RUN_ID: '20001' };
      let first: Running | undefined;
      try {
        // models/m/b.riva is throttled again and again: the run stays busy, holding its lease.
        s3.proxy.inject(throttledUploadsOf('b.riva'));
        first = startStep({ source, version, endpoint: s3.proxy.endpoint, inputs: { 'max-attempts': '20' }, env: { ...workflowRun, GITHUB_RUN_ATTEMPT: '1' } });
        await waitWhileRunning(first, 'lease with models/m/a.riva staged', () => holdsLeaseAndStagedA(prefix));
        first.child.kill('SIGKILL');
        const killed = await first.done;
        expect(killed.exitCode, transcript('killed attempt', killed)).toBeNull();
        expect(await exists(`${prefix}staging_lease.json`)).toBe(true);
        expect(await exists(`${prefix}staging_complete.txt`)).toBe(false);

        // The lease is live (default TTL 120 s): another workflow run may not write.
        const other = await runStep({ source, version, endpoint: s3.target.endpoint, env: { GITHUB_RUN_ID: '20002', GITHUB_RUN_ATTEMPT: '1' } });
        expect(other.exitCode, transcript('another workflow run', other)).toBe(1);
        expect(refusalOf(other), transcript('another workflow run', other)).toBe('lease held');

        const startedAt = Date.now();
        const retried = await runStep({ source, version, endpoint: s3.target.endpoint, env: { ...workflowRun, GITHUB_RUN_ATTEMPT: '2' } });
        const explained = transcript('attempt 2', retried);
        expect(retried.exitCode, explained).toBe(0);
        expect(retried.outputs.status, explained).toBe('staged');
        expect(retried.stdout, explained).toMatch(/Took over s3:\/\/\S+staging_lease\.json from .*: an earlier attempt of this workflow run/);
        // At once: not after the killed attempt's lease expired.
        expect(Date.now() - startedAt, explained).toBeLessThan(60_000);
        // Continuation still works under the lease: the killed attempt's file is kept.
        expect(retried.stdout, explained).toContain('Reused models/m/a.riva');
        await expectCompleteStagingOf(source, version, explained);
      } finally {
        await endStep(first);
      }
    },
    120_000,
  );

  it.skipIf(!EXTERNAL_SERVER)(
    'SIGSTOP: the holder stopped past its TTL loses the lease to another run that completes; resumed, it fails and the staging is unchanged',
    async (context) => {
      await requireConditionalWrites((note) => context.skip(note));
      const ttlSeconds = 10;
      const sourceA = await fixtureSource();
      const sourceB = await putSource('parakeet-other', await makeModelArchive(SMALL_ARCHIVE));
      const version = 'stopped';
      const prefix = stagingArea(version);
      const lease = { RIVA_STAGE_LEASE_TTL: String(ttlSeconds) };
      const throttled = throttledUploadsOf('b.riva');
      let runA: Running | undefined;
      try {
        s3.proxy.inject(throttled);
        runA = startStep({ source: sourceA, version, endpoint: s3.proxy.endpoint, inputs: { 'max-attempts': '20' }, env: { ...lease, GITHUB_RUN_ID: '30001' } });
        await waitWhileRunning(runA, 'lease with models/m/a.riva staged', () => holdsLeaseAndStagedA(prefix));
        runA.child.kill('SIGSTOP');
        // A refreshed its lease at the latest when it stopped: wait past the TTL (whole seconds on the server's clock).
        await sleep(ttlSeconds * 1000 + 2500);

        const runB = await runStep({ source: sourceB, version, endpoint: s3.target.endpoint, env: { ...lease, GITHUB_RUN_ID: '30002' } });
        const explainedB = transcript('run B', runB);
        expect(runB.exitCode, explainedB).toBe(0);
        expect(runB.outputs.status, explainedB).toBe('staged');
        expect(runB.stdout, explainedB).toMatch(/Took over s3:\/\/\S+staging_lease\.json from .*: its lease had expired/);
        await expectCompleteStagingOf(sourceB, version, explainedB);
        const before = await snapshot(prefix);

        // The server answers A's uploads again: only the lost lease may now keep A from writing.
        throttled.times = 0;
        runA.child.kill('SIGCONT');
        const resumed = await runA.done;
        // Whatever A still had on the wire has reached the server once its proxy is closed.
        await s3.restartProxy();
        // A single-part upload's ETag is its MD5: says whose bytes a changed object holds.
        const whose = ['m/a.riva', 'm/b.riva']
          .map((path) => `models/${path}: A's bytes have ETag ${md5(sourceA.archive.files[path]!)}, B's ${md5(sourceB.archive.files[path]!)}`)
          .join('\n');
        const explained = `${whose}\n\n${transcript('run A, resumed', resumed)}\n\n${explainedB}`;
        expect(resumed.exitCode, explained).toBe(1);
        expect(errorText(resumed), explained).toContain('lost its lease');
        expect(await snapshot(prefix), explained).toEqual(before);
        await expectCompleteStagingOf(sourceB, version, explained);
      } finally {
        await endStep(runA);
      }
    },
    120_000,
  );
});
