import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a terminal showed while a command ran in it, and how the command ended. */
export interface TerminalRun {
  /** Every capture of the screen taken while the command ran, the last one after it ended. */
  readonly screens: ReadonlyArray<readonly string[]>;
  readonly exitCode: number;
}

const EXIT_LINE = /^\[exit (\d+)\]$/m;

/**
 * Runs `command` in a real pseudo-terminal of `columns` × `rows`: a detached tmux session (tmux
 * from Debian, on a socket of its own), its screen captured every `everyMs` until the command
 * exits. A capture joins the rows a long line wrapped onto (`-J`), so a line wider than the
 * terminal shows as one line longer than `columns`. The environment is `env` alone (plus PATH),
 * as for a user's shell with those variables exported.
 */
export async function runInTerminal(
  command: readonly string[],
  env: Record<string, string>,
  options: { columns: number; rows: number; everyMs?: number; timeoutMs?: number },
): Promise<TerminalRun> {
  const folder = mkdtempSync(join(tmpdir(), 'riva-tmux-'));
  const tmux = (...args: string[]) => run('tmux', ['-S', join(folder, 'socket'), '-f', '/dev/null', ...args]);
  const script = join(folder, 'run.sh');
  const assignments = Object.entries({ PATH: process.env.PATH ?? '', ...env }).map(([name, value]) => `${name}=${quoted(value)}`);
  writeFileSync(script, `env -i ${assignments.join(' ')} ${command.map(quoted).join(' ')}\necho "[exit $?]"\nexec sleep 600\n`);
  try {
    await tmux('new-session', '-d', '-x', String(options.columns), '-y', String(options.rows), 'sh', script);
    const screens: string[][] = [];
    const deadline = Date.now() + (options.timeoutMs ?? 45_000);
    for (;;) {
      const { stdout } = await tmux('capture-pane', '-p', '-J', '-S', '-', '-E', '-');
      const screen = stdout.replace(/\n+$/, '').split('\n');
      screens.push(screen);
      const exit = EXIT_LINE.exec(stdout);
      if (exit) return { screens, exitCode: Number(exit[1]) };
      if (Date.now() > deadline) throw new Error(`The command did not end in time; the screen shows:\n${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 50));
    }
  } finally {
    await tmux('kill-server').catch(() => undefined);
    rmSync(folder, { recursive: true, force: true });
  }
}

/** One word for sh, whatever it holds. */
function quoted(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
