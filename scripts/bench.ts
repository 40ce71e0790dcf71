// `npm run bench [-- --size=1GiB]`: full mode against the sequential way and the upload floor,
// in one run on one loopback S3 server, reported as ratios. Not a test: nothing asserts times.
//   (a) full mode: the built action, run as the Actions runner runs it
//   (b) sequential: download to disk, extract to disk, hash, upload archive and files
//   (c) floor: upload just the extracted .riva bytes with lib-storage
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeSync, createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { create } from 'tar';
import { runAction } from '../test/helpers/action-runner.ts';
import { credentialsEnv } from '../test/helpers/bintarball.ts';
import { ARCHIVE_NAME, MODEL_KEY } from '../test/helpers/fixtures.ts';
import { startS3Target } from '../test/helpers/s3-target.ts';
import { measureScript, sampleProcess, withMachineCpu, type Measurement } from './bench/measure.ts';
import { formatBytes } from '../src/format.ts';
import { Upload } from '@aws-sdk/lib-storage';

const MIB = 1024 * 1024;
type Measured = { result: Measurement; machineCpuMs: number };
const { values } = parseArgs({ options: { size: { type: 'string', default: '1GiB' } } });
const modelBytes = parseSize(values.size);
const workDir = join(import.meta.dirname, '..', '.bench');
rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });

console.log(`Generating a synthetic model: ${formatBytes(modelBytes)} of incompressible .riva plus 64 MiB compressible…`);
const archivePath = await generateArchive(join(workDir, 'archive'), modelBytes);
const target = await startS3Target({ directory: join(workDir, 's3') });
try {
  const bucket = await target.createBucket();
  const endpointEnv = {
    ...process.env,
    ...credentialsEnv(target),
    AWS_REGION: target.region,
    AWS_ENDPOINT_URL_S3: target.endpoint,
  };
  await new Upload({
    client: target.client,
    params: { Bucket: bucket, Key: MODEL_KEY, Body: createReadStream(archivePath) },
    partSize: 64 * MIB,
  }).done();
  const [archive] = (await target.listObjects(bucket)).filter((object) => object.key === MODEL_KEY);
  const archiveSize = archive?.size ?? 0;
  const stagedBytes = modelBytes + 64 * MIB;
  console.log(`Archive ${ARCHIVE_NAME}: ${formatBytes(archiveSize)} in s3://${bucket} on ${target.endpoint}\n`);

  const full = await withMachineCpu(() => measureFullMode(target, bucket));
  const sequentialDir = join(workDir, 'sequential');
  const sequential = await withMachineCpu(() =>
    measureScript(
      join(import.meta.dirname, 'bench', 'sequential-staging.ts'),
      [sequentialDir, bucket, MODEL_KEY, 'sequential/'],
      endpointEnv,
    ),
  );
  const floor = await withMachineCpu(() =>
    measureScript(
      join(import.meta.dirname, 'bench', 'upload-floor.ts'),
      [join(sequentialDir, 'extracted'), bucket, 'floor/'],
      endpointEnv,
    ),
  );

  // Who did the work: the client's own CPU, and the rest of the machine's (the S3 server, mostly),
  // which on one machine competes with the client for the same cores.
  const cores = availableParallelism();
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const busy = ({ result: m, machineCpuMs }: Measured) => `${Math.round((100 * machineCpuMs) / (m.wallMs * cores))} %`;
  const row = (name: string, measured: Measured, bytes: number) => {
    const { result: m, machineCpuMs } = measured;
    return `${name.padEnd(20)} ${seconds(m.wallMs).padStart(9)} ${((bytes / MIB) / (m.wallMs / 1000)).toFixed(1).padStart(8)} MiB/s ${formatBytes(m.peakRssBytes).padStart(11)} ${seconds(m.cpuMs).padStart(11)} ${seconds(Math.max(0, machineCpuMs - m.cpuMs)).padStart(11)} ${busy(measured).padStart(13)}`;
  };
  console.log(
    `${'variant'.padEnd(20)} ${'wall'.padStart(9)} ${'model rate'.padStart(14)} ${'peak RSS'.padStart(11)} ${'client CPU'.padStart(11)} ${'other CPU'.padStart(11)} ${'machine busy'.padStart(13)}`,
  );
  console.log(row('(a) full mode', full, stagedBytes));
  console.log(row('(b) sequential', sequential, stagedBytes));
  console.log(row('(c) upload floor', floor, stagedBytes));
  const speedup = sequential.result.wallMs / full.result.wallMs;
  const overFloor = full.result.wallMs / floor.result.wallMs;
  console.log(`\n(b)/(a) = ${speedup.toFixed(2)}  (target >= 2.5)`);
  console.log(`(a)/(c) = ${overFloor.toFixed(2)}  (target <= 1.25)`);
  // No run can end sooner than the CPU it needs spread over every core. With the server on the
  // same cores, that bounds the ratios this machine can show, whatever the pipeline does.
  const fullCpuFloorMs = full.machineCpuMs / cores;
  console.log(
    `(a) needed ${seconds(full.machineCpuMs)} of CPU on this machine's ${cores} cores, so it cannot end before ${seconds(fullCpuFloorMs)}: ` +
      `here (a)/(c) >= ${(fullCpuFloorMs / floor.result.wallMs).toFixed(2)} and (b)/(a) <= ${(sequential.result.wallMs / fullCpuFloorMs).toFixed(2)}`,
  );
  console.log(`peak RSS of (a) = ${formatBytes(full.result.peakRssBytes)}  (target < 300 MiB)`);
} finally {
  await target.stop();
  rmSync(workDir, { recursive: true, force: true });
}

async function measureFullMode(s3: Awaited<ReturnType<typeof startS3Target>>, bucket: string): Promise<Measurement> {
  let sampler: ReturnType<typeof sampleProcess> | undefined;
  const started = performance.now();
  const run = await runAction({
    inputs: {
      mode: 'full',
      'model-s3-uri': `s3://${bucket}/${MODEL_KEY}`,
      bucket,
      'model-name': 'bench-model',
      'model-version': 'v1',
      environment: 'bench',
      'aws-region': s3.region,
      's3-endpoint': s3.endpoint,
    },
    env: credentialsEnv(s3),
    onStart: (child) => {
      sampler = sampleProcess(child);
    },
  });
  const wallMs = performance.now() - started;
  if (run.exitCode !== 0) throw new Error(`full mode failed: ${run.errors.join('\n')}\n${run.stdout}`);
  return { wallMs, peakRssBytes: sampler?.peakRssBytes() ?? 0, cpuMs: sampler?.cpuMs() ?? 0 };
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
