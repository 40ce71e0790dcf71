/** One retry: the operation, the attempt about to be made, and why the last one failed. */
export interface RetryEvent {
  readonly operation: string;
  readonly attempt: number;
  readonly reason: string;
}

/**
 * Counts the run's retries (the SDK's request retries and resumed downloads) and logs each once,
 * at debug level: a healthy run under throttling should not look alarming, yet the summary
 * still says how many there were.
 */
export class RetryLog {
  readonly #log: (message: string) => void;
  readonly #maxAttempts: number;
  #count = 0;

  constructor(maxAttempts: number, log: (message: string) => void) {
    this.#maxAttempts = maxAttempts;
    this.#log = log;
  }

  get count(): number {
    return this.#count;
  }

  record(event: RetryEvent): void {
    this.#count += 1;
    this.#log(`Retrying ${event.operation} (attempt ${event.attempt} of ${this.#maxAttempts}) after ${event.reason}`);
  }
}
