import { parseArgs } from 'node:util';
import { OPERATIONS, type Operation } from '../config/config.ts';
import { INPUTS, type InputDefinition, type InputKey } from '../config/inputs.ts';
import { ConfigurationError } from '../errors.ts';
import { closestMatch } from './did-you-mean.ts';

/**
 * The command line's flags. Every input of the action is a flag of the same name, derived from
 * INPUTS, so an input added there is a flag without further edits; the modes and the tool's
 * own flags (--json, --help …) come on top.
 */

/** A flag that sets an input: `--bucket=BUCKET`, or a switch `--force` / `--no-force`. */
export interface InputFlag {
  readonly key: InputKey;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly switch: boolean;
  /** What the value is called in `--help`. */
  readonly value: string;
  readonly env: readonly string[];
}

export const INPUT_FLAGS: readonly InputFlag[] = (Object.entries(INPUTS) as [InputKey, InputDefinition][]).map(([key, definition]) => ({
  key,
  name: definition.flag?.name ?? definition.input,
  aliases: definition.flag?.aliases ?? [],
  switch: definition.flag?.switch === true,
  value: definition.flag?.value ?? definition.input.split('-').at(-1)!.toUpperCase(),
  env: definition.env,
}));

/** What each mode flag does, for `--help` (`--verify` is `mode: verify`). */
export const MODE_FLAGS: Readonly<Record<Operation, string>> = {
  'bintarball-reference': 'metadata beside the bintarball tree (default, recommended)',
  'reference-only': 'a staging area whose metadata points at the archive',
  full: 'a staging area that also holds the archive, its .riva files and checksums',
  verify: 're-check a staged deployment (with --deep, re-hash its files); writes nothing',
  promote: 'copy the verified staging of --from-environment to --environment, server-side',
  list: 'list every staging in --bucket (narrowed by --environment, --model-name, --model-version)',
  delete: 'remove the staging of --environment, marker first (--dry-run lists what would go)',
  fetch: 'download the complete staging into --to DIR, every object pinned to its recorded ETag and proven by its SHA-256, with a manifest (--extract: also the .riva files of an archive staged by reference)',
};

/** The tool's own flags, which set no input. */
export const TOOL_FLAGS = {
  json: 'print the outputs as one JSON object on stdout (logs go to stderr)',
  help: 'print this help',
  docs: 'print the full documentation',
  version: 'print the version',
} as const;

type ToolFlag = keyof typeof TOOL_FLAGS;

/** What a command line asks for: inputs (as the action would get them) and the tool's own flags. */
export interface CommandLine {
  readonly inputs: Partial<Record<InputKey, string>>;
  readonly tool: Readonly<Record<ToolFlag, boolean>>;
}

/** Every spelling a flag is accepted under, with `no-` forms of switches. */
function namesOf(flag: InputFlag): string[] {
  const names = [flag.name, ...flag.aliases];
  return flag.switch ? [...names, ...names.map((name) => `no-${name}`)] : names;
}

/** Every flag name the command line knows, without the leading `--`. */
export function knownFlagNames(): string[] {
  return [...OPERATIONS, ...INPUT_FLAGS.flatMap(namesOf), ...Object.keys(TOOL_FLAGS)];
}

function parseOptions() {
  const options: Record<string, { type: 'boolean' | 'string'; short?: string }> = {};
  for (const mode of OPERATIONS) options[mode] = { type: 'boolean' };
  for (const flag of INPUT_FLAGS) {
    for (const name of namesOf(flag)) options[name] = { type: flag.switch ? 'boolean' : 'string' };
  }
  for (const name of Object.keys(TOOL_FLAGS)) options[name] = { type: 'boolean' };
  options.help = { type: 'boolean', short: 'h' };
  return options;
}

/** Parses the arguments; a mistake is a ConfigurationError (exit 2) saying what was meant. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const options = parseOptions();
  rejectUnknownFlags(argv, options);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, allowPositionals: false, strict: true }).values as typeof values;
  } catch (error) {
    throw new ConfigurationError((error as Error).message);
  }
  const inputs: Partial<Record<InputKey, string>> = {};
  for (const flag of INPUT_FLAGS) {
    const given = namesOf(flag).filter((name) => values[name] !== undefined);
    if (given.length > 1) throw new ConfigurationError(`${given.map((name) => `--${name}`).join(' and ')} set the same input: give one.`);
    const [name] = given;
    if (name === undefined) continue;
    const value = values[name];
    const negated = flag.switch && ![flag.name, ...flag.aliases].includes(name);
    inputs[flag.key] = typeof value === 'string' ? value : String(!negated);
  }
  const modes = [...new Set([...OPERATIONS.filter((mode) => values[mode] === true), ...(inputs.mode !== undefined ? [inputs.mode] : [])])];
  if (modes.length > 1) {
    throw new ConfigurationError(`choose one of ${OPERATIONS.map((mode) => `--${mode}`).join(', ')} (or --mode)`);
  }
  if (modes[0] !== undefined) inputs.mode = modes[0];
  const tool = Object.fromEntries(Object.keys(TOOL_FLAGS).map((name) => [name, values[name] === true])) as Record<ToolFlag, boolean>;
  return { inputs, tool };
}

/**
 * Before parseArgs, whose message for `--ful` is about positional arguments: an unknown flag is
 * named with the one it most likely meant. A value after a flag that takes one is skipped.
 */
function rejectUnknownFlags(argv: readonly string[], options: Record<string, { type: string }>): void {
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--') return;
    if (!argument.startsWith('--')) continue;
    const name = argument.slice(2).split('=')[0]!;
    const option = options[name];
    if (option === undefined) {
      const meant = closestMatch(name, knownFlagNames());
      throw new ConfigurationError(`Unknown option '--${name}'.${meant === undefined ? '' : ` Did you mean --${meant}?`}`);
    }
    if (option.type === 'string' && !argument.includes('=')) index++;
  }
}
