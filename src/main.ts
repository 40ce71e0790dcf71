import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as core from '@actions/core';
import { resolveConfig } from './config/config.ts';
import { readEnvFile } from './config/env-file.ts';
import { INPUTS, type InputKey } from './config/inputs.ts';
import { chooseArchiveCache } from './cache/choose.ts';
import { loadActionsCache } from './cache/load-actions-cache.ts';
import { cancelOnSignals, EXIT_CANCELLED } from './cancellation.ts';
import { CancelledError, errorMessage } from './errors.ts';
import { githubRunFromEnv } from './metadata.ts';
import { writeSummary } from './report/job-summary.ts';
import { plainText } from './report/render.ts';
import { prepareAwsEnvironment, runOperation } from './run.ts';

const SECRET_VARIABLES = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
/** Progress lines in a job log: often enough to see movement, rarely enough not to flood it. */
const LOG_PROGRESS_INTERVAL_MS = 5000;

/** The action: inputs → the operation `mode` names → outputs and job summary; any failure → setFailed. */
export async function run(): Promise<void> {
  const cancel = cancelOnSignals();
  try {
    maskSecrets(process.env);
    const inputs = readInputs();
    // Only a file `env-file` names: a `.env` committed to the workspace is not read unasked.
    const { variables: envFile, warnings: envFileWarnings } = readEnvFile(inputs.envFile, process.env.GITHUB_WORKSPACE ?? process.cwd());
    maskSecrets(envFile);
    for (const warning of envFileWarnings) core.warning(warning);
    const config = resolveConfig({ inputs, env: process.env, envFile });
    for (const warning of prepareAwsEnvironment(process.env, envFile)) core.warning(warning);

    const runId = randomUUID();
    core.setOutput('run-id', runId);
    const context = {
      runId,
      github: githubRunFromEnv(process.env),
      stateDirectory: process.env.RUNNER_TEMP ?? tmpdir(),
      onStateFile: (path: string) => core.setOutput('state-file', path),
    };
    const reporter = {
      info: (message: string) => core.info(message),
      debug: (message: string) => core.debug(message),
      warning: (message: string) => core.warning(message),
      progress: { intervalMs: LOG_PROGRESS_INTERVAL_MS, show: (line: string) => core.info(line) },
    };
    const { cache, notice } = await chooseArchiveCache(config, 'action', process.env, loadActionsCache);
    if (notice) core.notice(notice);
    const { result, outputs, failure } = await runOperation(config, { ...context, cache, cancellation: cancel.signal }, reporter);
    setOutputs(outputs);
    // The Actions cache saves the archive now, with the marker and outputs out; the summary
    // comes after it (it says whether the entry was saved).
    await cache?.uploads?.settle();
    if (process.env.GITHUB_STEP_SUMMARY) await writeSummary(result);
    core.info(plainText(result));
    if (failure !== undefined) core.setFailed(failure);
  } catch (error) {
    core.setFailed(errorMessage(error));
    // A cancelled run has cleaned up; it ends now, with the code a shell gives an interrupted process.
    if (error instanceof CancelledError) process.exit(EXIT_CANCELLED);
  } finally {
    cancel.dispose();
  }
}

function setOutputs(outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
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
