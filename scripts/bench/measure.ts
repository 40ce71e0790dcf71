import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Wall time and peak resident memory of a child process. */
export interface Measurement {
  readonly wallMs: number;
  readonly peakRssBytes: number;
}

/**
 * Samples a process's high-water mark of resident memory (VmHWM, which only grows) until it
 * exits; the last sample is its peak up to the sampling interval.
 */
export function samplePeakRss(child: ChildProcess, intervalMs = 50): () => number {
  let peak = 0;
  const sample = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peak = Math.max(peak, Number(match[1]) * 1024);
    } catch {
      // The process has exited.
    }
  };
  const timer = setInterval(sample, intervalMs);
  child.once('exit', () => clearInterval(timer));
  return () => peak;
}

/** Runs a Node script on this Node and measures it; rejects when it fails. */
export async function measureScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measurement> {
  const started = performance.now();
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const peak = samplePeakRss(child);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return { wallMs: performance.now() - started, peakRssBytes: peak() };
}
