import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { commandData, runAction, type ActionRun } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, stagingInputs } from '../helpers/bintarball.ts';
import { CLI_ENTRY, type CliRun } from '../helpers/cli-runner.ts';
import { MODEL_KEY, makeModelArchive } from '../helpers/fixtures.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

/**
 * SPEC §9 rule 4, cancellation: what a runner does to a cancelled job (SIGINT, SIGTERM 7.5 s
 * later, SIGKILL at 10 s), done to a full-mode staging with an upload in progress, through the
 * built bundle. The outcome is what counts: exit 130 before SIGTERM would have been sent, one
 * line saying it was cancelled and where, no open upload, no lease record, no marker, and a state
 * file that says `cancelled`.
 */
const PREFIX = `dev/${MODEL_NAME}/${MODEL_VERSION}/`;
const MIB = 1024 * 1024;
const BIG_FILE = 'm/acoustic.riva';
/** When a runner follows SIGINT with SIGTERM, and then with SIGKILL. */
const SIGTERM_AFTER_MS = 7500;
const SIGKILL_AFTER_MS = 10_000;

// Random bytes do not compress: the archive is ~24 MiB, and its first 8 MiB part of m/acoustic.riva
// goes up (a multipart upload opens) long before the download stalls at 14 MiB.
const s3 = useStagingFixture(() => makeModelArchive({ [BIG_FILE]: 24 * MIB, 'm/lexicon.riva': 4096 }));
const STALL_AFTER_BYTES = 14 * MIB;

let shaping: ShapingProxy | undefined;
afterEach(async () => {
  await shaping?.stop();
  shaping = undefined;
});

/**
 * The endpoint a cancelled run talks to: the archive's download goes silent part-way, its
 * connection kept open, so the run sits mid-upload; with `holdAborts`, the run's
 * AbortMultipartUpload of the big file is never answered either.
 */
async function stallingEndpoint(options: { holdAborts?: boolean } = {}): Promise<string> {
  shaping = await startShapingProxy(s3.target.endpoint, {
    stallAfter: (method, url) => (method === 'GET' && url.split('?')[0]?.endsWith(MODEL_KEY) ? STALL_AFTER_BYTES : undefined),
    hold: (method, url) => options.holdAborts === true && method === 'DELETE' && url.includes(`/models/${BIG_FILE}?`) && url.includes('uploadId='),
  });
  return shaping.endpoint;
}

/** The run sits mid-upload: its download stalled, a multipart upload of the big file open, under its lease. */
async function uploading(): Promise<boolean> {
  if (!shaping?.stalled()) return false;
  const uploads = await s3.target.listMultipartUploads(s3.tree.bucket);
  return uploads.some((upload) => upload.startsWith(`${PREFIX}models/${BIG_FILE}#`)) && (await s3.target.exists(s3.tree.bucket, `${PREFIX}staging_lease.json`));
}

/** What the runner did to the process, and when it ended. */
interface Cancellation {
  readonly sigintAt: number;
  readonly exitedAt: number;
  readonly sent: ReadonlyArray<{ readonly signal: NodeJS.Signals; readonly at: number }>;
  /** The signal that ended the process, when one did (not a clean exit). */
  readonly killedBy: NodeJS.Signals | null;
}

/**
 * Waits for `ready` while the process runs, then cancels it as a runner does: SIGINT, SIGTERM
 * 7.5 s later, SIGKILL at 10 s, each only while it is still alive. `again` sends a second SIGINT
 * once it resolves (the runner's impatient user).
 */
async function cancelLikeTheRunner(child: ChildProcess, ready: () => Promise<boolean>, again?: Promise<void>): Promise<Cancellation> {
  const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(Date.now())));
  let ended = false;
  void exited.then(() => (ended = true));
  for (const started = Date.now(); !(await ready()); await sleep(100)) {
    if (ended) throw new Error('The run ended before its upload was seen in progress');
    if (Date.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error('No upload in progress within 30 s (run killed)');
    }
  }
  const sent: Array<{ signal: NodeJS.Signals; at: number }> = [];
  const send = (signal: NodeJS.Signals) => {
    if (ended) return;
    sent.push({ signal, at: Date.now() });
    child.kill(signal);
  };
  const sigintAt = Date.now();
  send('SIGINT');
  void again?.then(() => send('SIGINT'));
  const timers = [setTimeout(() => send('SIGTERM'), SIGTERM_AFTER_MS), setTimeout(() => send('SIGKILL'), SIGKILL_AFTER_MS)];
  const exitedAt = await exited;
  for (const timer of timers) clearTimeout(timer);
  return { sigintAt, exitedAt, sent, killedBy: child.signalCode };
}

/** A staging through the action's bundle, cancelled by the runner once its upload is in progress. */
async function cancelledAction(endpoint: string, again?: Promise<void>): Promise<{ run: ActionRun; cancellation: Cancellation }> {
  let cancellation: Promise<Cancellation> | undefined;
  const run = await runAction({
    inputs: stagingInputs(s3.target, endpoint, s3.tree, { mode: 'full', 'stall-timeout': '600' }),
    env: credentialsEnv(s3.target),
    onStart: (child) => (cancellation = cancelLikeTheRunner(child, uploading, again)),
  });
  if (cancellation === undefined) throw new Error('the step did not start');
  return { run, cancellation: await cancellation };
}

/** The same through the command line's bundle, started as `bin` runs it. */
async function cancelledCli(endpoint: string): Promise<{ run: CliRun; cancellation: Cancellation; stateFile: string }> {
  const home = mkdtempSync(join(tmpdir(), 'riva-cli-cancel-'));
  const stateFile = join(home, 'state.json');
  const child = spawn(CLI_ENTRY, ['--full'], {
    cwd: home,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      AWS_EC2_METADATA_DISABLED: 'true',
      ...credentialsEnv(s3.target),
      RIVA_ASR_MODEL_S3_URI: s3.tree.modelUri,
      NVIDIA_DRIVERS_S3_BUCKET: s3.tree.bucket,
      RIVA_ASR_MODEL_NAME: MODEL_NAME,
      MODEL_VERSION,
      ENV: 'dev',
      AWS_REGION: s3.target.region,
      AWS_ENDPOINT_URL_S3: endpoint,
      RIVA_STAGE_STALL_TIMEOUT: '600',
      RIVA_STAGE_STATE_FILE: stateFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const cancellation = await cancelLikeTheRunner(child, uploading);
  const exitCode = await closed;
  return { run: { exitCode, stdout, stderr }, cancellation, stateFile };
}

const transcript = (output: { exitCode: number | null; stdout: string; stderr: string }) =>
  `exit ${output.exitCode}\n--- stdout ---\n${output.stdout.slice(-6000)}\n--- stderr ---\n${output.stderr.slice(-6000)}`;

/** Exit 130 on its own, before the runner's SIGTERM would have been sent. */
function expectCancelledInTime(output: { exitCode: number | null; stdout: string; stderr: string }, cancellation: Cancellation, explained: string): void {
  const { exitCode } = output;
  expect(cancellation.killedBy, explained).toBeNull();
  expect(exitCode, explained).toBe(130);
  expect(cancellation.sent.map((sent) => sent.signal), explained).toEqual(['SIGINT']);
  expect(cancellation.exitedAt - cancellation.sigintAt, explained).toBeLessThan(SIGTERM_AFTER_MS);
}

/** Nothing of the run is left open or claimed: no upload, no lease, no marker, no metadata. */
async function expectNothingHeld(explained: string): Promise<void> {
  expect(await s3.target.listMultipartUploads(s3.tree.bucket), explained).toEqual([]);
  for (const document of ['staging_lease.json', 'staging_complete.txt', 'artifact.json']) {
    expect(await s3.target.exists(s3.tree.bucket, `${PREFIX}${document}`), `${document}\n${explained}`).toBe(false);
  }
}

function stateOf(path: string | undefined): Record<string, unknown> {
  return JSON.parse(readFileSync(path ?? '', 'utf8')) as Record<string, unknown>;
}

const CANCELLED_LINE = /^Cancelled by SIGINT during the write phase\b/;

describe('a runner cancels a full-mode staging mid-upload (SIGINT, SIGTERM at 7.5 s, SIGKILL at 10 s)', () => {
  it('the action exits 130 before SIGTERM, with one error line, its uploads aborted, its lease released, state cancelled', async () => {
    const { run, cancellation } = await cancelledAction(await stallingEndpoint());

    const explained = transcript(run);
    expectCancelledInTime(run, cancellation, explained);
    expect(run.errors.map(commandData), explained).toEqual([expect.stringMatching(CANCELLED_LINE)]);
    await expectNothingHeld(explained);
    expect(stateOf(run.outputs['state-file']), explained).toMatchObject({ status: 'cancelled', cancelled_phase: 'write' });
  });

  it('the command line does the same: exit 130, one line on stderr, nothing left open, state cancelled', async () => {
    const { run, cancellation, stateFile } = await cancelledCli(await stallingEndpoint());

    const explained = transcript(run);
    expectCancelledInTime(run, cancellation, explained);
    const errorLines = run.stderr.split('\n').filter((line) => line.startsWith('riva-130-stage: '));
    expect(errorLines, explained).toEqual([expect.stringMatching(/^riva-130-stage: Cancelled by SIGINT during the write phase\b/)]);
    await expectNothingHeld(explained);
    expect(stateOf(stateFile), explained).toMatchObject({ status: 'cancelled', cancelled_phase: 'write' });
  });
});

describe('a cancelled run whose cleanup hangs', () => {
  it('gives up on an unanswered abort within its budget: exit 130 before SIGTERM, lease released, a warning naming the upload', async () => {
    const endpoint = await stallingEndpoint({ holdAborts: true });

    const { run, cancellation } = await cancelledAction(endpoint);

    const explained = transcript(run);
    expectCancelledInTime(run, cancellation, explained);
    expect(run.errors.map(commandData), explained).toEqual([expect.stringMatching(CANCELLED_LINE)]);
    expect(await s3.target.exists(s3.tree.bucket, `${PREFIX}staging_lease.json`), explained).toBe(false);
    const [open] = await s3.target.listMultipartUploads(s3.tree.bucket);
    expect(open, explained).toMatch(new RegExp(`^${PREFIX}models/${BIG_FILE}#`));
    expect(run.warnings.map(commandData).join('\n'), explained).toContain(open?.split('#')[1] ?? '(no upload)');
    expect(stateOf(run.outputs['state-file']), explained).toMatchObject({ status: 'cancelled', cancelled_phase: 'write' });
  });
});

describe('a second signal while the cancelled run cleans up', () => {
  it('ends the process at once, with 130', async () => {
    // The cancelled run's AbortMultipartUpload of the big file gets no answer: its cleanup is
    // still going when the second signal comes.
    const endpoint = await stallingEndpoint({ holdAborts: true });

    const { run, cancellation } = await cancelledAction(endpoint, shaping?.held);

    const explained = transcript(run);
    expect(cancellation.sent.map((sent) => sent.signal), explained).toEqual(['SIGINT', 'SIGINT']);
    expect(cancellation.killedBy, explained).toBeNull();
    expect(run.exitCode, explained).toBe(130);
    // Well within the writes' share of the cleanup budget (3.5 s) that an unhurried cleanup would wait out.
    const secondAt = cancellation.sent[1]?.at ?? 0;
    expect(cancellation.exitedAt - secondAt, explained).toBeLessThan(1000);
  });
});

interface ShapingProxy {
  readonly endpoint: string;
  /** Resolves when the first held request arrives. */
  readonly held: Promise<void>;
  /** Whether a response is stalled now (silent, its connection open). */
  stalled(): boolean;
  stop(): Promise<void>;
}

interface Shaping {
  /** How many response bytes a request gets before its response goes silent (connection kept open); undefined: all. */
  readonly stallAfter: (method: string, url: string) => number | undefined;
  /** Requests never answered. */
  readonly hold: (method: string, url: string) => boolean;
}

/**
 * A pass-through proxy to `target` that stalls and holds requests as `shaping` says. A stalled
 * response stops mid-body with its connection open and silent, as a stuck network does (the
 * upstream response is paused, not destroyed, so nothing reports an error).
 */
async function startShapingProxy(target: string, shaping: Shaping): Promise<ShapingProxy> {
  const upstream = new URL(target);
  let arrived: () => void = () => {};
  const held = new Promise<void>((resolve) => (arrived = resolve));
  let stalled = 0;
  const server: Server = createServer((incoming, outgoing) => {
    const method = incoming.method ?? 'GET';
    const url = incoming.url ?? '/';
    if (shaping.hold(method, url)) {
      incoming.resume();
      arrived();
      return;
    }
    const limit = shaping.stallAfter(method, url) ?? Infinity;
    const forwarded = request(
      { hostname: upstream.hostname, port: upstream.port, method, path: url, headers: incoming.headers, agent: false },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        let sent = 0;
        response.on('data', (chunk: Buffer) => {
          const allowed = Math.min(chunk.length, limit - sent);
          if (allowed > 0) outgoing.write(chunk.subarray(0, allowed));
          sent += allowed;
          if (sent >= limit && !response.isPaused()) {
            response.pause();
            stalled += 1;
            outgoing.once('close', () => (stalled -= 1));
          }
        });
        response.on('end', () => outgoing.end());
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    outgoing.on('close', () => forwarded.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    held,
    stalled: () => stalled > 0,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
