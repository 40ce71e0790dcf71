import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { resolveConfig, type StageConfig } from './config/config.ts';
import { readEnvFile } from './config/env-file.ts';
import { INPUTS, type InputKey } from './config/inputs.ts';
import { errorMessage } from './errors.ts';
import { githubRunFromEnv } from './metadata.ts';
import { plainTextSummary, writeJobSummary } from './report/summary.ts';
import { createS3Client, dropEmptyAwsProfile } from './s3/client.ts';
import { ObjectStore } from './s3/object-store.ts';
import { stage, type StageResult } from './stage.ts';
import { StateFile } from './state-file.ts';
import { TOOL_VERSION } from './version.ts';

const SECRET_VARIABLES = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

/** The action: inputs → stage() → outputs and job summary; any failure → setFailed. */
export async function run(): Promise<void> {
  const runId = randomUUID();
  let state: StateFile | undefined;
  try {
    maskSecrets(process.env);
    const inputs = readInputs();
    const envFile = readEnvFile(inputs.envFile, process.env.GITHUB_WORKSPACE ?? process.cwd());
    maskSecrets(envFile);
    const config = resolveConfig({ inputs, env: process.env, envFile });
    prepareAwsEnvironment(envFile);

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

    const signal = config.timeoutSeconds === undefined ? undefined : AbortSignal.timeout(config.timeoutSeconds * 1000);
    const client = createS3Client({
      region: config.awsRegion,
      endpoint: config.s3Endpoint,
      maxAttempts: config.maxAttempts,
    });
    const store = new ObjectStore(client, { region: config.awsRegion, endpoint: config.s3Endpoint, signal });
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
    state.record({ outputs, finished_at: new Date().toISOString() });
    await writeJobSummary(result);
    core.info(plainTextSummary(result));
  } catch (error) {
    state?.record({ error: errorMessage(error), finished_at: new Date().toISOString() });
    core.setFailed(errorMessage(error));
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
 * overriding anything the environment already sets.
 */
function prepareAwsEnvironment(envFile: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(envFile)) {
    if (name.startsWith('AWS_') && process.env[name] === undefined) process.env[name] = value;
  }
  dropEmptyAwsProfile(process.env);
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
