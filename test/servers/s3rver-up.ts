// `node test/servers/s3rver-up.ts DIR`: the embedded S3 server of the tests and the demo, left
// running in the background on 127.0.0.1 with a bucket holding the synthetic bintarball, for a
// workflow job that runs the action as a consumer does (`uses: ./`) or for a shell.
//
// Returns once the bucket is seeded. DIR then holds:
//   env   KEY=VALUE lines (endpoint, region, credentials, bucket, archive URIs), to source
//   pid   the server's process id: `kill "$(cat DIR/pid)"` stops it
//   log   the server's output; s3/ its objects
// Under Actions the same values become the step's outputs (endpoint, region, bucket,
// model-s3-uri, container-s3-uri, access-key-id, secret-access-key).
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { seedBintarball } from '../helpers/bintarball.ts';
import { startS3Target } from '../helpers/s3-target.ts';

const READY_TIMEOUT_MS = 60_000;
const SERVE_FLAG = '--serve';

/** The environment variables a consumer sets, and the step output each becomes. */
const OUTPUT_OF: Record<string, string> = {
  RIVA_S3_ENDPOINT: 'endpoint',
  RIVA_S3_REGION: 'region',
  RIVA_S3_BUCKET: 'bucket',
  RIVA_S3_MODEL_URI: 'model-s3-uri',
  RIVA_S3_CONTAINER_URI: 'container-s3-uri',
  AWS_ACCESS_KEY_ID: 'access-key-id',
  AWS_SECRET_ACCESS_KEY: 'secret-access-key',
};

const [first, second] = process.argv.slice(2);
if (first === SERVE_FLAG && second) {
  await serve(resolve(second));
} else if (first && !first.startsWith('-')) {
  await startInBackground(resolve(first));
} else {
  console.error('Usage: node test/servers/s3rver-up.ts DIR');
  process.exitCode = 2;
}

/** Starts this script detached in serve mode and waits until it has written DIR/env. */
async function startInBackground(directory: string): Promise<void> {
  mkdirSync(directory, { recursive: true });
  const envFile = join(directory, 'env');
  if (existsSync(envFile)) throw new Error(`${envFile} exists: a server may already run from ${directory}`);
  const log = openSync(join(directory, 'log'), 'a');
  const child = spawn(process.execPath, [import.meta.filename, SERVE_FLAG, directory], {
    detached: true,
    stdio: ['ignore', log, log],
    // Only the embedded server is wanted here, whatever the calling shell points the tests at.
    env: { ...process.env, RIVA_TEST_S3_ENDPOINT: '' },
  });
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!existsSync(envFile)) {
    if (exited !== undefined) throw new Error(`the S3 server exited (${exited}) before it was ready; see ${join(directory, 'log')}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`the S3 server was not ready within ${READY_TIMEOUT_MS / 1000} s; see ${join(directory, 'log')}`);
    }
    await sleep(100);
  }
  child.unref();
  writeFileSync(join(directory, 'pid'), `${child.pid}\n`);
  const env = readFileSync(envFile, 'utf8');
  process.stdout.write(env);
  const outputFile = process.env.GITHUB_OUTPUT;
  if (outputFile) {
    for (const line of env.trim().split('\n')) {
      const [name = '', value = ''] = line.split(/=(.*)/s);
      const output = OUTPUT_OF[name];
      if (output) appendFileSync(outputFile, `${output}=${value}\n`);
    }
  }
}

/** Runs the server until SIGTERM or SIGINT; DIR/env appears once the bucket is seeded. */
async function serve(directory: string): Promise<void> {
  const target = await startS3Target({ directory: join(directory, 's3'), keepBuckets: true });
  const stop = async () => {
    await target.stop();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const tree = await seedBintarball(target);
  const values: Record<string, string> = {
    RIVA_S3_ENDPOINT: target.endpoint,
    RIVA_S3_REGION: target.region,
    RIVA_S3_BUCKET: tree.bucket,
    RIVA_S3_MODEL_URI: tree.modelUri,
    RIVA_S3_CONTAINER_URI: tree.containerUri,
    AWS_ACCESS_KEY_ID: target.accessKeyId,
    AWS_SECRET_ACCESS_KEY: target.secretAccessKey,
  };
  const lines = Object.entries(values).map(([name, value]) => `${name}=${value}\n`);
  // Written whole, then renamed: the waiting parent never reads half a file.
  writeFileSync(join(directory, 'env.partial'), lines.join(''));
  renameSync(join(directory, 'env.partial'), join(directory, 'env'));
  console.log(`S3 server on ${target.endpoint}, bucket ${tree.bucket} seeded`);
}
