import { describeInput } from '../config/inputs.ts';
import { ValidationError } from '../errors.ts';
import { formatBytes } from '../format.ts';

const GIB = 1024 ** 3;
/** Model weights barely compress: a genuine model archive inflates to little more than its size. */
const DEFAULT_RATIO = 16;
const DEFAULT_RULE = `default: the larger of ${DEFAULT_RATIO}× the archive's size and 1 GiB`;

/** `max-inflated-bytes` when it is not set: the larger of 16× the archive's size and 1 GiB. */
export function defaultMaxInflatedBytes(archiveSizeBytes: number): number {
  return Math.max(DEFAULT_RATIO * archiveSizeBytes, GIB);
}

/**
 * Counts the bytes an archive inflates to (tar headers, padding and skipped entries included)
 * against `max-inflated-bytes`, and checks each entry's claimed size against what is left of it
 * before anything sizes itself by that claim. Each method returns the error to fail with.
 */
export class InflationLimit {
  readonly #maxBytes: number;
  #inflated = 0;
  /** Where the chunk being parsed starts: an entry it declares lies after this. */
  #chunkStart = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** The next chunk out of the decompressor, before it is parsed. */
  inflated(bytes: number): ValidationError | undefined {
    this.#chunkStart = this.#inflated;
    this.#inflated += bytes;
    if (this.#inflated <= this.#maxBytes) return undefined;
    return new ValidationError(
      `The model archive inflates to more than ${this.#describeLimit()}. Raise the limit only for an archive known to be genuine.`,
    );
  }

  /** An entry's size as its tar (or PAX) header claims it. */
  claimed(path: string, sizeBytes: number): ValidationError | undefined {
    const left = this.#maxBytes - this.#chunkStart;
    if (sizeBytes <= left) return undefined;
    return new ValidationError(
      `The archive entry ${JSON.stringify(path)} claims ${describeBytes(sizeBytes)}, more than ` +
        `${left < this.#maxBytes ? `the ${describeBytes(left)} left of ` : ''}${this.#describeLimit()}. ` +
        'Raise the limit only for an archive known to be genuine.',
    );
  }

  #describeLimit(): string {
    return `the ${describeBytes(this.#maxBytes)} that ${describeInput('maxInflatedBytes')} allows (${DEFAULT_RULE})`;
  }
}

/** `1.00 GiB (1073741824 bytes)`: readable, and exact for whoever sets the limit. */
function describeBytes(bytes: number): string {
  return bytes < 1024 ? formatBytes(bytes) : `${formatBytes(bytes)} (${bytes} bytes)`;
}
