// `npm run bench`, start-up: a bintarball-reference staging without `expected-sha256` (a few
// small requests, no archive read through) run by the built action and by the command line,
// each paired with reference-baseline.ts, the same requests sent by a bare S3 client bundled
// the same way (ncc). What the pair's ratio measures is the tool's own start-up and overhead:
// loading its bundle, configuration, state file, outputs. On loopback, no link: nothing but
// start-up and round trips to show. Not a test: nothing asserts times.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { runAction } from '../../test/helpers/action-runner.ts';
import { credentialsEnv, MODEL_NAME, MODEL_VERSION, seedBintarball, seedVariables, stagingInputs, type Bintarball } from '../../test/helpers/bintarball.ts';
import { runCli } from '../../test/helpers/cli-runner.ts';
import { MODEL_KEY } from '../../test/helpers/fixtures.ts';
import type { S3Target } from '../../test/helpers/s3-target.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const NCC = join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
/** Clock ticks per second for /proc/<pid>/stat times; 100 on every Linux Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

type Contender = 'baseline' | 'action' | 'command line';
const CONTENDERS: readonly Contender[] = ['baseline', 'action', 'command line'];
/** One run: its wall time, and the CPU time of its process (and of any it waited for). */
type Timing = { readonly wallMs: number; readonly cpuMs: number };

/**
 * Bundles the baseline into `workDir`, then runs the three contenders `rounds` times each, one
 * round after another, in an order that rotates so that none always runs first, every run
 * staging a place of its own. Prints median wall and CPU times and the
 * median of the per-round ratios to the baseline.
 */
export async function reportStartUp(target: S3Target, workDir: string, rounds: number): Promise<void> {
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--start-rounds must be a whole number of rounds, 1 or more, got ${rounds}`);
  mkdirSync(workDir, { recursive: true });
  const baselineScript = bundleBaseline(workDir);
  const tree = await seedBintarball(target);
  const run = (contender: Contender, place: string) => timed(() => runContender(contender, target, tree, baselineScript, place));
  // One unmeasured run each: the files are in the page cache before the first pair.
  for (const contender of CONTENDERS) await run(contender, `warm-${slug(contender)}`);

  const before = loadavg();
  const timings = new Map<Contender, Timing[]>(CONTENDERS.map((contender) => [contender, []]));
  for (let round = 0; round < rounds; round += 1) {
    const order = CONTENDERS.map((_, index) => CONTENDERS[(index + round) % CONTENDERS.length]!);
    for (const contender of order) timings.get(contender)!.push(await run(contender, `round-${round}-${slug(contender)}`));
  }
  const baseline = timings.get('baseline')!;
  console.log(
    `Start-up: bintarball-reference without expected-sha256 (21 small requests) on loopback, ${rounds} rounds, ` +
      `load average ${formatLoad(before)} before, ${formatLoad(loadavg())} after:`,
  );
  console.log(
    `${'run'.padEnd(34)} ${'wall'.padStart(8)} ${'min'.padStart(8)} ${'/ baseline'.padStart(11)} ${'CPU'.padStart(8)} ${'/ baseline'.padStart(11)}`,
  );
  for (const contender of CONTENDERS) {
    const own = timings.get(contender)!;
    const walls = own.map((timing) => timing.wallMs);
    const cpus = own.map((timing) => timing.cpuMs);
    // The ratio of each round's pair, then their median: a burst of load on the shared machine
    // slows both runs of a round, and one slow round moves the median little.
    const ratio = (of: (timing: Timing) => number) =>
      contender === 'baseline' ? '—' : `${median(own.map((timing, round) => of(timing) / of(baseline[round]!))).toFixed(2)}×`;
    console.log(
      [
        LABELS[contender].padEnd(34),
        milliseconds(median(walls)).padStart(8),
        milliseconds(Math.min(...walls)).padStart(8),
        ratio((timing) => timing.wallMs).padStart(11),
        milliseconds(median(cpus)).padStart(8),
        ratio((timing) => timing.cpuMs).padStart(11),
      ].join(' '),
    );
  }
  console.log('(wall and CPU: medians; / baseline: the median of the rounds\' ratios)\n');
}

const LABELS: Record<Contender, string> = {
  baseline: 'baseline: S3 client, same requests',
  action: 'action (dist/index.js)',
  'command line': 'command line (dist/cli/index.js)',
};

/** reference-baseline.ts bundled as the action is (ncc, one file), into `workDir`. */
function bundleBaseline(workDir: string): string {
  const output = join(workDir, 'reference-baseline');
  rmSync(output, { recursive: true, force: true });
  const build = spawnSync(process.execPath, [NCC, 'build', join(import.meta.dirname, 'reference-baseline.ts'), '-o', output, '--quiet'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (build.status !== 0) throw new Error(`ncc could not bundle reference-baseline.ts (exit ${build.status})`);
  return join(output, 'index.js');
}

/** One staging at its own place (the environment names it), by the contender; rejects when it fails. */
async function runContender(contender: Contender, target: S3Target, tree: Bintarball, baseline: string, environment: string): Promise<void> {
  if (contender === 'action') {
    const run = await runAction({ inputs: stagingInputs(target, target.endpoint, tree, { mode: 'bintarball-reference', environment }), env: credentialsEnv(target) });
    rmSync(dirname(run.workspace), { recursive: true, force: true });
    if (run.exitCode !== 0) throw new Error(`The action failed: ${run.errors.join('\n')}\n${run.stdout}`);
    return;
  }
  const env = {
    ...seedVariables(target, tree, environment),
    // The command line's shebang runs the `node` on PATH: this one (Node 24).
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
  };
  if (contender === 'command line') {
    const run = await runCli(['--mode', 'bintarball-reference'], env);
    if (run.exitCode !== 0) throw new Error(`The command line failed: ${run.stderr}`);
    return;
  }
  const prefix = `bintarball/deployment-metadata/${environment}/${MODEL_NAME}/${MODEL_VERSION}/`;
  const child = spawn(process.execPath, [baseline, tree.bucket, MODEL_KEY, prefix], {
    env: { ...env, HOME: dirname(baseline), AWS_EC2_METADATA_DISABLED: 'true' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`The baseline failed (exit ${code})`);
}

/** Times one run, which must be this process's only child: its CPU is what the children's total grew by. */
async function timed(work: () => Promise<void>): Promise<Timing> {
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  await work();
  return { wallMs: performance.now() - started, cpuMs: childrenCpuMs() - cpuBefore };
}

/** User + system CPU time of this process's children that have ended and been waited for (cutime, cstime). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (which may hold spaces) start at state; cutime and cstime are 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function slug(contender: Contender): string {
  return contender.replace(/ /g, '-');
}

function milliseconds(ms: number): string {
  return `${Math.round(ms)} ms`;
}

function formatLoad(load: readonly number[]): string {
  return load.map((value) => value.toFixed(2)).join(' ');
}
