import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigurationError } from '../errors.ts';

export const DEFAULT_ENV_FILE = '.env';

/**
 * The variables of a `KEY=VALUE` file. An explicitly named file must exist; the default `.env`
 * is read only when present, so a workflow without one is unaffected.
 */
export function readEnvFile(explicitPath: string | undefined, cwd: string): Record<string, string> {
  const path = resolve(cwd, explicitPath ?? DEFAULT_ENV_FILE);
  if (!existsSync(path)) {
    if (explicitPath === undefined) return {};
    throw new ConfigurationError(
      `\`env-file\`: ${path} does not exist. Fix the path or remove the input.`,
    );
  }
  try {
    return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new ConfigurationError(`\`env-file\`: cannot read ${path}: ${(error as Error).message}`);
  }
}
