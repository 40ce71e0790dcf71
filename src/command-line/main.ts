import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../config/config.ts';
import { DEFAULT_ENV_FILE, readEnvFile } from '../config/env-file.ts';
import { COMMAND_LINE_SPELLING } from '../config/spelling.ts';
import { chooseArchiveCache } from '../cache/choose.ts';
import { cancelOnSignals, EXIT_CANCELLED } from '../cancellation.ts';
import { CancelledError, ConfigurationError, errorMessage } from '../errors.ts';
import { tuneGarbageCollection } from '../gc-tuning.ts';
import { progressBarLine } from '../progress-bar.ts';
import { jsonDetails, plainText } from '../report/render.ts';
import { prepareAwsEnvironment, runOperation } from '../run.ts';
import type { ProgressSnapshot } from '../transfer-progress.ts';
import { TOOL_VERSION } from '../version.ts';
import { parseCommandLine } from './flags.ts';
import { usage } from './usage.ts';

/** Exit codes: success, a staging that failed, and a command line or configuration to fix. */
const EXIT_OK = 0;
const EXIT_STAGING_FAILED = 1;
const EXIT_USAGE = 2;
/** A progress bar redraws this often on a terminal; logs get a line every few seconds. */
const BAR_INTERVAL_MS = 250;
const LOG_INTERVAL_MS = 5000;

/** The command line: flags and the same variables as the action → the same staging. */
async function main(argv: readonly string[], stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream, cancellation: AbortSignal): Promise<number> {
  let commandLine;
  try {
    commandLine = parseCommandLine(argv);
  } catch (error) {
    stderr.write(`${prefixed(`${errorMessage(error)}\nRun riva-130-stage --help for usage.`)}\n`);
    return EXIT_USAGE;
  }
  const { inputs, tool } = commandLine;
  if (tool.help) {
    stdout.write(usage());
    return EXIT_OK;
  }
  if (tool.version) {
    stdout.write(`${TOOL_VERSION}\n`);
    return EXIT_OK;
  }
  if (tool.docs) {
    stdout.write(readFileSync(documentationPath(), 'utf8'));
    return EXIT_OK;
  }

  const progressOnTerminal = stderr.isTTY === true && !process.env.CI;
  // Messages are written in the action's words; here they name flags (`--force`, not `force`).
  const log = (message: string) => {
    if (progressOnTerminal) stderr.write('\r\u001b[2K');
    stderr.write(`${render(message)}\n`);
  };
  try {
    const { variables: envFile, warnings: envFileWarnings } = readEnvFile(inputs.envFile, process.cwd(), {
      fallback: DEFAULT_ENV_FILE,
      spelling: COMMAND_LINE_SPELLING,
    });
    for (const warning of envFileWarnings) log(`warning: ${warning}`);
    // A flag of another mode is named as a flag, with the modes it belongs to (`--deep` belongs to --verify or --promote).
    const config = resolveConfig({ inputs, env: process.env, envFile, spelling: COMMAND_LINE_SPELLING });
    for (const warning of prepareAwsEnvironment(process.env, envFile)) log(`warning: ${warning}`);
    const runId = randomUUID();
    let stateFile = '';
    const context = { runId, github: null, stateDirectory: tmpdir(), onStateFile: (path: string) => (stateFile = path) };
    const reporter = {
      info: log,
      debug: (message: string) => {
        if (process.env.RIVA_STAGE_DEBUG) log(message);
      },
      warning: (message: string) => log(`warning: ${message}`),
      progress: progressOnTerminal
        ? { intervalMs: BAR_INTERVAL_MS, show: (_line: string, snapshot: ProgressSnapshot) => stderr.write(`\r\u001b[2K${progressBarLine(snapshot, stderr.columns)}`) }
        : { intervalMs: LOG_INTERVAL_MS, show: log },
    };
    const { cache } = await chooseArchiveCache(config, 'command-line', process.env);
    const { result, outputs, failure } = await runOperation(config, { ...context, cache, cancellation }, reporter);
    if (progressOnTerminal) stderr.write('\r\u001b[2K');
    if (tool.json) {
      stdout.write(`${JSON.stringify({ ...outputs, 'run-id': runId, 'state-file': stateFile, ...jsonDetails(result) })}\n`);
    } else {
      stdout.write(`${render(plainText(result))}\n`);
    }
    if (failure === undefined) return EXIT_OK;
    stderr.write(`${prefixed(render(failure))}\n`);
    return EXIT_STAGING_FAILED;
  } catch (error) {
    if (progressOnTerminal) stderr.write('\r\u001b[2K');
    stderr.write(`${prefixed(render(errorMessage(error)))}\n`);
    if (error instanceof CancelledError) return EXIT_CANCELLED;
    return error instanceof ConfigurationError ? EXIT_USAGE : EXIT_STAGING_FAILED;
  }
}

const render = COMMAND_LINE_SPELLING.render;

/** Every line of a message carries the tool's name, so each says where it came from in a mixed log. */
function prefixed(message: string): string {
  return message
    .split('\n')
    .map((line) => `riva-130-stage: ${line}`)
    .join('\n');
}

/**
 * README.md of the installed package (dist/cli/index.js → ../../README.md). Built at run time so
 * the bundler leaves the file where it is instead of trying to bundle it.
 */
function documentationPath(): string {
  const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return join(packageRoot, ['README', 'md'].join('.'));
}

tuneGarbageCollection();
const cancel = cancelOnSignals();
const exitCode = await main(process.argv.slice(2), process.stdout, process.stderr, cancel.signal);
cancel.dispose();
// A cancelled run has cleaned up; it ends now rather than when every socket has wound down.
if (exitCode === EXIT_CANCELLED) process.exit(exitCode);
process.exitCode = exitCode;
