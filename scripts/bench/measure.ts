import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Wall time, peak resident memory and CPU time of a child process. */
export interface Measurement {
  readonly wallMs: number;
  readonly peakRssBytes: number;
  /** User + system CPU time of the measured process, up to the last sample before it exited. */
  readonly cpuMs: number;
}

export interface ProcessSampler {
  peakRssBytes(): number;
  cpuMs(): number;
}

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every Linux Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Samples a process's high-water mark of resident memory (VmHWM, which only grows) and its CPU
 * time until it exits; the last samples are its totals up to the sampling interval.
 */
export function sampleProcess(child: ChildProcess, intervalMs = 50): ProcessSampler {
  let peak = 0;
  let cpu = 0;
  const sample = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peak = Math.max(peak, Number(match[1]) * 1024);
      // Fields after the command name (which may hold spaces) start at state; utime and stime are 14 and 15.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    } catch {
      // The process has exited.
    }
  };
  const timer = setInterval(sample, intervalMs);
  child.once('exit', () => clearInterval(timer));
  return { peakRssBytes: () => peak, cpuMs: () => cpu };
}

/** Runs a Node script on this Node and measures it; rejects when it fails. */
export async function measureScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measurement> {
  const started = performance.now();
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const sampler = sampleProcess(child);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return { wallMs: performance.now() - started, peakRssBytes: sampler.peakRssBytes(), cpuMs: sampler.cpuMs() };
}

/**
 * Runs any command (a shell pipeline of several processes) under GNU time: CPU of the command and
 * every child it waited for, and the peak resident memory of the largest of them. Rejects when it fails.
 */
export async function measureCommand(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measurement> {
  const directory = mkdtempSync(join(tmpdir(), 'riva-bench-time-'));
  const report = join(directory, 'time');
  try {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', report, command, ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const wallMs = performance.now() - started;
    if (code !== 0) throw new Error(`${command} exited with ${code}`);
    const [user = 0, system = 0, peakKiB = 0] = readFileSync(report, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    return { wallMs, peakRssBytes: peakKiB * 1024, cpuMs: (user + system) * 1000 };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * CPU time the whole machine spends while `work` runs (all cores, from /proc/stat). Minus the
 * measured client's own CPU, it is what the S3 server on the same machine costs, whichever
 * server that is (the embedded one in this process, or Ceph RGW's daemons).
 */
export async function withMachineCpu<T>(work: () => Promise<T>): Promise<{ result: T; machineCpuMs: number }> {
  const before = machineBusyMs();
  const result = await work();
  return { result, machineCpuMs: machineBusyMs() - before };
}

function machineBusyMs(): number {
  // "cpu user nice system idle iowait irq softirq steal ...": everything but idle and iowait is busy.
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return ((total - fields[3]! - fields[4]!) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** The `Timeline` row of a staging's plain-text summary, as the run printed it; '' when it has none. */
export function timelineOf(stdout: string): string {
  return /^\s*Timeline\s+(.+)$/m.exec(stdout)?.[1]?.trim() ?? '';
}
