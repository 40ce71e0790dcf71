#!/usr/bin/env -S node --
// (`--` keeps Node from taking this tool's --env-file flag as its own.)
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveConfig, type Operation } from './config/config.ts';
import { readEnvFile } from './config/env-file.ts';
import { INPUTS, type InputKey } from './config/inputs.ts';
import { COMMAND_LINE_SPELLING } from './config/spelling.ts';
import { chooseArchiveCache } from './cache/choose.ts';
import { cancelOnSignals, EXIT_CANCELLED } from './cancellation.ts';
import { CancelledError, ConfigurationError, errorMessage } from './errors.ts';
import { tuneGarbageCollection } from './gc-tuning.ts';
import { jsonDetails, plainText } from './report/render.ts';
import { prepareAwsEnvironment, runOperation } from './run.ts';
import { TOOL_VERSION } from './version.ts';

/** Exit codes: success, a staging that failed, and a command line or configuration to fix. */
const EXIT_OK = 0;
const EXIT_STAGING_FAILED = 1;
const EXIT_USAGE = 2;
/** A progress bar redraws this often on a terminal; logs get a line every few seconds. */
const BAR_INTERVAL_MS = 250;
const LOG_INTERVAL_MS = 5000;

const OPTIONS = {
  'bintarball-reference': { type: 'boolean' },
  'reference-only': { type: 'boolean' },
  full: { type: 'boolean' },
  verify: { type: 'boolean' },
  promote: { type: 'boolean' },
  list: { type: 'boolean' },
  delete: { type: 'boolean' },
  'from-environment': { type: 'string' },
  deep: { type: 'boolean' },
  timeout: { type: 'string' },
  'max-inflated-bytes': { type: 'string' },
  'env-file': { type: 'string' },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  docs: { type: 'boolean' },
  version: { type: 'boolean' },
} as const;

const MODE_FLAGS: ReadonlyArray<[keyof typeof OPTIONS, Operation]> = [
  ['bintarball-reference', 'bintarball-reference'],
  ['reference-only', 'reference-only'],
  ['full', 'full'],
  ['verify', 'verify'],
  ['promote', 'promote'],
  ['list', 'list'],
  ['delete', 'delete'],
];

/** The command line: flags and the same variables as the action → the same staging. */
async function main(argv: readonly string[], stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream, cancellation: AbortSignal): Promise<number> {
  let flags;
  try {
    flags = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true }).values;
  } catch (error) {
    stderr.write(`riva-130-stage: ${errorMessage(error)}\nRun riva-130-stage --help for usage.\n`);
    return EXIT_USAGE;
  }
  if (flags.help) {
    stdout.write(usage());
    return EXIT_OK;
  }
  if (flags.version) {
    stdout.write(`${TOOL_VERSION}\n`);
    return EXIT_OK;
  }
  if (flags.docs) {
    stdout.write(readFileSync(documentationPath(), 'utf8'));
    return EXIT_OK;
  }
  const modes = MODE_FLAGS.filter(([flag]) => flags[flag]).map(([, mode]) => mode);
  if (modes.length > 1) {
    stderr.write(`riva-130-stage: choose one of ${MODE_FLAGS.map(([flag]) => `--${flag}`).join(', ')}\n`);
    return EXIT_USAGE;
  }

  const progressOnTerminal = stderr.isTTY === true && !process.env.CI;
  const log = (message: string) => {
    if (progressOnTerminal) stderr.write('\r\u001b[2K');
    stderr.write(`${message}\n`);
  };
  try {
    const inputs: Partial<Record<InputKey, string>> = {
      ...(modes[0] ? { mode: modes[0] } : {}),
      ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
      ...(flags['max-inflated-bytes'] !== undefined ? { maxInflatedBytes: flags['max-inflated-bytes'] } : {}),
      ...(flags['env-file'] !== undefined ? { envFile: flags['env-file'] } : {}),
      ...(flags['dry-run'] ? { dryRun: 'true' } : {}),
      ...(flags.force ? { force: 'true' } : {}),
      ...(flags.deep ? { deep: 'true' } : {}),
      ...(flags['from-environment'] !== undefined ? { fromEnvironment: flags['from-environment'] } : {}),
    };
    const envFile = readEnvFile(inputs.envFile, process.cwd());
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
        ? { intervalMs: BAR_INTERVAL_MS, show: (line: string) => stderr.write(`\r\u001b[2K${progressBar(line)}`) }
        : { intervalMs: LOG_INTERVAL_MS, show: log },
    };
    const { cache } = await chooseArchiveCache(config, 'command-line', process.env);
    const { result, outputs, failure } = await runOperation(config, { ...context, cache, cancellation }, reporter);
    if (progressOnTerminal) stderr.write('\r\u001b[2K');
    if (flags.json) {
      stdout.write(`${JSON.stringify({ ...outputs, 'run-id': runId, 'state-file': stateFile, ...jsonDetails(result) })}\n`);
    } else {
      stdout.write(`${plainText(result)}\n`);
    }
    if (failure === undefined) return EXIT_OK;
    stderr.write(`riva-130-stage: ${failure}\n`);
    return EXIT_STAGING_FAILED;
  } catch (error) {
    if (progressOnTerminal) stderr.write('\r\u001b[2K');
    stderr.write(`riva-130-stage: ${errorMessage(error)}\n`);
    if (error instanceof CancelledError) return EXIT_CANCELLED;
    return error instanceof ConfigurationError ? EXIT_USAGE : EXIT_STAGING_FAILED;
  }
}

/**
 * README.md of the installed package (dist/cli/index.js → ../../README.md). Built at run time so
 * the bundler leaves the file where it is instead of trying to bundle it.
 */
function documentationPath(): string {
  const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return join(packageRoot, ['README', 'md'].join('.'));
}

/** `Reading …: 42.0% (…)` → the same with a bar in front, for a terminal. */
function progressBar(line: string): string {
  const percent = Number(/: ([\d.]+)%/.exec(line)?.[1] ?? 0);
  const width = 24;
  const filled = Math.round((Math.min(percent, 100) / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line}`;
}

function usage(): string {
  const variables = Object.values(INPUTS)
    .filter((input) => input.env.length > 0)
    .map((input) => `  ${input.env.join(', ').padEnd(44)} ${input.input}`)
    .join('\n');
  return `Usage: riva-130-stage [--bintarball-reference | --reference-only | --full | --verify [--deep]
                       | --promote --from-environment=ENV | --list | --delete] [--timeout=SECONDS] [--env-file=PATH]
                      [--max-inflated-bytes=SIZE] [--dry-run] [--force] [--json] [--help] [--docs] [--version]

Stages an NVIDIA Riva ASR model archive that sits in S3 for deployment (pipeline step 130).

Modes:
  --bintarball-reference   metadata beside the bintarball tree (default, recommended)
  --reference-only         a staging area whose metadata points at the archive
  --full                   a staging area that also holds the archive, its .riva files and checksums
  --verify [--deep]        re-check a staged deployment (with --deep, re-hash its files); writes nothing
  --promote --from-environment=ENV
                           copy the verified staging of environment ENV to $ENV, server-side
  --list                   list every staging in $NVIDIA_DRIVERS_S3_BUCKET (narrowed by $ENV, model, version)
  --delete                 remove the staging of $ENV, marker first (--dry-run lists what would go)

Options:
  --timeout=SECONDS        stop cleanly after this long
  --max-inflated-bytes=SIZE
                           full mode: refuse an archive that inflates to more (e.g. 64GiB; default
                           the larger of 16x the archive and 1 GiB)
  --env-file=PATH          KEY=VALUE file to load (default: .env when present)
  --dry-run                plan and print what would be written, write nothing
  --force                  re-stage even when an identical staging is complete
  --json                   print the outputs as one JSON object on stdout (logs go to stderr)
  --docs                   print the full documentation
  --version                print the version

Configuration comes from environment variables (and .env):
${variables}

Exit status: 0 staged (or already staged, planned, verified, promoted, listed, deleted), 1 the run failed,
2 usage or configuration error, 130 cancelled (SIGINT or SIGTERM; uploads aborted, nothing marked staged).
`;
}

tuneGarbageCollection();
const cancel = cancelOnSignals();
const exitCode = await main(process.argv.slice(2), process.stdout, process.stderr, cancel.signal);
cancel.dispose();
// A cancelled run has cleaned up; it ends now rather than when every socket has wound down.
if (exitCode === EXIT_CANCELLED) process.exit(exitCode);
process.exitCode = exitCode;
