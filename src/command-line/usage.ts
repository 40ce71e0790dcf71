import { OPERATIONS } from '../config/config.ts';
import { INPUT_FLAGS, MODE_FLAGS, TOOL_FLAGS, type InputFlag } from './flags.ts';

/**
 * `--help`, rendered from the option table in flags.ts; README's command-line synopsis is this
 * same text (`npm run docs`), so neither can leave a flag out.
 */
export function usage(): string {
  return `${synopsis()}

Stages an NVIDIA Riva ASR model archive that sits in S3 for deployment
(pipeline step 130).

Modes (one at most; the default is --bintarball-reference, or --mode=MODE or
RIVA_STAGE_MODE):
${columns(OPERATIONS.map((mode) => [`--${mode}`, MODE_FLAGS[mode]]))}

Inputs: every input of the action, as a flag of the same name. Each takes its
value from the flag, else the environment variable, else the .env file (./.env,
or --env-file=PATH). README's inputs table (riva-130-stage --docs) says what
each one means.
${columns(INPUT_FLAGS.map((flag) => [spellings(flag), flag.env.join(', ') || '(flag only)']))}

Output and help:
${columns(Object.entries(TOOL_FLAGS).map(([name, meaning]) => [`--${name}`, meaning]))}

Exit status: 0 staged (or already staged, planned, verified, promoted, listed,
deleted), 1 the run failed, 2 usage or configuration error, 130 cancelled
(SIGINT or SIGTERM; uploads aborted, nothing marked staged).
`;
}

/** The usage lines: the modes, then the flags that take no value, then the rest by placeholder. */
export function synopsis(): string {
  // `[--a`, `| --b`, `| --c]`: the choice of modes may break between its alternatives.
  const modes = OPERATIONS.map((mode, index) => `${index === 0 ? '[' : '| '}--${mode}${index === OPERATIONS.length - 1 ? ']' : ''}`);
  const switches = INPUT_FLAGS.filter((flag) => flag.switch).map((flag) => `[--[no-]${flag.name}]`);
  const words = [...modes, ...switches, '[--INPUT=VALUE ...]', '[--json]'];
  const indent = ' '.repeat('Usage: riva-130-stage '.length);
  return `${wrap(words, 'Usage: riva-130-stage ', indent)}\n       riva-130-stage --help | --docs | --version`;
}

/** `--cache | --no-cache`, `--aws-region=REGION (or --region)`. */
function spellings(flag: InputFlag): string {
  const main = flag.switch ? `--${flag.name} | --no-${flag.name}` : `--${flag.name}=${flag.value}`;
  return flag.aliases.length === 0 ? main : `${main} (or ${flag.aliases.map((alias) => `--${alias}`).join(', ')})`;
}

/** Fits an 80-column terminal. */
const LINE_WIDTH = 80;
const NAME_WIDTH = 37;

/** Two columns, the text wrapped; a name too long for its column puts its text on the next line. */
function columns(rows: readonly (readonly [string, string])[]): string {
  const indent = ' '.repeat(NAME_WIDTH);
  return rows
    .map(([name, text]) => {
      const first = name.length <= NAME_WIDTH - 4 ? `  ${name.padEnd(NAME_WIDTH - 2)}` : `  ${name}\n${indent}`;
      return wrap(text.split(' '), first, indent);
    })
    .join('\n');
}

/** Words joined by spaces, broken before the line would pass LINE_WIDTH. */
function wrap(words: readonly string[], first: string, indent: string): string {
  const lines: string[] = [];
  let line = first;
  for (const word of words) {
    const width = line.length - (line.lastIndexOf('\n') + 1);
    if (width + word.length > LINE_WIDTH && line !== first && line !== indent) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += `${word} `;
  }
  return [...lines, line.trimEnd()].join('\n');
}
