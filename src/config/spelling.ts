import type { Operation } from './config.ts';
import { INPUTS, flagOf, type InputKey } from './inputs.ts';

/** How an entry point spells an input the user gave, a mode, and how to choose modes. */
export interface InputSpelling {
  /** `deep` in the action, `--deep` on the command line. */
  readonly input: (key: InputKey) => string;
  /** `mode verify`, or `--verify`. */
  readonly mode: (mode: Operation) => string;
  /** How to choose `modes` instead: "set `mode` to promote", or "add --promote". */
  readonly choose: (modes: readonly Operation[]) => string;
}

/** The action's words: its input names and `mode`. */
export const ACTION_SPELLING: InputSpelling = {
  input: (key) => `\`${INPUTS[key].input}\``,
  mode: (mode) => `mode ${mode}`,
  choose: (modes) => (modes.length === 1 ? `set \`mode\` to ${modes[0]}` : 'set `mode` to one of those'),
};

/** The command line's words: its flags (named as the inputs they set). */
export const COMMAND_LINE_SPELLING: InputSpelling = {
  input: (key) => `\`--${flagOf(key)}\``,
  mode: (mode) => `--${mode}`,
  choose: (modes) => (modes.length === 1 ? `add --${modes[0]}` : 'use one of those'),
};

/** `a`, `a or b`, `a, b or c`. */
export function oneOf(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
