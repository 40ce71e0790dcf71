// `npm run bench [-- --size=1GiB --links=800mbit,2gbit,loopback --runs=sabcdefghi]`: full mode and deep verify
// against the seed's sequential way, an expert's aws CLI script and the upload floor, on one
// embedded S3 server, over each link given. Not a test: nothing asserts times.
//   shaped link (the default, 800 Mbit/s and 2 Gbit/s): loopback in a private network namespace,
//     with the traffic to and from the server's port shaped to the rate in each direction, as a
//     runner's link to S3 is the bottleneck; each run is reported against the link's ideal
//   loopback: the server on the same cores and no link at all (a CPU contest, no ideal)
//   (a) full mode: the built action, run as the Actions runner runs it
//   (b) seed's way: download to disk, extract to disk, hash, upload archive and files
//   (c) expert's script: aws CLI, server-side copy, download hashed and extracted as it arrives
//   (d) floor: upload just the extracted .riva bytes with lib-storage, and how long the server
//     took to complete the uploads once their last parts were acknowledged
//   (e) deep verify of (a)'s staging, beside (f) aws s3 cp --recursive + sha256sum -c
//   (g) fetch of (a)'s staging to disk, pinned and hashed: what a deploy job runs in place of (f)
//   (h) full mode on a miss of the GitHub Actions cache (a protocol-v2 cache service over Azurite,
//     its blob store on the same link): when the outputs are out, and how much longer the step
//     runs while the archive is saved
//   (i) floor: download just the archive, one GET, bytes dropped; full mode moves (i)'s bytes down
//     and (d)'s up at once, so it cannot end before the slower of the two
//   start-up, first and on loopback: a bintarball-reference staging by the action and the command
//     line against a bare S3 client sending the same requests (bench/start-fast.ts, --start-rounds=9)
//   (a)'s timeline (when its bytes moved and its documents landed), and its CPU against the
//   compute floor measured beside it (inflate, hashes and request signing, each alone)
import { randomFillSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync, createReadStream } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { create } from 'tar';
import { runAction } from '../test/helpers/action-runner.ts';
import { credentialsEnv } from '../test/helpers/bintarball.ts';
import { ARCHIVE_NAME, MODEL_KEY } from '../test/helpers/fixtures.ts';
import { startS3Target, type S3Target } from '../test/helpers/s3-target.ts';
import { startAzurite } from '../test/helpers/azurite.ts';
import { startActionsCacheService } from '../test/servers/actions-cache-service.ts';
import { floorCpuMs, measureComputeFloor, type ComputeFloor } from './bench/compute-floor.ts';
import { measureCommand, measureScript, sampleProcess, timelineOf, withMachineCpu, type Measurement } from './bench/measure.ts';
import { enterPrivateNetwork, formatRate, parseRate, shapeLink, type LinkBytes, type ShapedLink } from './bench/shaped-link.ts';
import { reportStartUp } from './bench/start-fast.ts';
import { formatBytes } from '../src/format.ts';
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

const MIB = 1024 * 1024;
type Measured = { result: Measurement; machineCpuMs: number; link: LinkBytes | undefined };
/** What must cross the link at least, per direction, for one job. */
type Ideal = { down: number; up: number };
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: process.env.RIVA_BENCH_SIZE ?? '1GiB' },
    links: { type: 'string', default: process.env.RIVA_BENCH_LINKS ?? '800mbit,2gbit' },
    runs: { type: 'string', default: process.env.RIVA_BENCH_RUNS ?? 'sabcdefghi' },
    'start-rounds': { type: 'string', default: process.env.RIVA_BENCH_START_ROUNDS ?? '9' },
  },
});
// s is the start-up. (a) always runs: the later runs read its staging. (d) uploads what (b) extracted, so it needs (b).
const wanted = (run: string) => values.runs.toLowerCase().includes(run);
const modelBytes = parseSize(values.size);
const requestedLinks = values.links.split(',').map((link) => (link.trim() === 'loopback' ? undefined : parseRate(link)));
const shapingProblem = !requestedLinks.some((rate) => rate !== undefined)
  ? undefined
  : process.env.RIVA_TEST_S3_ENDPOINT
    ? // A private network namespace holds only its own loopback: a server outside it is out of reach.
      'the S3 server RIVA_TEST_S3_ENDPOINT names is outside the private network the link is shaped in'
    : enterPrivateNetwork();
const links = shapingProblem === undefined ? requestedLinks : [undefined];
if (shapingProblem !== undefined) console.log(`No shaped link: ${shapingProblem}. Running the loopback variant only.\n`);
const hasAwsCli = spawnSync('sh', ['-c', 'command -v aws && command -v sha256sum']).status === 0;
if (!hasAwsCli) console.log('The aws CLI is not installed: the expert\'s script is left out.\n');
const workDir = join(import.meta.dirname, '..', '.bench');
rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });

console.log(`Generating a synthetic model: ${formatBytes(modelBytes)} of incompressible .riva plus 64 MiB compressible…`);
const archivePath = await generateArchive(join(workDir, 'archive'), modelBytes);
const modelFiles = readdirSync(join(workDir, 'archive', 'tree'), { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.riva'))
  .map((entry) => join(entry.parentPath, entry.name));
const target = await startS3Target({ directory: join(workDir, 's3') });
const actionsCache = wanted('h') ? await startActionsCache() : undefined;
try {
  const bucket = await target.createBucket();
  const endpointEnv = {
    ...process.env,
    ...credentialsEnv(target),
    AWS_REGION: target.region,
    AWS_ENDPOINT_URL_S3: target.endpoint,
    // The embedded server takes no aws-chunked uploads with trailing checksums.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
  };
  await new Upload({
    client: target.client,
    params: { Bucket: bucket, Key: MODEL_KEY, Body: createReadStream(archivePath) },
    partSize: 64 * MIB,
  }).done();
  const [archive] = (await target.listObjects(bucket)).filter((object) => object.key === MODEL_KEY);
  const archiveSize = archive?.size ?? 0;
  const stagedBytes = modelBytes + 64 * MIB;
  console.log(`Archive ${ARCHIVE_NAME}: ${formatBytes(archiveSize)} in s3://${bucket} on ${target.endpoint}`);
  console.log(`Machine: ${availableParallelism()} cores, load average ${loadavg().map((load) => load.toFixed(2)).join(' ')} before the runs\n`);
  // Start-up on loopback, before any link is shaped: the action and the command line against a bare S3 client.
  if (wanted('s')) await reportStartUp(target, join(workDir, 'start-fast'), Number(values['start-rounds']));
  // Staging: the archive comes down once and the files go up once (the archive's copy is made on
  // the server). Deep verify: the staging's copy and files come down once.
  const stagingIdeal: Ideal = { down: archiveSize, up: stagedBytes };
  const verifyIdeal: Ideal = { down: archiveSize + stagedBytes, up: 0 };

  for (const [index, rate] of links.entries()) {
    const ports = [Number(new URL(target.endpoint).port), ...(actionsCache === undefined ? [] : [actionsCache.azurite.port])];
    const link = rate === undefined ? undefined : shapeLink(ports, rate);
    try {
      console.log(link === undefined ? 'Loopback, the server on the same cores, no link:' : `Link shaped to ${formatRate(rate!)} each way:`);
      const measure = (work: () => Promise<Measurement>) => measured(link, work);
      const prefix = `run-${index}/`;
      const report = createReport(link);
      let metadataUri = '';
      let timeline = '';
      let fullOutputsAtMs = 0;
      const full = await measure(async () => {
        const run = await measureFullMode(target, bucket, prefix);
        metadataUri = run.metadataUri;
        timeline = run.timeline;
        fullOutputsAtMs = run.outputsAtMs;
        return run.measurement;
      });
      report.row('(a) full mode', full, stagingIdeal);
      printTimeline(timeline, full.result.wallMs);
      // Right after (a), so that both see the machine as loaded as it then is.
      const floor = await measureComputeFloor(archivePath, modelFiles);
      const sequentialDir = join(workDir, 'sequential');
      if (wanted('b')) {
        report.row(
          "(b) seed's way",
          await measure(() =>
            measureScript(join(import.meta.dirname, 'bench', 'sequential-staging.ts'), [sequentialDir, bucket, MODEL_KEY, `${prefix}sequential/`], endpointEnv),
          ),
          stagingIdeal,
        );
      }
      if (hasAwsCli && wanted('c')) {
        const expertDir = join(workDir, 'expert');
        report.row(
          "(c) expert's script",
          await measure(() =>
            measureCommand(join(import.meta.dirname, 'bench', 'expert-staging.sh'), [expertDir, bucket, MODEL_KEY, `${prefix}expert/`], endpointEnv),
          ),
          stagingIdeal,
        );
        rmSync(expertDir, { recursive: true, force: true });
      }
      // The floor uploads what the seed's way extracted.
      if (wanted('b') && wanted('d')) {
        report.row(
          '(d) upload floor',
          await measure(() =>
            measureScript(join(import.meta.dirname, 'bench', 'upload-floor.ts'), [join(sequentialDir, 'extracted'), bucket, `${prefix}floor/`], endpointEnv),
          ),
          { down: 0, up: stagedBytes },
        );
      }
      rmSync(sequentialDir, { recursive: true, force: true });
      if (wanted('i')) {
        report.row(
          '(i) download floor',
          await measure(() => measureScript(join(import.meta.dirname, 'bench', 'download-floor.ts'), [bucket, MODEL_KEY], endpointEnv)),
          { down: archiveSize, up: 0 },
        );
      }
      if (wanted('e')) report.row('(e) deep verify of (a)', await measure(() => measureDeepVerify(target, metadataUri)), verifyIdeal);
      if (hasAwsCli && wanted('f')) {
        const verifyDir = join(workDir, 'expert-verify');
        const stagingPrefix = metadataUri.slice(0, metadataUri.lastIndexOf('/') + 1);
        report.row(
          '(f) aws cp + sha256sum',
          await measure(() => measureCommand(join(import.meta.dirname, 'bench', 'expert-verify.sh'), [verifyDir, stagingPrefix], endpointEnv)),
          verifyIdeal,
        );
        rmSync(verifyDir, { recursive: true, force: true });
      }
      if (wanted('g')) {
        const fetchDir = join(workDir, 'fetched');
        report.row('(g) fetch of (a)', await measure(() => measureFetch(target, metadataUri, fetchDir)), verifyIdeal);
        rmSync(fetchDir, { recursive: true, force: true });
      }
      if (actionsCache !== undefined) {
        let outputsAtMs = 0;
        const cached = await measure(async () => {
          const run = await measureFullMode(target, bucket, `run-${index}-cached/`, actionsCache.runnerEnv(index));
          outputsAtMs = run.outputsAtMs;
          return run.measurement;
        });
        // The archive crosses the uplink a second time, to the cache's blob store.
        report.row('(h) (a), cache miss', cached, { down: archiveSize, up: stagedBytes + archiveSize });
        console.log(
          `(h) outputs out at ${seconds(outputsAtMs)} ((a): ${seconds(fullOutputsAtMs)}), the step ended at ${seconds(cached.result.wallMs)}: ` +
            `saving the archive to the Actions cache kept it ${seconds(cached.result.wallMs - outputsAtMs)} longer`,
        );
      }
      report.summary();
      printFloor(floor, full.result.cpuMs, stagedBytes);
      console.log(`load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}\n`);
    } finally {
      link?.remove();
      // Every run stages a copy of the model: at 4 GiB, two links' worth would not fit on the disk.
      await removeAllBut(target, bucket, MODEL_KEY);
    }
  }
} finally {
  await actionsCache?.stop();
  await target.stop();
  rmSync(workDir, { recursive: true, force: true });
}

/** Deletes every object of the bucket except `keep`, so that the next link's runs start from the archive alone. */
async function removeAllBut(s3: S3Target, bucket: string, keep: string): Promise<void> {
  const keys = (await s3.listObjects(bucket)).map((object) => object.key).filter((key) => key !== keep);
  for (let start = 0; start < keys.length; start += 1000) {
    const batch = keys.slice(start, start + 1000);
    await s3.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((key) => ({ Key: key })), Quiet: true } }));
  }
}

/** A run measured with the machine's CPU and, on a shaped link, the bytes that crossed it. */
async function measured(link: ShapedLink | undefined, work: () => Promise<Measurement>): Promise<Measured> {
  const before = link?.bytes();
  const { result, machineCpuMs } = await withMachineCpu(work);
  const after = link?.bytes();
  const crossed = before && after ? { down: after.down - before.down, up: after.up - before.up } : undefined;
  return { result, machineCpuMs, link: crossed };
}

/** The table: one row a run, ratios to the link's ideal where there is a link. */
function createReport(link: ShapedLink | undefined) {
  const rows: Array<{ name: string; measured: Measured }> = [];
  // Bytes that must cross each direction over the rate, the larger of the two; none without a link.
  const idealMs = (ideal: Ideal) => (link === undefined ? undefined : (Math.max(ideal.down, ideal.up) * 8 * 1000) / link.bitsPerSecond);
  console.log(
    `${'run'.padEnd(24)} ${'wall'.padStart(8)} ${'/ ideal'.padStart(8)} ${'ideal'.padStart(8)} ${'down'.padStart(10)} ${'up'.padStart(10)} ` +
      `${'peak RSS'.padStart(10)} ${'own CPU'.padStart(8)} ${'server+rest'.padStart(11)} ${'busy'.padStart(5)}`,
  );
  return {
    row(name: string, measured: Measured, ideal: Ideal): void {
      rows.push({ name, measured });
      const { result: m, machineCpuMs, link: crossed } = measured;
      const idealWall = idealMs(ideal);
      const cells = [
        name.padEnd(24),
        seconds(m.wallMs).padStart(8),
        (idealWall === undefined ? '—' : `${(m.wallMs / idealWall).toFixed(2)}×`).padStart(8),
        (idealWall === undefined ? '—' : seconds(idealWall)).padStart(8),
        (crossed === undefined ? '—' : formatBytes(crossed.down)).padStart(10),
        (crossed === undefined ? '—' : formatBytes(crossed.up)).padStart(10),
        formatBytes(m.peakRssBytes).padStart(10),
        seconds(m.cpuMs).padStart(8),
        seconds(Math.max(0, machineCpuMs - m.cpuMs)).padStart(11),
        // How much of every core the machine spent (this run, its server and whatever else runs here):
        // near 100 %, the cores, not the link, set the pace.
        `${Math.round((100 * machineCpuMs) / (m.wallMs * availableParallelism()))} %`.padStart(5),
      ];
      console.log(cells.join(' '));
    },
    summary(): void {
      const wall = (prefix: string) => rows.find((row) => row.name.startsWith(prefix))?.measured.result;
      const full = wall('(a)');
      const sequential = wall('(b)');
      const floor = wall('(d)');
      const downloadFloor = wall('(i)');
      if (full && sequential) console.log(`(b)/(a) = ${(sequential.wallMs / full.wallMs).toFixed(2)}`);
      if (full && floor) console.log(`(a)/(d) = ${(full.wallMs / floor.wallMs).toFixed(2)}`);
      if (full && floor && downloadFloor) {
        // Full mode moves both at once: it cannot end before the slower of the two floors.
        console.log(`(a) / the slower floor = ${(full.wallMs / Math.max(floor.wallMs, downloadFloor.wallMs)).toFixed(2)}`);
      }
      const fetched = wall('(g)');
      const pair = wall('(f)');
      if (fetched && pair) console.log(`(g)/(f) = ${(fetched.wallMs / pair.wallMs).toFixed(2)}`);
    },
  };
}

/** (a)'s timeline as the run's summary reports it, and what lies outside it (start-up, the summary). */
function printTimeline(timeline: string, wallMs: number): void {
  if (timeline === '') return console.log('(a) reported no timeline');
  console.log(`(a) timeline from the staging's start: ${timeline}`);
  const marker = /marker written (\d+(?:\.\d+)?) (ms|s)/.exec(timeline);
  if (marker) {
    const markerMs = Number(marker[1]) * (marker[2] === 's' ? 1000 : 1);
    console.log(`(a) outside the staging (start-up, discovery before it, pin and summary after the marker): ${seconds(wallMs - markerMs)}`);
  }
}

/** (a)'s CPU against the compute floor, both per GiB staged. */
function printFloor(floor: ComputeFloor, fullCpuMs: number, stagedBytes: number): void {
  const perGiB = (ms: number) => seconds((ms * 1024 * MIB) / stagedBytes);
  const floorMs = floorCpuMs(floor);
  console.log(
    `Compute floor per GiB staged: ${perGiB(floorMs)} (inflate ${perGiB(floor.inflateMs)}, archive SHA-256 ${perGiB(floor.archiveSha256Ms)}, ` +
      `files SHA-256 ${perGiB(floor.filesSha256Ms)}, request signing ${perGiB(floor.signingMs)}; on AWS the default CRC32 adds ${perGiB(floor.awsCrc32Ms)})`,
  );
  console.log(
    `(a) CPU per GiB staged: ${perGiB(fullCpuMs)}, ${(fullCpuMs / floorMs).toFixed(2)}× the floor; ` +
      `${(fullCpuMs / (floorMs + floor.socketsMs)).toFixed(2)}× the floor with the loopback sockets' ${perGiB(floor.socketsMs)} (archive down, files up)`,
  );
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function measureFullMode(
  s3: S3Target,
  bucket: string,
  prefix: string,
  env: Record<string, string> = {},
): Promise<{ measurement: Measurement; metadataUri: string; outputsAtMs: number; timeline: string }> {
  const { measurement, outputs, outputsAtMs, stdout } = await measureAction(s3, 'full mode', {
    mode: 'full',
    'model-s3-uri': `s3://${bucket}/${MODEL_KEY}`,
    bucket,
    'model-name': `${prefix.slice(0, -1)}-model`,
    'model-version': 'v1',
    environment: 'bench',
  }, env);
  return { measurement, metadataUri: outputs['deployment-json-uri'] ?? '', outputsAtMs, timeline: timelineOf(stdout) };
}

async function measureDeepVerify(s3: S3Target, metadataUri: string): Promise<Measurement> {
  return (await measureAction(s3, 'deep verify', { mode: 'verify', 'deployment-json-uri': metadataUri, deep: 'true' })).measurement;
}

async function measureFetch(s3: S3Target, metadataUri: string, destination: string): Promise<Measurement> {
  return (await measureAction(s3, 'fetch', { mode: 'fetch', 'deployment-json-uri': metadataUri, destination })).measurement;
}

/**
 * The built action, run as the Actions runner runs it, against the benchmark's server; with when
 * its last output (`deployment-json-uri`, set with the others) reached the outputs file.
 */
async function measureAction(
  s3: S3Target,
  what: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<{ measurement: Measurement; outputs: Record<string, string>; outputsAtMs: number; stdout: string }> {
  let sampler: ReturnType<typeof sampleProcess> | undefined;
  let outputsAtMs = 0;
  let watch: NodeJS.Timeout | undefined;
  const started = performance.now();
  const run = await runAction({
    inputs: { ...inputs, 'aws-region': s3.region, 's3-endpoint': s3.endpoint },
    env: { ...credentialsEnv(s3), ...env },
    onStart: (child, outputFile) => {
      sampler = sampleProcess(child);
      watch = setInterval(() => {
        if (outputsAtMs === 0 && readFileSync(outputFile, 'utf8').includes('deployment-json-uri<<')) outputsAtMs = performance.now() - started;
      }, 50);
    },
  });
  clearInterval(watch);
  const wallMs = performance.now() - started;
  if (run.exitCode !== 0) throw new Error(`${what} failed: ${run.errors.join('\n')}\n${run.stdout}`);
  const measurement = { wallMs, peakRssBytes: sampler?.peakRssBytes() ?? 0, cpuMs: sampler?.cpuMs() ?? 0 };
  return { measurement, outputs: run.outputs, outputsAtMs: outputsAtMs || wallMs, stdout: run.stdout };
}

/** A GitHub Actions cache service (protocol v2) over Azurite, and a runner's environment for it. */
async function startActionsCache() {
  const azurite = await startAzurite();
  const service = await startActionsCacheService(azurite, { kind: 'endpoint', endpoint: azurite.endpoint });
  return {
    azurite,
    /** A runner's temporary folder of its own for each link: the cache's paths are part of its version, so each link's run is a miss. */
    runnerEnv: (link: number): Record<string, string> => {
      const runnerTemp = join(workDir, `runner-temp-${link}`);
      mkdirSync(runnerTemp, { recursive: true });
      return { ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RESULTS_URL: service.url, ACTIONS_RUNTIME_TOKEN: service.token, RUNNER_TEMP: runnerTemp };
    },
    stop: async () => {
      await service.stop();
      await azurite.stop();
    },
  };
}

/** A tar.gz with one large incompressible .riva file and one compressible one. */
async function generateArchive(directory: string, incompressibleBytes: number): Promise<string> {
  const tree = join(directory, 'tree');
  mkdirSync(join(tree, 'bench-model', '1'), { recursive: true });
  writeFile(join(tree, 'bench-model', '1', 'acoustic.riva'), incompressibleBytes, (chunk) => randomFillSync(chunk));
  writeFile(join(tree, 'bench-model', '1', 'vocabulary.riva'), 64 * MIB, (chunk, offset) =>
    chunk.fill(`token-${offset % 997} `),
  );
  const file = join(directory, ARCHIVE_NAME);
  await create({ gzip: { level: 1 }, file, cwd: tree, portable: true }, ['bench-model']);
  return file;
}

function writeFile(path: string, size: number, fill: (chunk: Buffer, offset: number) => void): void {
  const descriptor = openSync(path, 'w');
  const chunk = Buffer.alloc(8 * MIB);
  for (let offset = 0; offset < size; offset += chunk.length) {
    fill(chunk, offset);
    writeSync(descriptor, chunk, 0, Math.min(chunk.length, size - offset));
  }
  closeSync(descriptor);
}

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(MiB|GiB)$/i.exec(text);
  if (!match) throw new Error(`--size must look like 512MiB or 4GiB, got ${text}`);
  return Math.round(Number(match[1]) * (match[2]!.toLowerCase() === 'gib' ? 1024 * MIB : MIB));
}
