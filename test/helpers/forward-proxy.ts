import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real forward proxy for the tests: Squid (Debian's `squid` package), the proxy companies run,
 * on a loopback port. It resolves the host names it is given from a hosts file of its own, so a
 * test can use an endpoint name that only the proxy knows: a request that bypasses it fails.
 */
export interface ForwardProxy {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The requests the proxy served, from its access log: `GET http://host:port/path` (without the query), `CONNECT host:443`. */
  requests(): Promise<string[]>;
  stop(): Promise<void>;
}

const SQUID = '/usr/sbin/squid';

export async function startForwardProxy(hosts: Record<string, string>): Promise<ForwardProxy> {
  if (!existsSync(SQUID)) throw new Error('Squid is not installed: apt-get install squid (the proxy tests run a real forward proxy).');
  // Started as root, Squid drops to its own user, which must still reach and write this folder:
  // a TMPDIR of mode 0700 (a test's own, or a user's) would shut it out, so as root the folder
  // goes under the system's temporary directory, and is removed on stop like any other.
  const directory = mkdtempSync(join(process.getuid?.() === 0 ? '/tmp' : tmpdir(), 'riva-squid-'));
  chmodSync(directory, 0o777);
  const port = await freePort();
  const file = (name: string) => join(directory, name);
  writeFileSync(file('hosts'), Object.entries(hosts).map(([name, address]) => `${address} ${name}\n`).join(''));
  writeFileSync(
    file('squid.conf'),
    [
      `http_port 127.0.0.1:${port}`,
      `pid_filename ${file('squid.pid')}`,
      `cache_log ${file('cache.log')}`,
      `access_log stdio:${file('access.log')}`,
      `coredump_dir ${directory}`,
      `hosts_file ${file('hosts')}`,
      // No name server: only the hosts file resolves, so the test cannot reach anything else.
      'dns_nameservers 127.0.0.1',
      'cache deny all',
      'cache_mem 8 MB',
      'netdb_filename none',
      'pinger_enable off',
      'logfile_rotate 0',
      'buffered_logs off',
      'shutdown_lifetime 0 seconds',
      'http_access allow localhost',
      'http_access deny all',
      '',
    ].join('\n'),
  );
  const check = spawnSync(SQUID, ['-k', 'parse', '-f', file('squid.conf')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`squid rejected its configuration:\n${check.stderr}`);
  const child: ChildProcess = spawn(SQUID, ['-N', '-f', file('squid.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, () => child.exitCode !== null);
  } catch (error) {
    const log = existsSync(file('cache.log')) ? readFileSync(file('cache.log'), 'utf8').slice(-2000) : '';
    if (child.exitCode === null) child.kill('SIGTERM');
    rmSync(directory, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${log}`, { cause: error });
  }
  const readLog = () => (existsSync(file('access.log')) ? readFileSync(file('access.log'), 'utf8') : '');
  return {
    url: `http://127.0.0.1:${port}`,
    requests: async () => {
      // Each line is written when its request ends; give a just-finished one a moment to land.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return readLog()
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        // Method and URL; Squid logs a query string as a bare `?`. A connection that sent no request (the start-up probe) has no method.
        .filter((fields) => fields.length > 6 && fields[5] !== '-')
        .map((fields) => `${fields[5]} ${fields[6]!.replace(/\?.*$/, '')}`);
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitForPort(port: number, gaveUp: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (gaveUp()) throw new Error('squid exited while starting');
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`squid did not open port ${port}`);
}
