import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import {
  resolveConfig, type DeleteConfig, type ListConfig, type Mode, type PromoteConfig, type RunConfig, type StageConfig, type VerifyConfig,
} from '../../src/config/config.ts';
import type { InputKey } from '../../src/config/inputs.ts';
import type { GithubRun } from '../../src/metadata.ts';
import type { OperationDependencies } from '../../src/operations/operation.ts';
import { MemoryObjectStore, type MemoryObjectStoreOptions, type StoreRequest } from '../../src/s3/memory-object-store.ts';
import { StateFile } from '../../src/state-file.ts';
import { MODEL_NAME, MODEL_VERSION } from '../helpers/bintarball.ts';
import { ARCHIVE_NAME, CONTAINER_KEY, MODEL_KEY, makeModelArchive, type ModelArchive } from '../helpers/fixtures.ts';

export { ARCHIVE_NAME, CONTAINER_KEY, MODEL_KEY, MODEL_NAME, MODEL_VERSION };

/** The bucket every in-process test stages into; the bintarball tree lives in it too. */
export const BUCKET = 'riva-deployments';
export const REGION = 'us-east-1';
export const RUN_ID = 'run-0001';
export const TOOL_VERSION = '0.0.0-test';
export const NOW = new Date('2025-09-02T08:00:00.000Z');
export const GITHUB: GithubRun = { repository: 'org/release', sha: 'abc123', run_id: '42', run_attempt: '1' };

export const sha256 = (body: Buffer | string): string => createHash('sha256').update(body).digest('hex');

/** The bucket of an in-memory S3 seeded like `seedBintarball`: the model archive and a container archive. */
export interface MemoryBintarball {
  readonly store: MemoryObjectStore;
  readonly bucket: string;
  readonly modelUri: string;
  readonly containerUri: string;
  readonly archive: ModelArchive;
}

let defaultArchive: Promise<ModelArchive> | undefined;

/** The default generated model archive, built once per test file: its bytes never change. */
export function sharedModelArchive(): Promise<ModelArchive> {
  defaultArchive ??= makeModelArchive();
  return defaultArchive;
}

/** A fresh in-memory store holding the bintarball tree (`bintarball/riva-models/…`, `bintarball/riva-containers/…`). */
export async function seedMemoryBintarball(
  options: { readonly archive?: ModelArchive | Buffer; readonly store?: MemoryObjectStoreOptions } = {},
): Promise<MemoryBintarball> {
  const store = new MemoryObjectStore(options.store);
  store.createBucket(BUCKET);
  const given = options.archive;
  const archive = given === undefined ? await sharedModelArchive() : Buffer.isBuffer(given) ? { bytes: given, files: {} } : given;
  store.putObject(BUCKET, MODEL_KEY, archive.bytes);
  store.putObject(BUCKET, CONTAINER_KEY, Buffer.from('riva-speech container image layers'));
  return {
    store,
    bucket: BUCKET,
    modelUri: `s3://${BUCKET}/${MODEL_KEY}`,
    containerUri: `s3://${BUCKET}/${CONTAINER_KEY}`,
    archive,
  };
}

type Inputs = Partial<Record<InputKey, string>>;

/** Any operation's configuration, from inputs keyed like `src/config/inputs.ts`, over the defaults of a typical step. */
export function configOf(tree: Pick<MemoryBintarball, 'bucket' | 'modelUri'>, inputs: Inputs = {}): RunConfig {
  return resolveConfig({
    inputs: {
      modelS3Uri: tree.modelUri,
      bucket: tree.bucket,
      modelName: MODEL_NAME,
      modelVersion: MODEL_VERSION,
      environment: 'dev',
      awsRegion: REGION,
      ...inputs,
    },
    env: {},
    envFile: {},
  });
}

function narrowed<Name extends RunConfig['operation']>(config: RunConfig, operation: Name): Extract<RunConfig, { operation: Name }> {
  if (config.operation !== operation) throw new TypeError(`expected a ${operation} configuration, got ${config.operation}`);
  return config as Extract<RunConfig, { operation: Name }>;
}

/** A staging of the bintarball's model in `mode` (the container referenced unless overridden). */
export function stageConfig(tree: MemoryBintarball, mode: Mode, inputs: Inputs = {}): StageConfig {
  return narrowed(configOf(tree, { mode, containerS3Uri: tree.containerUri, ...inputs }), 'stage');
}

export function verifyConfig(tree: MemoryBintarball, inputs: Inputs = {}): VerifyConfig {
  return narrowed(configOf(tree, { mode: 'verify', ...inputs }), 'verify');
}

export function promoteConfig(tree: MemoryBintarball, inputs: Inputs = {}): PromoteConfig {
  return narrowed(configOf(tree, { mode: 'promote', fromEnvironment: 'dev', environment: 'prod', ...inputs }), 'promote');
}

export function listConfig(tree: MemoryBintarball, inputs: Inputs = {}): ListConfig {
  return narrowed(configOf(tree, { mode: 'list', modelName: '', modelVersion: '', environment: '', ...inputs }), 'list');
}

export function deleteConfig(tree: MemoryBintarball, inputs: Inputs = {}): DeleteConfig {
  return narrowed(configOf(tree, { mode: 'delete', ...inputs }), 'delete');
}

/** The dependencies of one run, and what the run reported through them. */
export interface RecordedRun {
  readonly deps: OperationDependencies;
  readonly logLines: string[];
  /** What the run warned about at once (cleanup it could not do). */
  readonly warningLines: string[];
  readonly progressLines: string[];
  readonly statePath: string;
  /** The state file as the run left it on disk. */
  state(): Record<string, unknown>;
}

export interface OperationHarness {
  /** The dependencies of a new run against `store`: its own state file, a log and progress display collecting lines. */
  dependencies(store: MemoryObjectStore): RecordedRun;
}

/** Registers a temp folder per test (removed afterwards) for the runs' state files. */
export function useOperationHarness(): OperationHarness {
  let folder: string | undefined;
  let runs = 0;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'riva-operations-'));
    runs = 0;
  });
  afterEach(() => {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    folder = undefined;
  });
  return {
    dependencies(store) {
      if (folder === undefined) throw new Error('dependencies() is for use inside a test');
      runs += 1;
      const statePath = join(folder, `run-${runs}.json`);
      const logLines: string[] = [];
      const warningLines: string[] = [];
      const progressLines: string[] = [];
      const now = () => new Date(NOW);
      const deps: OperationDependencies = {
        store,
        state: new StateFile(statePath, { tool: 'riva-130-stage', run_id: RUN_ID }, now),
        runId: RUN_ID,
        toolVersion: TOOL_VERSION,
        github: GITHUB,
        now,
        log: (line) => logLines.push(line),
        warn: (line) => warningLines.push(line),
        progress: { intervalMs: 0, show: (line) => progressLines.push(line) },
      };
      return {
        deps,
        logLines,
        warningLines,
        progressLines,
        statePath,
        state: () => JSON.parse(readFileSync(statePath, 'utf8')) as Record<string, unknown>,
      };
    },
  };
}

/** Forgets every request the store recorded so far, so a test sees only the next run's. */
export function clearRequests(store: MemoryObjectStore): void {
  store.requests.length = 0;
}

/** The keys of `bucket` under `prefix`, relative to it. */
export function keysUnder(store: MemoryObjectStore, prefix: string, bucket = BUCKET): string[] {
  return store.keys(bucket).filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
}

/** A request's key without its bucket. */
export function keyOf(request: StoreRequest, bucket = BUCKET): string {
  expect(request.key.startsWith(`${bucket}/`)).toBe(true);
  return request.key.slice(bucket.length + 1);
}

/** The rejection of `promise`, failing the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

/** The stored text of an object that must exist. */
export function textOf(store: MemoryObjectStore, key: string, bucket = BUCKET): string {
  const body = store.getObject(bucket, key);
  if (body === undefined) throw new Error(`s3://${bucket}/${key} is not in the store`);
  return body.toString('utf8');
}
