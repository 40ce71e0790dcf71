// The compute floor of a full-mode staging: the CPU no implementation can avoid, each part timed
// alone over the same bytes, in a process of its own (the benchmark's server and the run's GC
// stay out of it):
//   inflate            gunzip of the archive
//   archive SHA-256    the archive's hash (checksums.sha256, expected-sha256)
//   files SHA-256      each extracted .riva file's hash (the metadata)
//   request signing    what the SDK computes for each part as the upload sends it, with the
//                      run's client and checksum settings (today: the payload's SHA-256 for the
//                      SigV4 signature; on AWS also a CRC32, reported apart)
// Each is the CPU of the pass minus the CPU of reading the same bytes from the page cache, which
// a staging does not do (its bytes arrive from the network, at a cost of their own).
// Usage as a script: node compute-floor.ts <archive> <file>... (prints JSON)
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FinalizeHandler, FinalizeHandlerArguments, MetadataBearer } from '@smithy/types';
import { createS3Client } from '../../src/s3/client.ts';
import { partSizeFor } from '../../src/s3/multipart.ts';

const MIB = 1024 * 1024;

export interface ComputeFloor {
  readonly inflateMs: number;
  readonly archiveSha256Ms: number;
  readonly filesSha256Ms: number;
  /** Signing the parts as the benchmark's run does (an S3-compatible endpoint: no flexible checksum). */
  readonly signingMs: number;
  /** The CRC32 the SDK adds on AWS by default, beyond `signingMs`: not in the floor of a run against another endpoint. */
  readonly awsCrc32Ms: number;
}

/** The floor's CPU in all, in milliseconds. */
export function floorCpuMs(floor: ComputeFloor): number {
  return floor.inflateMs + floor.archiveSha256Ms + floor.filesSha256Ms + floor.signingMs;
}

/** Measures the floor in a child process of this Node; `files` are the archive's extracted `.riva` files. */
export async function measureComputeFloor(archive: string, files: readonly string[]): Promise<ComputeFloor> {
  const child = spawn(process.execPath, [import.meta.filename, archive, ...files], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`compute-floor.ts exited with ${code}`);
  return JSON.parse(output) as ComputeFloor;
}

/** Process CPU (user + system, every thread: zlib works on the thread pool) that `work` costs. */
async function cpuOf(work: () => unknown): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const spent = process.cpuUsage(before);
  return (spent.user + spent.system) / 1000;
}

/** The file's bytes in chunks of `chunkBytes`, each a fresh buffer (a stream may hold on to it). */
function* chunksOf(path: string, chunkBytes: number): Generator<Buffer> {
  const descriptor = openSync(path, 'r');
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(chunkBytes);
      const read = readSync(descriptor, buffer, 0, chunkBytes, null);
      if (read === 0) return;
      yield buffer.subarray(0, read);
    }
  } finally {
    closeSync(descriptor);
  }
}

async function inflate(path: string): Promise<void> {
  const gunzip = createGunzip({ chunkSize: 512 * 1024 });
  gunzip.resume();
  const ended = new Promise<void>((resolve, reject) => gunzip.on('end', resolve).on('error', reject));
  for (const chunk of chunksOf(path, MIB)) {
    if (!gunzip.write(chunk)) await new Promise((resolve) => gunzip.once('drain', resolve));
  }
  gunzip.end();
  await ended;
}

/** A client as the run builds it, whose requests stop once signed: nothing is sent. */
function signingClient(endpoint: string | undefined): S3Client {
  const client = createS3Client({ region: 'us-east-1', endpoint, maxAttempts: 1 });
  client.config.credentials = () => Promise.resolve({ accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' });
  client.middlewareStack.addRelativeTo(
    (_next: FinalizeHandler<object, MetadataBearer>) => (_args: FinalizeHandlerArguments<object>) =>
      Promise.resolve({ output: { $metadata: {}, ETag: '"signed"' }, response: {} }),
    { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'benchStopAfterSigning' },
  );
  return client;
}

/** Sends every part of every file through the client's middleware, up to its signature. */
async function signParts(client: S3Client, files: readonly string[]): Promise<number> {
  // The first request loads and resolves what every later one reuses: not a per-byte cost.
  await client.send(new UploadPartCommand({ Bucket: 'bench', Key: 'part', UploadId: 'bench', PartNumber: 1, Body: Buffer.alloc(1) }));
  let cpuMs = 0;
  for (const path of files) {
    let PartNumber = 0;
    for (const Body of chunksOf(path, partSizeFor(statSync(path).size))) {
      PartNumber += 1;
      const command = new UploadPartCommand({ Bucket: 'bench', Key: 'part', UploadId: 'bench', PartNumber, Body });
      cpuMs += await cpuOf(() => client.send(command).then(() => undefined));
    }
  }
  return cpuMs;
}

async function main(archive: string, files: readonly string[]): Promise<ComputeFloor> {
  const sha256Of = (paths: readonly string[]) => () => {
    for (const path of paths) {
      const hash = createHash('sha256');
      for (const chunk of chunksOf(path, MIB)) hash.update(chunk);
      hash.digest();
    }
  };
  const readOnly = (paths: readonly string[]) => () => {
    let bytes = 0;
    for (const path of paths) for (const chunk of chunksOf(path, MIB)) bytes += chunk.length;
    return bytes;
  };
  // Warm the page cache and the code, then time each pass.
  readOnly([archive, ...files])();
  const readArchiveMs = await cpuOf(readOnly([archive]));
  const readFilesMs = await cpuOf(readOnly(files));
  const inflateMs = (await cpuOf(() => inflate(archive))) - readArchiveMs;
  const archiveSha256Ms = (await cpuOf(sha256Of([archive]))) - readArchiveMs;
  const filesSha256Ms = (await cpuOf(sha256Of(files))) - readFilesMs;
  const signingMs = await signParts(signingClient('http://127.0.0.1:9'), files);
  const awsSigningMs = await signParts(signingClient(undefined), files);
  return { inflateMs, archiveSha256Ms, filesSha256Ms, signingMs, awsCrc32Ms: Math.max(0, awsSigningMs - signingMs) };
}

if (import.meta.main) {
  const [archive = '', ...files] = process.argv.slice(2);
  console.log(JSON.stringify(await main(archive, files)));
}
