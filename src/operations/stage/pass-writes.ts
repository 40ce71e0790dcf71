import { MultipartUploads, reportAborts } from '../../s3/multipart.ts';
import type { ObjectStore } from '../../s3/object-store.ts';
import { formatS3Uri, type S3Location } from '../../s3/uri.ts';

/**
 * How long a failing pass waits for its writes in flight to end once their uploads are aborted,
 * before it aborts what they opened meanwhile; never past the cleanup deadline of a stopped run.
 */
const SETTLE_WAIT_MS = 2000;

/**
 * Every write a full-mode pass starts (uploads, the archive copy), so that a failing pass has
 * one owner of its failure: the first error wins, no write starts after it, every multipart
 * upload is aborted, the writes in flight are waited for (a copy or upload may still land after
 * the failure), and, for a rejected archive, everything the pass wrote is removed.
 */
export class PassWrites {
  readonly uploads = new MultipartUploads();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #targets = new Map<string, { readonly location: S3Location; readonly what: string }>();
  #failure: unknown;
  #failed = false;

  /** Starts a write to `location`, unless the pass has failed already (then it fails the same way). */
  start<T>(location: S3Location, what: string, write: () => Promise<T>): Promise<T> {
    if (this.#failed) return Promise.reject(this.#failure);
    this.#targets.set(formatS3Uri(location), { location, what });
    const promise = write();
    this.#inFlight.add(promise);
    const settled = () => this.#inFlight.delete(promise);
    promise.then(settled, settled);
    return promise;
  }

  /** Also removed when the archive is rejected: objects an earlier run of this source staged. */
  adopt(location: S3Location, what: string): void {
    this.#targets.set(formatS3Uri(location), { location, what });
  }

  /**
   * The pass failed with `error`: nothing new starts, open uploads are aborted, writes in flight
   * are given a moment to end (`deadline`: the cleanup's, which cuts that moment short), and
   * whatever they opened meanwhile is aborted too. Never throws.
   */
  async stop(error: unknown, deadline: AbortSignal | undefined, log: (message: string) => void, warn: (message: string) => void): Promise<void> {
    if (!this.#failed) {
      this.#failed = true;
      this.#failure = error;
    }
    const first = await this.uploads.abortAll();
    await settle([...this.#inFlight], SETTLE_WAIT_MS, deadline);
    const late = await this.uploads.abortAll();
    reportAborts({ aborted: [...first.aborted, ...late.aborted], failed: [...first.failed, ...late.failed] }, log, warn);
  }

  /**
   * Removes every object the pass wrote, started or adopted, except what `keep` spares (what the
   * in-progress record lists, after a failure a re-run continues from); what cannot be removed is a
   * warning. Writes still in flight are waited for first, however long they take: a server-side
   * copy of a large archive completes on the server whatever the client does, and must not land
   * after its removal.
   */
  async removeAll(
    store: ObjectStore,
    log: (message: string) => void,
    warn: (message: string) => void,
    keep: (location: S3Location) => boolean = () => false,
  ): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
    const failed: string[] = [];
    const targets = [...this.#targets.values()].filter(({ location }) => !keep(location));
    for (const { location, what } of targets) {
      try {
        await store.delete(location, what);
      } catch (error) {
        failed.push(`${formatS3Uri(location)} (${(error as Error).message})`);
      }
    }
    if (targets.length > failed.length) log(`Removed ${targets.length - failed.length} object(s) of the failed pass that a re-run would not reuse.`);
    if (failed.length > 0) warn(`Could not remove what the failed pass staged: ${failed.join('; ')}. Nothing is marked staged; remove them or re-run.`);
  }
}

/** Waits for `promises` to settle, for `waitMs` at most, and not past `deadline`. */
async function settle(promises: readonly Promise<unknown>[], waitMs: number, deadline: AbortSignal | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onDeadline: () => void = () => {};
  const budget = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, waitMs);
    onDeadline = resolve;
    if (deadline?.aborted) resolve();
    deadline?.addEventListener('abort', onDeadline, { once: true });
  });
  await Promise.race([Promise.allSettled(promises), budget]);
  clearTimeout(timer);
  deadline?.removeEventListener('abort', onDeadline);
}
