import { formatBytes } from './format.ts';

const MIB = 1024 * 1024;

/** Where a byte transfer stands: what a log line or a terminal's progress bar is drawn from. */
export interface ProgressSnapshot {
  readonly label: string;
  readonly bytes: number;
  readonly totalBytes: number;
  readonly bytesPerSecond: number;
  /** Undefined until bytes have moved (no rate, no estimate). */
  readonly etaSeconds: number | undefined;
}

/** Where transfer progress goes, and how often it is worth showing. */
export interface ProgressDisplay {
  readonly intervalMs: number;
  /** `line` for a log; `snapshot` for a display that lays the progress out itself (a terminal's bar). */
  show(line: string, snapshot: ProgressSnapshot): void;
}

/** The parts of a progress line, each of which a narrow display may leave out. */
export function progressFields(snapshot: ProgressSnapshot): { percent: string; bytes: string; rate: string; eta: string } {
  const percent = snapshot.totalBytes > 0 ? (100 * snapshot.bytes) / snapshot.totalBytes : 100;
  return {
    percent: `${Math.min(percent, 100).toFixed(1)}%`,
    bytes: `(${formatBytes(snapshot.bytes)} of ${formatBytes(snapshot.totalBytes)})`,
    rate: `${(snapshot.bytesPerSecond / MIB).toFixed(1)} MiB/s`,
    eta: `ETA ${snapshot.etaSeconds === undefined ? 'unknown' : `${snapshot.etaSeconds} s`}`,
  };
}

/** e.g. `Reading archive: 42.0% (1.55 GiB of 3.71 GiB), 85.3 MiB/s, ETA 26 s` */
export function describeProgress(snapshot: ProgressSnapshot): string {
  const fields = progressFields(snapshot);
  return `${snapshot.label}: ${fields.percent} ${fields.bytes}, ${fields.rate}, ${fields.eta}`;
}

/**
 * Progress of a byte transfer (percent, MiB/s, ETA), shown at most once per interval so a
 * multi-GB transfer does not flood the log.
 */
export class TransferProgress {
  readonly #label: string;
  readonly #totalBytes: number;
  readonly #show: (line: string, snapshot: ProgressSnapshot) => void;
  readonly #now: () => number;
  readonly #intervalMs: number;
  readonly #startedAt: number;
  #lastShownAt: number;
  #bytes = 0;

  constructor(
    label: string,
    totalBytes: number,
    show: (line: string, snapshot: ProgressSnapshot) => void,
    now: () => number = Date.now,
    intervalMs = 5000,
  ) {
    this.#label = label;
    this.#totalBytes = totalBytes;
    this.#show = show;
    this.#now = now;
    this.#intervalMs = intervalMs;
    this.#startedAt = now();
    this.#lastShownAt = this.#startedAt;
  }

  /** Shown on `display`, as often as it asks. */
  static on(display: ProgressDisplay, label: string, totalBytes: number): TransferProgress {
    return new TransferProgress(label, totalBytes, (line, snapshot) => display.show(line, snapshot), Date.now, display.intervalMs);
  }

  get bytes(): number {
    return this.#bytes;
  }

  add(bytes: number): void {
    this.#bytes += bytes;
    const now = this.#now();
    if (now - this.#lastShownAt >= this.#intervalMs) {
      this.#lastShownAt = now;
      this.#show(this.describe(now), this.snapshot(now));
    }
  }

  /** Shows the progress as it stands, whatever the interval (the last line, at the end). */
  showNow(): void {
    const now = this.#now();
    this.#lastShownAt = now;
    this.#show(this.describe(now), this.snapshot(now));
  }

  snapshot(now: number = this.#now()): ProgressSnapshot {
    const elapsedSeconds = Math.max((now - this.#startedAt) / 1000, 0.001);
    const bytesPerSecond = this.#bytes / elapsedSeconds;
    const remaining = Math.max(this.#totalBytes - this.#bytes, 0);
    return {
      label: this.#label,
      bytes: this.#bytes,
      totalBytes: this.#totalBytes,
      bytesPerSecond,
      etaSeconds: bytesPerSecond > 0 ? Math.ceil(remaining / bytesPerSecond) : undefined,
    };
  }

  /** e.g. `Reading archive: 42.0% (1.55 GiB of 3.71 GiB), 85.3 MiB/s, ETA 26 s` */
  describe(now: number = this.#now()): string {
    return describeProgress(this.snapshot(now));
  }
}
