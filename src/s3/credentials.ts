import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Makes the environment safe for the SDK's credential chain, returning warnings to show:
 * - an empty `AWS_PROFILE` (a leftover of `env:` blocks) is dropped;
 * - a named profile that no shared config file defines, while keys are in the environment, is
 *   dropped with a warning: the SDK would otherwise prefer the missing profile and fail.
 */
export function prepareCredentialEnvironment(
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string | undefined,
): string[] {
  const profile = env.AWS_PROFILE?.trim();
  if (env.AWS_PROFILE !== undefined && !profile) {
    delete env.AWS_PROFILE;
    return [];
  }
  if (!profile || !env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) return [];
  const configFile = env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config');
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials');
  const sections = [readFile(configFile), readFile(credentialsFile)].flatMap((text) => sectionNames(text ?? ''));
  if (sections.includes(profile) || sections.includes(`profile ${profile}`)) return [];
  delete env.AWS_PROFILE;
  return [
    `AWS_PROFILE is "${profile}", but no such profile is in ${configFile} or ${credentialsFile}; ` +
      'using the credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY instead.',
  ];
}

function sectionNames(ini: string): string[] {
  return [...ini.matchAll(/^\s*\[([^\]]+)\]\s*$/gm)].map((match) => (match[1] ?? '').trim());
}
