import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigurationError } from '../errors.ts';
import { ACTION_SPELLING, type InputSpelling } from './spelling.ts';

/** The file the command line reads when `env-file` names none (the action reads none unasked). */
export const DEFAULT_ENV_FILE = '.env';

export interface EnvFile {
  readonly variables: Record<string, string>;
  /** One per line that is not `KEY=VALUE`, a comment or blank: such a line is ignored. */
  readonly warnings: readonly string[];
}

export interface EnvFileOptions {
  /**
   * Read when `env-file` names no file and it is present: `.env` on the command line. The action
   * has none, so a file committed to a workspace cannot redirect a release job's endpoint or
   * credentials unless the workflow names it.
   */
  readonly fallback?: string;
  readonly spelling?: InputSpelling;
}

const NO_FILE: EnvFile = { variables: {}, warnings: [] };

/** The variables of a `KEY=VALUE` file. An explicitly named file must exist; the fallback is read only when present. */
export function readEnvFile(explicitPath: string | undefined, cwd: string, options: EnvFileOptions = {}): EnvFile {
  const spelling = options.spelling ?? ACTION_SPELLING;
  const named = explicitPath ?? options.fallback;
  if (named === undefined) return NO_FILE;
  const path = resolve(cwd, named);
  if (!existsSync(path)) {
    if (explicitPath === undefined) return NO_FILE;
    throw new ConfigurationError(`${spelling.input('envFile')}: ${path} does not exist. Fix the path, or ${spelling.remove('envFile')}.`);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(`${spelling.input('envFile')}: cannot read ${path}: ${(error as Error).message}`);
  }
  // The line number only: the line itself may hold a secret.
  const warnings = malformedLines(text).map((line) => `${path} line ${line} is not KEY=VALUE, a comment or blank: it was ignored.`);
  return { variables: parseEnv(text) as Record<string, string>, warnings };
}

const ASSIGNMENT = /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=(.*)$/;
const QUOTES = ['"', "'", '`'];

/**
 * The 1-based numbers of the lines parseEnv ignores without a word: neither blank, a comment,
 * `KEY=VALUE` (`export` allowed), nor inside a quoted value that spans lines.
 */
export function malformedLines(text: string): number[] {
  const lines = text.split(/\r?\n/);
  const malformed: number[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const assignment = ASSIGNMENT.exec(line);
    if (assignment === null) {
      malformed.push(index + 1);
      continue;
    }
    const value = assignment[1]!.trim();
    const quote = value[0];
    // A value opened by a quote that this line does not close goes on to the line that does.
    if (quote !== undefined && QUOTES.includes(quote) && !value.slice(1).includes(quote)) {
      const closing = lines.findIndex((later, laterIndex) => laterIndex > index && later.includes(quote));
      if (closing > index) index = closing;
    }
  }
  return malformed;
}
