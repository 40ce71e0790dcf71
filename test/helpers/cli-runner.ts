import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_ENTRY = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));

export interface CliRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the bundled command line as an installed `bin` runs: the file itself, through its
 * shebang (PATH's node is the Node 24 of node_modules/.bin under npm scripts). The environment
 * is clean: PATH, HOME (a folder of its own, removed after the run) and TMPDIR (the tests'
 * temporary directory, where the run's state file goes), plus `env`.
 */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
  options: { terminal?: boolean } = {},
): Promise<CliRun> {
  const home = mkdtempSync(join(tmpdir(), 'riva-cli-'));
  // On a terminal: util-linux `script` gives the command a pseudo-terminal (stdout and stderr
  // then arrive together on stdout).
  const [command, commandArgs] = options.terminal
    ? ['script', ['--quiet', '--return', '--command', [CLI_ENTRY, ...args].join(' '), '/dev/null']]
    : [CLI_ENTRY, args];
  const child = spawn(command, commandArgs, {
    cwd: cwd ?? home,
    env: { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: tmpdir(), AWS_EC2_METADATA_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  rmSync(home, { recursive: true, force: true });
  return { exitCode, stdout, stderr };
}
