import { formatBytes } from './format.ts';

const MIB = 1024 * 1024;

/** Where transfer progress lines go, and how often one is worth showing. */
export interface ProgressDisplay {
  readonly intervalMs: number;
  show(line: string): void;
}

/**
 * Progress of a byte transfer as log lines (percent, MiB/s, ETA), at most one per interval so
 * a multi-GB transfer does not flood the log.
 */
export class TransferProgress {
  readonly #label: string;
  readonly #totalBytes: number;
  readonly #log: (message: string) => void;
  readonly #now: () => number;
  readonly #intervalMs: number;
  readonly #startedAt: number;
  #lastLoggedAt: number;
  #bytes = 0;

  constructor(label: string, totalBytes: number, log: (message: string) => void, now: () => number = Date.now, intervalMs = 5000) {
    this.#label = label;
    this.#totalBytes = totalBytes;
    this.#log = log;
    this.#now = now;
    this.#intervalMs = intervalMs;
    this.#startedAt = now();
    this.#lastLoggedAt = this.#startedAt;
  }

  get bytes(): number {
    return this.#bytes;
  }

  add(bytes: number): void {
    this.#bytes += bytes;
    const now = this.#now();
    if (now - this.#lastLoggedAt >= this.#intervalMs) {
      this.#lastLoggedAt = now;
      this.#log(this.describe(now));
    }
  }

  /** e.g. `Reading archive: 42.0% (1.55 GiB of 3.71 GiB), 85.3 MiB/s, ETA 26 s` */
  describe(now: number = this.#now()): string {
    const elapsedSeconds = Math.max((now - this.#startedAt) / 1000, 0.001);
    const rate = this.#bytes / elapsedSeconds;
    const percent = this.#totalBytes > 0 ? (100 * this.#bytes) / this.#totalBytes : 100;
    const remaining = Math.max(this.#totalBytes - this.#bytes, 0);
    const eta = rate > 0 ? `${Math.ceil(remaining / rate)} s` : 'unknown';
    return (
      `${this.#label}: ${percent.toFixed(1)}% (${formatBytes(this.#bytes)} of ${formatBytes(this.#totalBytes)}), ` +
      `${(rate / MIB).toFixed(1)} MiB/s, ETA ${eta}`
    );
  }
}
