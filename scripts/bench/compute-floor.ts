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
// Reported apart, not in the floor: moving the bytes through loopback TCP sockets (the archive
// received, the files sent) to and from a peer process, the least any client pays the kernel
// for its transfers, before HTTP, the SDK or TLS.
// Usage as a script: node compute-floor.ts <archive> <file>... (prints JSON)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
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
  /** Receiving the archive's bytes and sending the files' through loopback sockets: not in the floor. */
  readonly socketsMs: number;
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

/**
 * The file's bytes in chunks of `chunkBytes`: in one buffer, reused (the passes that are done with
 * a chunk when they ask for the next: no allocation timed with them), or each in a fresh one (a
 * stream may hold on to it).
 */
function* chunksOf(path: string, chunkBytes: number, fresh = false): Generator<Buffer> {
  const descriptor = openSync(path, 'r');
  let buffer = Buffer.allocUnsafe(chunkBytes);
  try {
    for (;;) {
      if (fresh) buffer = Buffer.allocUnsafe(chunkBytes);
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
  for (const chunk of chunksOf(path, MIB, true)) {
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

/** A peer process on loopback that sends `bytes` (when `sending`) or reads and drops what it gets. */
async function peer(sending: boolean, bytes: number): Promise<Socket> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const script = sending
    ? `const s = require('node:net').createConnection(${port}, '127.0.0.1'); const b = Buffer.alloc(${MIB}); let left = ${bytes};
       const go = () => { while (left > 0) { const n = Math.min(left, b.length); left -= n; if (!s.write(n === b.length ? b : b.subarray(0, n))) return s.once('drain', go); } s.end(); }; go();`
    : `require('node:net').createConnection(${port}, '127.0.0.1').resume();`;
  spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  const [socket] = (await once(server, 'connection')) as [Socket];
  server.close();
  return socket;
}

/** This process's CPU for receiving `downBytes` and then sending `upBytes` over loopback TCP (the same bytes over and over: only moving them is timed). */
async function socketsCpu(downBytes: number, upBytes: number): Promise<number> {
  const receiving = await peer(true, downBytes);
  const received = cpuOf(async () => {
    receiving.resume();
    await once(receiving, 'end');
  });
  const downMs = await received;
  const sending = await peer(false, 0);
  const chunk = Buffer.alloc(MIB);
  const upMs = await cpuOf(async () => {
    for (let sent = 0; sent < upBytes; sent += chunk.length) {
      if (!sending.write(chunk.subarray(0, Math.min(chunk.length, upBytes - sent)))) await once(sending, 'drain');
    }
    sending.end();
    await once(sending, 'finish');
  });
  sending.destroy();
  return downMs + upMs;
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
  const socketsMs = await socketsCpu(statSync(archive).size, files.reduce((sum, path) => sum + statSync(path).size, 0));
  return { inflateMs, archiveSha256Ms, filesSha256Ms, signingMs, awsCrc32Ms: Math.max(0, awsSigningMs - signingMs), socketsMs };
}

if (import.meta.main) {
  const [archive = '', ...files] = process.argv.slice(2);
  console.log(JSON.stringify(await main(archive, files)));
}
