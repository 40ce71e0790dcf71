import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { resolveConfig, type StageConfig } from './config/config.ts';
import { readEnvFile } from './config/env-file.ts';
import { INPUTS, type InputKey } from './config/inputs.ts';
import { errorMessage } from './errors.ts';
import { githubRunFromEnv } from './metadata.ts';
import { plainTextSummary, writeJobSummary } from './report/summary.ts';
import { createS3Client } from './s3/client.ts';
import { prepareCredentialEnvironment } from './s3/credentials.ts';
import { ObjectStore } from './s3/object-store.ts';
import { RetryLog } from './s3/retry-log.ts';
import { stage, type StageResult } from './stage.ts';
import { StateFile } from './state-file.ts';
import { TOOL_VERSION } from './version.ts';

const SECRET_VARIABLES = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

/** The action: inputs → stage() → outputs and job summary; any failure → setFailed. */
export async function run(): Promise<void> {
  const runId = randomUUID();
  let state: StateFile | undefined;
  let deadline: AbortSignal | undefined;
  let config: StageConfig | undefined;
  try {
    maskSecrets(process.env);
    const inputs = readInputs();
    const envFile = readEnvFile(inputs.envFile, process.env.GITHUB_WORKSPACE ?? process.cwd());
    maskSecrets(envFile);
    config = resolveConfig({ inputs, env: process.env, envFile });
    for (const warning of prepareAwsEnvironment(envFile)) core.warning(warning);

    state = new StateFile(config.stateFile ?? defaultStatePath(config), {
      tool: 'riva-130-stage',
      tool_version: TOOL_VERSION,
      run_id: runId,
      mode: config.mode,
      artifact_id: config.artifactId,
      environment: config.environment,
      source_uri: `s3://${config.model.bucket}/${config.model.key}`,
      started_at: new Date().toISOString(),
    });
    core.setOutput('run-id', runId);
    core.setOutput('state-file', state.path);

    deadline = config.timeoutSeconds === undefined ? undefined : AbortSignal.timeout(config.timeoutSeconds * 1000);
    const retries = new RetryLog(config.maxAttempts, (message) => core.debug(message));
    const client = createS3Client({
      region: config.awsRegion,
      endpoint: config.s3Endpoint,
      maxAttempts: config.maxAttempts,
      stallTimeoutMs: stallTimeoutMs(process.env),
      onRetry: (event) => retries.record(event),
    });
    const store = new ObjectStore(client, { region: config.awsRegion, endpoint: config.s3Endpoint, signal: deadline, retries });
    const result = await stage(config, {
      store,
      state,
      runId,
      toolVersion: TOOL_VERSION,
      github: githubRunFromEnv(process.env),
      now: () => new Date(),
      log: (message) => core.info(message),
    });
    client.destroy();

    const outputs = setOutputs(result);
    for (const warning of result.warnings) core.warning(warning);
    state.record({ outputs, retries: result.retries, finished_at: new Date().toISOString() });
    await writeJobSummary(result);
    core.info(plainTextSummary(result));
  } catch (error) {
    const message = deadline?.aborted && config ? deadlineMessage(config, state) : errorMessage(error);
    state?.record({ error: message, finished_at: new Date().toISOString() });
    core.setFailed(message);
  }
}

function readInputs(): Partial<Record<InputKey, string>> {
  const inputs: Partial<Record<InputKey, string>> = {};
  for (const key of Object.keys(INPUTS) as InputKey[]) {
    const value = core.getInput(INPUTS[key].input);
    if (value !== '') inputs[key] = value;
  }
  return inputs;
}

/** Registers secret values with the runner before anything can log them. */
function maskSecrets(variables: Readonly<Record<string, string | undefined>>): void {
  for (const name of SECRET_VARIABLES) {
    const value = variables[name];
    if (value) core.setSecret(value);
  }
}

/**
 * Lets the SDK's credential chain see what a `.env` file provides (keys, profile), without
 * overriding anything the environment already sets; then clears profile settings that would
 * break a run that has keys.
 */
function prepareAwsEnvironment(envFile: Readonly<Record<string, string>>): string[] {
  for (const [name, value] of Object.entries(envFile)) {
    if (name.startsWith('AWS_') && process.env[name] === undefined) process.env[name] = value;
  }
  return prepareCredentialEnvironment(process.env, (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  });
}

/** Tests and slow links may change how long a silent connection is tolerated (default 60 s). */
function stallTimeoutMs(env: NodeJS.ProcessEnv): number | undefined {
  const seconds = Number(env.RIVA_STAGE_STALL_TIMEOUT);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

function deadlineMessage(config: StageConfig, state: StateFile | undefined): string {
  const phase = state?.currentPhase ?? 'start-up';
  const progress = state?.lastProgress ? ` (${state.lastProgress})` : '';
  return (
    `The run's \`timeout\` (RIVA_STAGE_TIMEOUT) of ${config.timeoutSeconds} s expired during the ${phase} phase${progress}. ` +
    'It stopped cleanly: multipart uploads were aborted and no completion marker was written. Raise the timeout or re-run.'
  );
}

function defaultStatePath(config: StageConfig): string {
  const directory = process.env.RUNNER_TEMP ?? tmpdir();
  return join(directory, 'riva-130-stage', `${config.mode}-${config.environment}-${config.artifactId}.json`);
}

function setOutputs(result: StageResult): Record<string, string> {
  const { metadata } = result;
  const outputs: Record<string, string> = {
    'deployment-json-uri': metadata.deployment.metadata_uri,
    'marker-uri': metadata.deployment.marker_uri,
    'artifact-id': metadata.artifact_id,
    mode: metadata.mode,
    status: result.status,
    'source-uri': metadata.source.uri,
    'source-size-bytes': String(metadata.source.size_bytes),
    'source-sha256': metadata.source.sha256 ?? '',
  };
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
  return outputs;
}
