import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ACTION_ENTRY = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

export interface ActionRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  /** The job summary the step wrote (Markdown/HTML), '' when none. */
  readonly summary: string;
  /** The `::error::` lines the step printed, without the command prefix. */
  readonly errors: string[];
  readonly warnings: string[];
  readonly workspace: string;
}

export interface ActionRunOptions {
  /** By input name as in action.yml: becomes INPUT_<NAME> with hyphens kept. */
  readonly inputs?: Record<string, string>;
  /** Extra environment for the step (the seed's variables, credentials, …). */
  readonly env?: Record<string, string>;
  /** Files to place in the workspace before the run, by relative path. */
  readonly workspaceFiles?: Record<string, string>;
  /**
   * Called with the step's process as soon as it starts, and the file its outputs go to (the
   * benchmark samples its memory and notes when the outputs are out).
   */
  readonly onStart?: (child: ChildProcess, outputFile: string) => void;
}

/**
 * Runs the committed bundle the way the Actions runner does: a child process on this Node (24,
 * as `runs.using: node24`), inputs as INPUT_* variables, outputs, summary and state as files.
 * The environment starts empty apart from PATH and HOME, so nothing of the developer's AWS
 * set-up leaks in.
 */
export async function runAction(options: ActionRunOptions = {}): Promise<ActionRun> {
  if (!process.version.startsWith('v24.')) {
    throw new Error(`The action declares node24; run the tests on Node 24 (this is ${process.version}).`);
  }
  if (!existsSync(ACTION_ENTRY)) throw new Error(`${ACTION_ENTRY} is missing: run npm run build`);
  const root = mkdtempSync(join(tmpdir(), 'riva-runner-'));
  const workspace = join(root, 'workspace');
  const runnerTemp = join(root, 'runner-temp');
  mkdirSync(workspace);
  mkdirSync(runnerTemp);
  for (const [path, content] of Object.entries(options.workspaceFiles ?? {})) {
    writeFileSync(join(workspace, path), content);
  }
  const files = {
    GITHUB_OUTPUT: join(root, 'output'),
    GITHUB_STEP_SUMMARY: join(root, 'summary'),
    GITHUB_STATE: join(root, 'state'),
    GITHUB_ENV: join(root, 'env'),
    GITHUB_PATH: join(root, 'path'),
  };
  for (const path of Object.values(files)) writeFileSync(path, '');

  const inputs = Object.fromEntries(
    Object.entries(options.inputs ?? {}).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]),
  );
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: root,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'org/release-pipeline',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    RUNNER_TEMP: runnerTemp,
    // No instance-metadata probing on a developer's machine.
    AWS_EC2_METADATA_DISABLED: 'true',
    ...files,
    ...inputs,
    ...(options.env ?? {}),
  };

  const child = spawn(process.execPath, [ACTION_ENTRY], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  options.onStart?.(child, files.GITHUB_OUTPUT);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const commandLines = (command: string) =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith(`::${command}`))
      .map((line) => line.slice(line.indexOf('::', 2) + 2));
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    errors: commandLines('error'),
    warnings: commandLines('warning'),
    workspace,
  };
}

/** Reads the `name<<delimiter … delimiter` records @actions/core appends to GITHUB_OUTPUT. */
export function parseOutputFile(content: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = content.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[index] ?? '');
    if (!match) continue;
    const [, name = '', delimiter] = match;
    const value: string[] = [];
    for (index += 1; index < lines.length && lines[index] !== delimiter; index += 1) value.push(lines[index] ?? '');
    outputs[name] = value.join('\n');
  }
  return outputs;
}

/** Un-escapes a workflow command's data (`%0A` → newline, …). */
export function commandData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
