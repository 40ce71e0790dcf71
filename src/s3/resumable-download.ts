import { Readable } from 'node:stream';
import { ValidationError } from '../errors.ts';
import { backoffDelay, isTransient, sleep } from './backoff.ts';
import { errorCodeOf, httpStatusOf } from './errors.ts';
import type { ObjectStore } from './object-store.ts';
import type { S3Location } from './uri.ts';

export interface DownloadOptions {
  /** The ETag discovery saw: every request is pinned to it, so a changed object fails the run. */
  readonly etag: string;
  readonly sizeBytes: number;
  readonly maxAttempts: number;
  readonly what: string;
  readonly onBytes?: (bytes: number) => void;
  readonly log?: (message: string) => void;
}

/**
 * The object's bytes as one stream. When the connection breaks, the download resumes from the
 * byte it reached (`Range: bytes=N-`, `If-Match: <etag>`) after a backoff, instead of starting
 * over, up to `maxAttempts` consecutive failures.
 */
export function resumableDownload(store: ObjectStore, location: S3Location, options: DownloadOptions): Readable {
  return Readable.from(downloadChunks(store, location, options), { objectMode: false, highWaterMark: 1024 * 1024 });
}

async function* downloadChunks(store: ObjectStore, location: S3Location, options: DownloadOptions): AsyncGenerator<Buffer> {
  let offset = 0;
  let failures = 0;
  while (offset < options.sizeBytes) {
    let body: Readable | undefined;
    // An error thrown in at the yield is the consumer's (the stream destroyed with it), not the download's.
    let yielding = false;
    try {
      body = await store.openRead(location, { ifMatch: options.etag, offset });
      for await (const chunk of body) {
        const buffer = chunk as Buffer;
        offset += buffer.length;
        failures = 0;
        options.onBytes?.(buffer.length);
        yielding = true;
        yield buffer;
        yielding = false;
      }
      if (offset < options.sizeBytes) {
        throw Object.assign(new Error(`the response ended at byte ${offset} of ${options.sizeBytes}`), { code: 'ECONNRESET' });
      }
      if (offset > options.sizeBytes) {
        throw new ValidationError(`${options.what} grew while it was read (${offset} bytes, expected ${options.sizeBytes}).`);
      }
    } catch (error) {
      if (yielding || error instanceof ValidationError) throw error;
      // The run was cancelled or its deadline passed: not a broken connection to resume.
      if (store.signal?.aborted) throw store.describeError(error, `download ${options.what}`, location);
      if (httpStatusOf(error) === 412 || errorCodeOf(error) === 'PreconditionFailed') {
        throw new ValidationError(
          `${options.what} changed while it was read (its ETag is no longer ${options.etag}). Re-run to stage the new object.`,
        );
      }
      failures += 1;
      if (!isTransient(error) || failures >= options.maxAttempts) {
        throw store.describeError(error, `download ${options.what} (at byte ${offset}, attempt ${failures})`, location);
      }
      const delay = backoffDelay(failures);
      store.retries?.record({ operation: `GetObject ${options.what} from byte ${offset}`, attempt: failures + 1, reason: errorCodeOf(error) });
      options.log?.(
        `Download of ${options.what} interrupted at byte ${offset} (${errorCodeOf(error)}); resuming in ${delay} ms ` +
          `(attempt ${failures + 1} of ${options.maxAttempts}).`,
      );
      await sleep(delay, store.signal);
    } finally {
      body?.destroy();
    }
  }
}
