// A network link of a given rate between the benchmark's S3 server and its clients, on one
// machine: loopback inside a private network namespace, where `tc` shapes the traffic to and from
// the server's port (HTB, one class each way) and leaves everything else alone. Users stage over
// a link that is the bottleneck; plain loopback measures a CPU contest instead.
import { execFileSync, spawnSync } from 'node:child_process';

/** Set in the benchmark's own copy that runs inside the private namespace. */
const NAMESPACE_MARK = 'RIVA_BENCH_PRIVATE_NETWORK';

/** Bytes that crossed the shaped link, per direction, since the link was shaped. */
export interface LinkBytes {
  /** From the server to its clients (downloads). */
  readonly down: number;
  /** From the clients to the server (uploads). */
  readonly up: number;
}

export interface ShapedLink {
  readonly bitsPerSecond: number;
  bytes(): LinkBytes;
  /** Back to plain loopback. */
  remove(): void;
}

/**
 * Re-runs this benchmark inside a private network namespace and exits with its status, when it
 * can; returns (in the namespace, or where it cannot) the reason shaping is unavailable, if any.
 */
export function enterPrivateNetwork(): string | undefined {
  if (process.env[NAMESPACE_MARK] === '1') {
    execFileSync('ip', ['link', 'set', 'lo', 'up']);
    return undefined;
  }
  const missing = unavailable();
  if (missing !== undefined) return missing;
  const run = spawnSync('unshare', ['-n', '--', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [NAMESPACE_MARK]: '1' },
  });
  if (run.error) return `unshare -n failed: ${run.error.message}`;
  process.exit(run.status ?? 1);
}

function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'shaping needs root (unshare -n and tc)';
  for (const command of ['unshare', 'tc', 'ip']) {
    if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) return `${command} is not installed`;
  }
  const probe = spawnSync('unshare', ['-n', '--', 'tc', 'qdisc', 'show', 'dev', 'lo'], { encoding: 'utf8' });
  if (probe.status !== 0) return `unshare -n is not permitted here: ${(probe.stderr || String(probe.error)).trim()}`;
  return undefined;
}

/**
 * Shapes loopback traffic from and to `ports` to `bitsPerSecond` in each direction, one link all
 * of them share (as a runner's services share its network interface). Unclassified
 * traffic (HTB's default 0) is sent unshaped. The burst is a millisecond or two at the rate, at
 * least one 64 KiB loopback segment, so the shaper neither stalls nor lets a second's worth through.
 */
export function shapeLink(ports: readonly number[], bitsPerSecond: number): ShapedLink {
  const rate = `${bitsPerSecond}bit`;
  const burst = `${Math.max(128 * 1024, Math.round(bitsPerSecond / 8 / 500))}b`;
  const tc = (...args: string[]) => execFileSync('tc', args, { encoding: 'utf8' });
  tc('qdisc', 'replace', 'dev', 'lo', 'root', 'handle', '1:', 'htb');
  for (const [classId, match] of [
    ['1:10', 'sport'],
    ['1:20', 'dport'],
  ] as const) {
    tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', classId, 'htb', 'rate', rate, 'ceil', rate, 'burst', burst, 'cburst', burst, 'quantum', '200000');
    for (const port of ports) {
      tc('filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', match, String(port), '0xffff', 'flowid', classId);
    }
  }
  const sent = (): LinkBytes => {
    const stats = tc('-s', 'class', 'show', 'dev', 'lo');
    const of = (classId: string) => Number(new RegExp(`class htb ${classId} [^\\n]*\\n\\s*Sent (\\d+) bytes`).exec(stats)?.[1] ?? NaN);
    return { down: of('1:10'), up: of('1:20') };
  };
  const start = sent();
  return {
    bitsPerSecond,
    bytes: () => {
      const now = sent();
      return { down: now.down - start.down, up: now.up - start.up };
    },
    remove: () => tc('qdisc', 'del', 'dev', 'lo', 'root'),
  };
}

/** `800mbit`, `2gbit`, `500kbit` or a number of bits per second. */
export function parseRate(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(k|m|g)?bit$/i.exec(text.trim()) ?? /^(\d+)()$/.exec(text.trim());
  if (!match) throw new Error(`a rate looks like 800mbit or 2gbit, got ${text}`);
  const scale = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[(match[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(match[1]) * scale);
}

export function formatRate(bitsPerSecond: number): string {
  return bitsPerSecond >= 1e9 ? `${bitsPerSecond / 1e9} Gbit/s` : `${bitsPerSecond / 1e6} Mbit/s`;
}
