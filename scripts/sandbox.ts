// `npm run sandbox`: an S3 server on loopback holding a synthetic bintarball, left running for
// you to try the command line against from another shell. It prints the variables to export and
// commands to paste, and runs until Ctrl-C, then removes its folder.
//
// `npm run sandbox -- --check` tries it as a user would: starts the sandbox, reads what it
// prints, runs each printed command with the printed variables, stops it, and exits 0 only if
// every command did and the sandbox's folder is gone.
// `--no-build` skips building dist/ (already built).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { seedBintarball, seedVariables } from '../test/helpers/bintarball.ts';
import { startS3Target, type S3Target } from '../test/helpers/s3-target.ts';
import { buildFirst } from './build-first.ts';

const REPOSITORY = join(import.meta.dirname, '..');
const COMMAND_PREFIX = 'npx node dist/cli/index.js';
/** The last line the sandbox prints once it is ready: what `--check` waits for. */
const READY_LINE = 'Ctrl-C stops the server and removes its folder.';
const FOLDER_LINE = /^Its objects are files under (\S+)$/m;

const { values: flags } = parseArgs({ options: { check: { type: 'boolean' }, 'no-build': { type: 'boolean' } } });
if (!flags['no-build']) buildFirst();
process.exitCode = flags.check ? await check() : await serve();

/** The sandbox itself: serves until SIGINT or SIGTERM; its folder is removed however it ends. */
async function serve(): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), 'riva-sandbox-'));
  let target: S3Target | undefined;
  try {
    target = await startS3Target({ directory: join(folder, 's3') });
    const tree = await seedBintarball(target);
    // With the archive's SHA-256 the reference mode hashes it (progress shown) and records the
    // hash, which gives `verify --deep` something to re-hash.
    const variables = { ...seedVariables(target, tree), RIVA_ASR_MODEL_SHA256: createHash('sha256').update(tree.archive.bytes).digest('hex') };
    console.log(`S3 server on ${target.endpoint}; bucket ${tree.bucket} holds a synthetic bintarball:`);
    console.log(`  ${tree.modelUri}\n  ${tree.containerUri}`);
    console.log(`Its objects are files under ${folder}\n`);
    console.log("In another shell, paste these (the seed pipeline's variables, pointing at this server):\n");
    console.log(`cd ${shellWord(REPOSITORY)}`);
    for (const [name, value] of Object.entries(variables)) console.log(`export ${name}=${shellWord(value)}`);
    console.log('\nthen try the command line (npx runs it on the Node 24 that npm ci installed):\n');
    console.log(`${COMMAND_PREFIX} --bintarball-reference   # stage ENV=dev: the archive hashed, metadata beside the tree`);
    console.log(`${COMMAND_PREFIX} --verify --deep          # re-check it, re-hashing the archive`);
    console.log(`${COMMAND_PREFIX} --list                   # every staging in the bucket`);
    console.log(`\n(${COMMAND_PREFIX} --help lists every mode and variable.)`);
    console.log(READY_LINE);

    // Against an external server (RIVA_TEST_S3_ENDPOINT) nothing else keeps the process alive
    // while it waits for Ctrl-C: without this timer Node would end it at once, skipping cleanup.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    }).finally(() => clearInterval(keepAlive));
    console.log(`\n${signal}: stopping the S3 server and removing ${folder}`);
    return 0;
  } finally {
    try {
      await target?.stop();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
}

/** Starts the sandbox as a user would, runs what it prints, stops it. */
async function check(): Promise<number> {
  const sandbox = spawn(process.execPath, [join(import.meta.dirname, 'sandbox.ts'), '--no-build'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => sandbox.on('close', resolve));
  let printed = '';
  for await (const line of createInterface({ input: sandbox.stdout })) {
    printed += `${line}\n`;
    if (line === READY_LINE) break;
  }
  console.log(printed.replace(/^/gm, '  │ '));
  const folder = FOLDER_LINE.exec(printed)?.[1];
  const setup = printed.split('\n').filter((line) => /^(cd|export) /.test(line));
  const commands = printed.split('\n').filter((line) => line.startsWith(`${COMMAND_PREFIX} `));
  const problems: string[] = [];
  if (folder === undefined || setup.length === 0 || commands.length !== 3) {
    problems.push(`expected a folder, export lines and three commands in what the sandbox printed; found ${setup.length} set-up lines and ${commands.length} commands`);
  }

  // Each command in a shell of its own, as pasted after the set-up lines; its own HOME and
  // temporary directory (state files) so the check leaves nothing behind.
  const scratch = mkdtempSync(join(tmpdir(), 'riva-sandbox-check-'));
  try {
    for (const command of commands) {
      console.log(`$ ${command}`);
      const exitCode = await runInShell([...setup, command].join('\n'), { PATH: process.env.PATH ?? '', HOME: scratch, TMPDIR: scratch });
      console.log(`(exit ${exitCode})\n`);
      if (exitCode !== 0) problems.push(`\`${command}\` exited ${exitCode}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    sandbox.kill('SIGINT');
  }
  const sandboxExit = await exited;
  if (sandboxExit !== 0) problems.push(`the sandbox exited ${sandboxExit} on SIGINT`);
  if (folder !== undefined && existsSync(folder)) problems.push(`the sandbox left ${folder} behind`);

  for (const problem of problems) console.error(`sandbox check: ${problem}`);
  if (problems.length === 0) console.log(`sandbox check: ${commands.length} commands exited 0; the sandbox stopped on SIGINT and removed its folder.`);
  return problems.length === 0 ? 0 : 1;
}

/** Runs `script` with sh in the repository, output shown indented; resolves to its exit code. */
function runInShell(script: string, env: Record<string, string>): Promise<number | null> {
  const shell = spawn('sh', ['-c', script], { cwd: REPOSITORY, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const indent = (chunk: Buffer) => chunk.toString().replace(/^(?=.)/gm, '  ');
  shell.stdout.on('data', (chunk: Buffer) => process.stdout.write(indent(chunk)));
  shell.stderr.on('data', (chunk: Buffer) => process.stdout.write(indent(chunk)));
  return new Promise((resolve) => shell.on('close', resolve));
}

/** `value` as one word for a POSIX shell: as is when that is safe, else single-quoted. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
