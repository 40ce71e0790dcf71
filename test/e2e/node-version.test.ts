import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ACTION_ENTRY } from '../helpers/action-runner.ts';
import { CLI_ENTRY } from '../helpers/cli-runner.ts';

// On a Node older than 24 both entries say so in one line and exit 2, before the AWS SDK loads
// (it would print its own block of version warnings first).

/** Makes this Node report itself as 20, as the SDK's own check reads it, before the entry runs. */
const PRETEND_NODE_20 =
  "data:text/javascript,Object.defineProperty(process,'version',{value:'v20.19.0'});Object.defineProperty(process.versions,'node',{value:'20.19.0'});";
/** A real older Node, where the machine has one (Debian's). */
const SYSTEM_NODE = '/usr/bin/node';
const systemNodeMajor = existsSync(SYSTEM_NODE) ? Number(execFileSync(SYSTEM_NODE, ['--version'], { encoding: 'utf8' }).slice(1).split('.')[0]) : undefined;

const home = mkdtempSync(join(tmpdir(), 'riva-node-version-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function run(node: string, args: string[]): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const child = spawn(node, args, { cwd: home, env: { PATH: process.env.PATH ?? '', HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { exitCode, stdout, stderr };
}

const ONE_LINE = /^riva-130-stage: needs Node\.js 24 or later, but this is Node\.js 20\.\d+\.\d+: run it with Node 24 \(.*\)\.\n$/;

describe('an older Node', () => {
  it('the command line: one line on stderr, exit 2, nothing from the SDK', async () => {
    const result = await run(process.execPath, ['--import', PRETEND_NODE_20, CLI_ENTRY, '--full']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(ONE_LINE);
    expect(result.stdout).toBe('');
  });

  it('the action: one error annotation, exit 2, nothing from the SDK', async () => {
    const result = await run(process.execPath, ['--import', PRETEND_NODE_20, ACTION_ENTRY]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toMatch(/^::error::riva-130-stage needs Node\.js 24 or later, but this is Node\.js 20\.19\.0: .*\n$/);
    expect(result.stderr).toBe('');
  });

  it.runIf(systemNodeMajor !== undefined && systemNodeMajor < 24)(`the command line under ${SYSTEM_NODE} (Node ${systemNodeMajor})`, async () => {
    const result = await run(SYSTEM_NODE, [CLI_ENTRY, '--help']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.replace(/Node\.js \d+\.\d+\.\d+:/, 'Node.js 20.0.0:')).toMatch(ONE_LINE);
    expect(result.stdout).toBe('');
  });

  it('runs on this Node', async () => {
    const result = await run(process.execPath, [CLI_ENTRY, '--version']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
  });
});
