// Loaded into a process under test with `node --import` (see peak-rss.ts): on exit, however it
// exits, writes the process's peak resident memory in bytes to RIVA_TEST_PEAK_RSS_FILE.
import { readFileSync, writeFileSync } from 'node:fs';

const path = process.env.RIVA_TEST_PEAK_RSS_FILE;
if (path) {
  process.on('exit', () => writeFileSync(path, String(peakRssBytes())));
}

/**
 * The kernel's high-water mark of this process's resident memory (VmHWM). Not getrusage's
 * maxrss: Linux carries that across fork and exec, so a child reports at least the RSS its
 * parent had when it was spawned.
 */
function peakRssBytes(): number {
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  if (kib === undefined) throw new Error('/proc/self/status has no VmHWM: peak memory cannot be measured here');
  return Number(kib) * 1024;
}
