import type { Operation } from './config.ts';
import { INPUTS, flagName, type InputDefinition, type InputKey } from './inputs.ts';

/**
 * Messages are written once, in the action's words (`force`, "set the `from-environment`
 * input"); each entry point renders them in its own: the action as they are, the command line
 * with its flags. Configuration errors, which know the input they name, ask the spelling
 * directly; every other message passes through `render` on its way to the terminal.
 */
export interface InputSpelling {
  /** `deep` in the action, `--deep` on the command line. */
  readonly input: (key: InputKey) => string;
  /** `model-version` (MODEL_VERSION), or `--model-version` (MODEL_VERSION). */
  readonly describe: (key: InputKey) => string;
  /** Where to give a missing value: "set the `bucket` input or NVIDIA_DRIVERS_S3_BUCKET", or "pass `--bucket` or set NVIDIA_DRIVERS_S3_BUCKET". */
  readonly supply: (key: InputKey) => string;
  /** "remove the `env-file` input", or "drop `--env-file`". */
  readonly remove: (key: InputKey) => string;
  /** `mode verify`, or `--verify`. */
  readonly mode: (mode: Operation) => string;
  /** How to choose `modes` instead: "set `mode` to promote", or "add --promote". */
  readonly choose: (modes: readonly Operation[]) => string;
  /** A message written in the action's words, in this surface's words. */
  readonly render: (message: string) => string;
}

const variablesOf = (key: InputKey): readonly string[] => INPUTS[key].env;
const withVariables = (name: string, key: InputKey) => (variablesOf(key).length > 0 ? `${name} (${variablesOf(key).join(' or ')})` : name);

/** The action's words: its input names and `mode`. */
export const ACTION_SPELLING: InputSpelling = {
  input: (key) => `\`${INPUTS[key].input}\``,
  describe: (key) => withVariables(`\`${INPUTS[key].input}\``, key),
  supply: (key) => `set the \`${INPUTS[key].input}\` input${variablesOf(key).length > 0 ? ` or ${variablesOf(key).join(' or ')}` : ''}`,
  remove: (key) => `remove the \`${INPUTS[key].input}\` input`,
  mode: (mode) => `mode ${mode}`,
  choose: (modes) => (modes.length === 1 ? `set \`mode\` to ${modes[0]}` : 'set `mode` to one of those'),
  render: (message) => message,
};

/** The command line's words: its flags (named as the inputs they set). */
export const COMMAND_LINE_SPELLING: InputSpelling = {
  input: (key) => `\`--${flagName(key)}\``,
  describe: (key) => withVariables(`\`--${flagName(key)}\``, key),
  supply: (key) => `pass \`--${flagName(key)}\`${variablesOf(key).length > 0 ? ` or set ${variablesOf(key).join(' or ')}` : ''}`,
  remove: (key) => `drop \`--${flagName(key)}\``,
  mode: (mode) => `--${mode}`,
  choose: (modes) => (modes.length === 1 ? `add --${modes[0]}` : 'use one of those'),
  render: (message) => COMMAND_LINE_PHRASES.reduce((text, [phrase, replacement]) => text.replace(phrase, replacement), message),
};

/** Each input's name in the action's words → its flag's name. */
const FLAG_NAMES: ReadonlyMap<string, string> = new Map((Object.keys(INPUTS) as InputKey[]).map((key) => [INPUTS[key].input, flagName(key)]));
const SWITCHES: ReadonlySet<string> = new Set(
  (Object.values(INPUTS) as InputDefinition[]).flatMap((definition) => (definition.flag?.switch === true ? [definition.input] : [])),
);
const flagOf = (whole: string, name: string) => (FLAG_NAMES.has(name) ? `\`--${FLAG_NAMES.get(name)!}\`` : whole);

/**
 * The one table of what the command line says differently, applied in order: a phrase in the
 * action's words on the left, the command line's on the right.
 */
const COMMAND_LINE_PHRASES: ReadonlyArray<readonly [RegExp, (whole: string, ...groups: string[]) => string]> = [
  // "set the `from-environment` input" → "pass `--from-environment`".
  [/\b([Ss])et the `([a-z0-9-]+)` input\b/g, (whole, s, name) => (FLAG_NAMES.has(name!) ? `${s === 'S' ? 'P' : 'p'}ass \`--${FLAG_NAMES.get(name!)!}\`` : whole)],
  [/\bthe `([a-z0-9-]+)` input\b/g, (whole, name) => flagOf(whole, name!)],
  // "set `force` to re-stage" → "add `--force` to re-stage": a switch is added, not set.
  [/\b([Ss])et `([a-z0-9-]+)`/g, (whole, s, name) => (SWITCHES.has(name!) ? `${s === 'S' ? 'A' : 'a'}dd \`--${name}\`` : whole)],
  [/`([a-z0-9-]+)`/g, (whole, name) => flagOf(whole, name!)],
  // Credentials: a terminal has no workflow step to hand it a role.
  [/the role given to aws-actions\/configure-aws-credentials/g, () => 'a profile from `aws configure` or `aws sso login`'],
];

/** `a`, `a or b`, `a, b or c`. */
export function oneOf(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
