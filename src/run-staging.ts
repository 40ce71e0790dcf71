import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArchiveCache } from './cache/archive-cache.ts';
import type { PromoteConfig, RunConfig, StageConfig, VerifyConfig } from './config/config.ts';
import { errorMessage } from './errors.ts';
import type { GithubRun } from './metadata.ts';
import { promote } from './modes/promote.ts';
import { verifyDeployment, type VerifyResult } from './modes/verify.ts';
import { createS3Client } from './s3/client.ts';
import { prepareCredentialEnvironment } from './s3/credentials.ts';
import { S3ObjectStore } from './s3/s3-object-store.ts';
import { RetryLog } from './s3/retry-log.ts';
import { stage, type StageResult } from './stage.ts';
import { StateFile } from './state-file.ts';
import { formatS3Uri } from './s3/uri.ts';
import { TOOL_VERSION } from './version.ts';

/** Where a run reports, whichever entry point (action or command line) started it. */
export interface RunReporter {
  info(message: string): void;
  debug(message: string): void;
  warning(message: string): void;
  /** Transfer progress; `intervalMs` is how often it is worth showing. */
  readonly progress: { readonly intervalMs: number; show(line: string): void };
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
}

/**
 * Sets up a run (credentials, state file, S3 client, deadline) and stages. Failures are rethrown
 * with the message a user needs; an expired `timeout` says where the run was.
 */
export async function runStaging(config: StageConfig | PromoteConfig, context: RunContext, reporter: RunReporter): Promise<StageResult> {
  const state =
    config.mode === 'promote'
      ? openStateFile(config, `promote-${config.fromEnvironment}-to-${config.environment}-${config.modelName}-${config.modelVersion}`, context, {
          environment: config.environment,
          from_environment: config.fromEnvironment,
        })
      : openStateFile(config, `${config.mode}-${config.environment}-${config.artifactId}`, context, {
          artifact_id: config.artifactId,
          environment: config.environment,
          source_uri: `s3://${config.model.bucket}/${config.model.key}`,
        });
  const { store, deadline, close } = openStore(config, reporter);
  try {
    const deps = {
      store,
      state,
      runId: context.runId,
      toolVersion: TOOL_VERSION,
      github: context.github,
      now: () => new Date(),
      log: (message: string) => reporter.info(message),
      progress: reporter.progress,
      cache: context.cache,
    };
    const result = config.mode === 'promote' ? await promote(config, deps) : await stage(config, deps);
    state.record({ outputs: stagingOutputs(result), retries: result.retries, finished_at: new Date().toISOString() });
    for (const warning of result.warnings) reporter.warning(warning);
    return result;
  } catch (error) {
    throw failed(error, config, state, deadline);
  } finally {
    close();
  }
}

/** `verify`: checks a staged deployment; mismatches are in the result, not thrown. */
export async function runVerification(config: VerifyConfig, context: RunContext, reporter: RunReporter): Promise<VerifyResult> {
  const name = 'metadata' in config.target ? 'metadata' : `${config.target.environment}-${config.target.modelName}-${config.target.modelVersion}`;
  const state = openStateFile(config, `verify-${name}`, context, {});
  const { store, deadline, close } = openStore(config, reporter);
  try {
    const result = await state.phase('verify', () => verifyDeployment(config, store, (message) => reporter.info(message)));
    state.record({
      status: result.mismatches.length === 0 ? 'verified' : 'failed',
      outputs: verificationOutputs(result),
      mismatches: result.mismatches,
      finished_at: new Date().toISOString(),
    });
    return result;
  } catch (error) {
    throw failed(error, config, state, deadline);
  } finally {
    close();
  }
}

function openStateFile(
  config: RunConfig,
  name: string,
  context: RunContext,
  fields: Record<string, unknown>,
): StateFile {
  const path = config.stateFile ?? join(context.stateDirectory, 'riva-130-stage', `${name}.json`);
  const state = new StateFile(path, {
    tool: 'riva-130-stage',
    tool_version: TOOL_VERSION,
    run_id: context.runId,
    mode: config.mode,
    ...fields,
    started_at: new Date().toISOString(),
  });
  context.onStateFile?.(state.path);
  return state;
}

/** The run's S3 access: one client with retries counted, every request bound to the deadline. */
function openStore(config: RunConfig, reporter: RunReporter) {
  const deadline = config.timeoutSeconds === undefined ? undefined : AbortSignal.timeout(config.timeoutSeconds * 1000);
  const retries = new RetryLog(config.maxAttempts, (message) => reporter.debug(message));
  const client = createS3Client({
    region: config.awsRegion,
    endpoint: config.s3Endpoint,
    maxAttempts: config.maxAttempts,
    stallTimeoutMs: stallTimeoutMs(process.env),
    onRetry: (event) => retries.record(event),
  });
  const store = new S3ObjectStore(client, { region: config.awsRegion, endpoint: config.s3Endpoint, signal: deadline, retries });
  return { store, deadline, close: () => client.destroy() };
}

/** The error to show for a failed run, recorded in the state file; an expired deadline says where. */
function failed(error: unknown, config: RunConfig, state: StateFile, deadline: AbortSignal | undefined): Error {
  const message = deadline?.aborted ? deadlineMessage(config, state) : errorMessage(error);
  state.record({ error: message, finished_at: new Date().toISOString() });
  return error instanceof Error && message === error.message ? error : new Error(message, { cause: error });
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

/** The values step 131 and scripts read, as the action's outputs name them. */
export function stagingOutputs(result: StageResult): Record<string, string> {
  const { metadata } = result;
  return {
    'deployment-json-uri': metadata.deployment.metadata_uri,
    'marker-uri': metadata.deployment.marker_uri,
    'artifact-id': metadata.artifact_id,
    mode: metadata.mode,
    status: result.status,
    'source-uri': metadata.source.uri,
    'source-size-bytes': String(metadata.source.size_bytes),
    'source-sha256': metadata.source.sha256 ?? '',
  };
}

/** The outputs of `verify`, named as the staging modes name theirs. */
export function verificationOutputs(result: VerifyResult): Record<string, string> {
  const { metadata } = result;
  return {
    'deployment-json-uri': formatS3Uri(result.layout.metadata),
    'marker-uri': formatS3Uri(result.layout.marker),
    'artifact-id': metadata?.artifact_id ?? '',
    mode: 'verify',
    status: result.mismatches.length === 0 ? 'verified' : 'failed',
    'source-uri': metadata?.source.uri ?? '',
    'source-size-bytes': metadata ? String(metadata.source.size_bytes) : '',
    'source-sha256': metadata?.source.sha256 ?? '',
  };
}

/** Tests and slow links may change how long a silent connection is tolerated (default 60 s). */
function stallTimeoutMs(env: NodeJS.ProcessEnv): number | undefined {
  const seconds = Number(env.RIVA_STAGE_STALL_TIMEOUT);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

function deadlineMessage(config: RunConfig, state: StateFile): string {
  const phase = state.currentPhase ?? 'start-up';
  const progress = state.lastProgress ? ` (${state.lastProgress})` : '';
  return (
    `The run's \`timeout\` (RIVA_STAGE_TIMEOUT) of ${config.timeoutSeconds} s expired during the ${phase} phase${progress}. ` +
    'It stopped cleanly: multipart uploads were aborted and no completion marker was written. Raise the timeout or re-run.'
  );
}
