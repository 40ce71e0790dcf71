import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArchiveCache } from './cache/archive-cache.ts';
import type { RunConfig } from './config/config.ts';
import { CancelledError, errorMessage } from './errors.ts';
import type { GithubRun } from './metadata.ts';
import { operationFor, type OperationResult } from './operations/index.ts';
import { createS3Client } from './s3/client.ts';
import { sdkChecksumOf } from './s3/write-options.ts';
import { prepareCredentialEnvironment } from './s3/credentials.ts';
import { describeProxySettings, exportProxyInput } from './s3/proxy-settings.ts';
import { RetryLog } from './s3/retry-log.ts';
import { S3ObjectStore } from './s3/s3-object-store.ts';
import { StateFile } from './state-file.ts';
import type { ProgressDisplay } from './transfer-progress.ts';
import { TOOL_VERSION } from './version.ts';

/** Where a run reports, whichever entry point (action or command line) started it. */
export interface RunReporter {
  info(message: string): void;
  debug(message: string): void;
  warning(message: string): void;
  /** Transfer progress; `intervalMs` is how often it is worth showing. */
  readonly progress: ProgressDisplay;
}

export interface RunContext {
  readonly runId: string;
  readonly github: GithubRun | null;
  /** Folder for the default state file. */
  readonly stateDirectory: string;
  /** Told the state file's path as soon as it exists, before anything can fail. */
  readonly onStateFile?: (path: string) => void;
  /** Full mode: where archives are kept between runs. */
  readonly cache?: ArchiveCache | undefined;
  /** Aborted when the run is cancelled (SIGINT/SIGTERM): the run stops as it does at its deadline. */
  readonly cancellation?: AbortSignal;
}

/** A finished run: the operation's result, its outputs, and why it failed if it completed but failed (verify's mismatches). */
export interface RunOutcome {
  readonly result: OperationResult;
  readonly outputs: Record<string, string>;
  readonly failure: string | undefined;
}

/**
 * Sets up a run (credentials, state file, S3 client, deadline) and runs the operation the
 * configuration names. Failures are rethrown with the message a user needs; an expired
 * `timeout` says where the run was.
 */
export async function runOperation(config: RunConfig, context: RunContext, reporter: RunReporter): Promise<RunOutcome> {
  const operation = await operationFor(config);
  const state = openStateFile(config, operation.stateFile(config), context, reporter);
  const { store, deadline, close } = openStore(config, reporter, context.cancellation);
  try {
    const result = await operation.run(config, {
      store,
      state,
      runId: context.runId,
      toolVersion: TOOL_VERSION,
      github: context.github,
      now: () => new Date(),
      log: (message: string) => reporter.info(message),
      warn: (message: string) => reporter.warning(message),
      progress: reporter.progress,
      cache: context.cache,
    });
    const outputs = operation.outputs(result);
    state.record({ outputs, retries: store.retries?.count ?? 0, finished_at: new Date().toISOString() });
    for (const warning of operation.warnings(result)) reporter.warning(warning);
    return { result, outputs, failure: operation.failure(result) };
  } catch (error) {
    throw failed(error, config, state, deadline, context.cancellation);
  } finally {
    close();
  }
}

function openStateFile(
  config: RunConfig,
  file: { name: string; fields: Record<string, unknown> },
  context: RunContext,
  reporter: RunReporter,
): StateFile {
  const path = config.stateFile ?? join(context.stateDirectory, 'riva-130-stage', `${file.name}.json`);
  const header = {
    tool: 'riva-130-stage',
    tool_version: TOOL_VERSION,
    run_id: context.runId,
    mode: config.mode,
    ...file.fields,
    started_at: new Date().toISOString(),
  };
  // A state file that cannot be written is a warning: the staging itself does not depend on it.
  const state = new StateFile(path, header, undefined, (message) => reporter.warning(message));
  context.onStateFile?.(state.path);
  return state;
}

/** The run's S3 access: one client with retries counted, every request bound to the deadline and to cancellation. */
function openStore(config: RunConfig, reporter: RunReporter, cancellation: AbortSignal | undefined) {
  const { connection } = config;
  const deadline = connection.timeoutSeconds === undefined ? undefined : AbortSignal.timeout(connection.timeoutSeconds * 1000);
  const stops = [deadline, cancellation].filter((signal) => signal !== undefined);
  const retries = new RetryLog(connection.maxAttempts, (message) => reporter.debug(message));
  if (connection.proxy !== undefined) {
    reporter.info(describeProxySettings(connection.proxy));
    exportProxyInput(connection.proxy, process.env);
  }
  const client = createS3Client({
    region: connection.region,
    endpoint: connection.endpoint,
    maxAttempts: connection.maxAttempts,
    stallTimeoutMs: connection.stallTimeoutSeconds === undefined ? undefined : connection.stallTimeoutSeconds * 1000,
    onRetry: (event) => retries.record(event),
    onBucketRegion: (bucket, region) => reporter.info(`The bucket ${bucket} is in ${region}, not ${connection.region}: its requests go to ${region}.`),
    proxy: connection.proxy,
    onlyRequiredChecksums: sdkChecksumOf(config.objectWrites.checksum) === undefined,
  });
  const signal = stops.length > 0 ? AbortSignal.any(stops) : undefined;
  const store = new S3ObjectStore(client, { region: connection.region, endpoint: connection.endpoint, signal, retries, writes: config.objectWrites });
  return { store, deadline, close: () => client.destroy() };
}

/**
 * The error to show for a failed run, recorded in the state file: a cancelled run or an expired
 * deadline says where it stopped, whatever error the abort surfaced as.
 */
function failed(error: unknown, config: RunConfig, state: StateFile, deadline: AbortSignal | undefined, cancellation: AbortSignal | undefined): Error {
  if (cancellation?.aborted) {
    const message = cancelledMessage(config, cancellation, state);
    state.record({ status: 'cancelled', cancelled_phase: state.currentPhase ?? 'start-up', error: message, finished_at: new Date().toISOString() });
    return new CancelledError(message, { cause: error });
  }
  const message = deadline?.aborted ? deadlineMessage(config, state) : errorMessage(error);
  state.record({ error: message, finished_at: new Date().toISOString() });
  return error instanceof Error && message === error.message ? error : new Error(message, { cause: error });
}

function cancelledMessage(config: RunConfig, cancellation: AbortSignal, state: StateFile): string {
  const why = cancellation.reason instanceof Error ? cancellation.reason.message : 'Cancelled';
  const phase = state.currentPhase ?? 'start-up';
  return `${why} during the ${phase} phase. ${cleanupOnStop(config)} A re-run continues or starts over.`;
}

/**
 * What a stopped (cancelled or expired) run of `config`'s operation cleaned up on its way out:
 * only what that operation writes, so that the line a user reads is true of it.
 */
export function cleanupOnStop(config: RunConfig): string {
  const unreleased = '(a warning or a log line names anything that could not be)';
  switch (config.operation) {
    case 'stage':
      if (config.dryRun) return 'It was a dry run: it wrote nothing, so there was nothing to clean up.';
      return config.mode === 'full'
        ? `It stopped without writing a completion marker: its multipart uploads were aborted, the objects a re-run could not reuse removed and its lease released ${unreleased}.`
        : `It stopped without writing a completion marker, and released its lease ${unreleased}.`;
    case 'promote':
      if (config.dryRun) return 'It was a dry run: it wrote nothing, so there was nothing to clean up.';
      return `It stopped without writing the target's completion marker: its multipart copies were aborted and the target's lease released ${unreleased}.`;
    case 'delete':
      if (config.dryRun) return 'It was a dry run: it deleted nothing, so there was nothing to clean up.';
      return `It released its lease ${unreleased}; it deletes the marker first, so a staging it left part-deleted is not marked complete, and a re-run deletes the rest.`;
    case 'fetch':
      return 'It removed its partly written files; the whole, proven ones stay in the destination, listed in its manifest, for a re-run to keep.';
    case 'verify':
    case 'list':
      return 'It only reads, so there was nothing to clean up.';
  }
}

/**
 * Lets the SDK's credential chain see what a `.env` file provides (keys, profile), without
 * overriding anything the environment already sets; then clears profile settings that would
 * break a run that has keys. Returns warnings to show.
 */
export function prepareAwsEnvironment(env: NodeJS.ProcessEnv, envFile: Readonly<Record<string, string>>): string[] {
  for (const [name, value] of Object.entries(envFile)) {
    if (name.startsWith('AWS_') && env[name] === undefined) env[name] = value;
  }
  return prepareCredentialEnvironment(env, (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  });
}

function deadlineMessage(config: RunConfig, state: StateFile): string {
  const phase = state.currentPhase ?? 'start-up';
  const progress = state.lastProgress ? ` (${state.lastProgress})` : '';
  return (
    `The run's \`timeout\` (RIVA_STAGE_TIMEOUT) of ${config.connection.timeoutSeconds} s expired during the ${phase} phase${progress}. ` +
    `${cleanupOnStop(config)} Raise the timeout or re-run.`
  );
}
