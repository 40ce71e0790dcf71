import { hostname } from 'node:os';
import { z } from 'zod';
import { ConflictError } from '../errors.ts';
import { leaseRecord, type StagingLayout } from '../layout.ts';
import { ObjectExistsError, type ObjectInfo, type ObjectStore } from '../s3/object-store.ts';
import { formatS3Uri, type S3Location } from '../s3/uri.ts';
import type { OperationDependencies } from './operation.ts';

/**
 * One writer per staging: before its first write a run creates a lease record under the
 * staging prefix with `If-None-Match: *`, refreshes it well within its TTL, and deletes it when
 * done. Expiry is the record's LastModified plus the TTL, read against the server's Date, so no
 * runner's clock counts. A run that cannot refresh for half the TTL stops writing (every write
 * request is guarded) and fails; another run may then take the expired lease over, with
 * `If-Match` on the ETag it saw, so that of two contenders one wins.
 */

/** Who holds a lease, as the record names it. */
export interface LeaseOwner {
  readonly runId: string;
  /** `repository/run_id` of the workflow run, the same for each of its attempts; null outside Actions. */
  readonly workflowRun: string | null;
  readonly attempt: string | null;
  readonly host: string;
  readonly pid: number;
}

export interface LeaseOptions {
  readonly ttlSeconds: number;
  readonly log: (message: string) => void;
  /** A warning shown at once (the server cannot exclude concurrent runs). */
  readonly warn?: (message: string) => void;
  /** Monotonic milliseconds: refreshes and staleness are measured with it (a stopped process sees the gap). */
  readonly monotonic?: () => number;
  /** Wall-clock milliseconds for the record's timestamps. */
  readonly now?: () => number;
}

/** This process as a lease holder. */
export function leaseOwner(deps: Pick<OperationDependencies, 'runId' | 'github'>): LeaseOwner {
  const { github } = deps;
  return {
    runId: deps.runId,
    workflowRun: github === null ? null : `${github.repository}/${github.run_id}`,
    attempt: github?.run_attempt ?? null,
    host: hostname(),
    pid: process.pid,
  };
}

/** A writing run's lease settings. */
export function leaseOptions(config: { readonly leaseTtlSeconds: number }, deps: Pick<OperationDependencies, 'log' | 'warn'>): LeaseOptions {
  return { ttlSeconds: config.leaseTtlSeconds, log: deps.log, warn: deps.warn };
}

const LeaseRecordSchema = z.object({
  schema_version: z.literal(1),
  run_id: z.string(),
  workflow_run: z.string().nullable(),
  run_attempt: z.string().nullable(),
  host: z.string(),
  pid: z.number(),
  acquired_at: z.string(),
  refreshed_at: z.string(),
  ttl_seconds: z.number().positive(),
});

type LeaseRecord = z.infer<typeof LeaseRecordSchema>;

const WHAT = 'the staging lease';

/** A held lease. `release` it in every outcome; `confirm` it before the write that completes the staging. */
export class StagingLease {
  readonly #store: ObjectStore;
  readonly #location: S3Location;
  readonly #owner: LeaseOwner;
  readonly #options: LeaseOptions;
  readonly #acquiredAt: string;
  readonly #timer: NodeJS.Timeout;
  #etag: string;
  #refreshedAt: number;
  #lost: Error | undefined;
  #refreshing: Promise<void> | undefined;

  private constructor(store: ObjectStore, location: S3Location, owner: LeaseOwner, options: LeaseOptions, etag: string, acquiredAt: string) {
    this.#store = store;
    this.#location = location;
    this.#owner = owner;
    this.#options = options;
    this.#etag = etag;
    this.#acquiredAt = acquiredAt;
    this.#refreshedAt = this.#monotonic();
    this.#timer = setInterval(() => void this.#refresh().catch(() => undefined), (options.ttlSeconds * 1000) / 4);
    this.#timer.unref();
    store.guardWrites(() => this.#checkHeld());
  }

  /**
   * Takes the staging's lease: creates it, or takes over one that expired or that an earlier
   * attempt of this same workflow run left (a re-run continues at once). Another run's live
   * lease is a ConflictError naming that run.
   */
  static async acquire(store: ObjectStore, layout: StagingLayout, owner: LeaseOwner, options: LeaseOptions): Promise<StagingLease> {
    const location = leaseRecord(layout);
    const acquiredAt = new Date((options.now ?? Date.now)()).toISOString();
    const body = serialise(owner, acquiredAt, acquiredAt, options.ttlSeconds);
    let etag: string;
    try {
      etag = await store.putText(location, body, 'application/json', WHAT, { onlyIfAbsent: true });
    } catch (error) {
      if (!(error instanceof ObjectExistsError)) throw error;
      etag = await takeOver(store, layout.prefix, location, owner, body, options);
      return new StagingLease(store, location, owner, options, etag, acquiredAt);
    }
    try {
      etag = await probeConditionalWrites(store, location, body, etag, options.warn ?? ((message) => options.log(`Warning: ${message}`)));
    } catch (error) {
      // The record is this run's and no lease object holds it yet: it must not block others for a TTL.
      await deleteIfOurs(store.cleanupView('lease'), location, etag).catch(() => undefined);
      throw error;
    }
    return new StagingLease(store, location, owner, options, etag, acquiredAt);
  }

  /** Refreshes the lease now and throws if it is no longer this run's: called right before the marker. */
  async confirm(): Promise<void> {
    await this.#refresh();
    this.#checkHeld();
  }

  /** Lets go: stops refreshing, lifts the write guard, and deletes the record if it is still this run's. */
  async release(): Promise<void> {
    clearInterval(this.#timer);
    await this.#refreshing?.catch(() => undefined);
    this.#store.guardWrites(undefined);
    if (this.#lost !== undefined) return;
    try {
      // The last share of the run's cleanup deadline: a cancelled run's signal has fired, and it must still let go.
      await deleteIfOurs(this.#store.cleanupView('lease'), this.#location, this.#etag);
    } catch (error) {
      this.#options.log(`Could not release ${formatS3Uri(this.#location)} (${(error as Error).message}); it expires ${this.#options.ttlSeconds} s after its last refresh.`);
    }
  }

  #refresh(): Promise<void> {
    this.#refreshing ??= this.#rewrite().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  async #rewrite(): Promise<void> {
    if (this.#lost !== undefined) return;
    const now = new Date((this.#options.now ?? Date.now)()).toISOString();
    const body = serialise(this.#owner, this.#acquiredAt, now, this.#options.ttlSeconds);
    try {
      this.#checkHeld();
      this.#etag = await this.#store.putText(this.#location, body, 'application/json', WHAT, { ifMatch: this.#etag });
      this.#refreshedAt = this.#monotonic();
    } catch (error) {
      if (error instanceof ObjectExistsError) this.#lose('another run took it over');
      // Anything else is retried at the next tick; #checkHeld gives up once half the TTL has passed.
    }
  }

  /** The write guard: throws once the lease is lost, or has gone unrefreshed for half its TTL. */
  #checkHeld(): void {
    if (this.#lost === undefined && this.#monotonic() - this.#refreshedAt > (this.#options.ttlSeconds * 1000) / 2) {
      this.#lose(`it could not be refreshed for half its TTL of ${this.#options.ttlSeconds} s`);
    }
    if (this.#lost !== undefined) throw this.#lost;
  }

  #lose(why: string): void {
    this.#lost ??= new ConflictError(
      `This run lost its lease on ${formatS3Uri(this.#location)} (${why}), so it stopped writing: another run may be staging the same version. ` +
        'Nothing more was written and no completion marker; re-run to find out what is staged.',
    );
    clearInterval(this.#timer);
  }

  #monotonic(): number {
    return (this.#options.monotonic ?? performance.now.bind(performance))();
  }
}

/**
 * Deletes the lease record if it still has the ETag this run gave it. The DELETE carries
 * `If-Match`, which AWS honours: a run that took the lease over between the HEAD and the DELETE
 * keeps its record. Ceph RGW 16 and the embedded test server ignore the condition on a DELETE;
 * there the HEAD narrows the window to one round trip, open only when another run takes the
 * lease over (expired, or a later attempt's) at the very moment its holder releases it. The run
 * whose record went finds out at its next refresh, at the latest in `confirm` before its marker
 * (a rewrite `If-Match` its ETag, which RGW honours on PutObject, answered 404), and stops: it
 * never marks a staging it no longer holds. (The embedded server honours no condition at all;
 * a run there is warned that concurrent runs are not excluded.)
 */
async function deleteIfOurs(store: ObjectStore, location: S3Location, etag: string): Promise<void> {
  const info = await store.head(location, WHAT);
  if (info?.etag !== etag) return;
  try {
    await store.delete(location, WHAT, { ifMatch: etag });
  } catch (error) {
    // Taken over meanwhile: the record is another run's now, and stays.
    if (!(error instanceof ObjectExistsError)) throw error;
  }
}

/**
 * Writes the new lease once more with `If-None-Match: *`: a server that enforces the condition
 * refuses, one that ignores it (the embedded test server) writes, and then concurrent runs are
 * not excluded there. Returns the lease's ETag.
 */
async function probeConditionalWrites(store: ObjectStore, location: S3Location, body: string, etag: string, warn: (message: string) => void): Promise<string> {
  try {
    const rewritten = await store.putText(location, body, 'application/json', WHAT, { onlyIfAbsent: true });
    warn(
      'This S3 server ignores If-None-Match on writes, so the staging lease cannot exclude another run staging the ' +
        'same version at the same time. Run one staging per version at a time here.',
    );
    return rewritten;
  } catch (error) {
    if (error instanceof ObjectExistsError) return etag;
    throw error;
  }
}

/** The existing lease taken over, when it may be; else the ConflictError that names its holder. */
async function takeOver(
  store: ObjectStore,
  prefix: S3Location,
  location: S3Location,
  owner: LeaseOwner,
  body: string,
  options: LeaseOptions,
): Promise<string> {
  const info = await store.head(location, WHAT);
  // Released in between: take it as new (If-None-Match keeps this a race with one winner).
  if (info === undefined) return store.putText(location, body, 'application/json', WHAT, { onlyIfAbsent: true }).catch(lostRace(location));
  const held = parseRecord(await store.getText(location, WHAT).catch(() => ''));
  // Only a later attempt of the same workflow run: two jobs of one attempt (a matrix mistake) exclude each other.
  const laterAttempt = owner.workflowRun !== null && held?.workflow_run === owner.workflowRun && Number(owner.attempt) > Number(held.run_attempt);
  const expiresAt = expiry(info, held?.ttl_seconds ?? options.ttlSeconds);
  const serverNow = Date.parse(info.serverDate ?? new Date((options.now ?? Date.now)()).toISOString());
  if (!laterAttempt && serverNow < expiresAt) {
    throw new ConflictError(
      `Another run is staging ${formatS3Uri(prefix)} now: ${describeHolder(held)} holds ${formatS3Uri(location)} ` +
        `until ${new Date(expiresAt).toISOString()} (by the server's clock) unless it refreshes it. Re-run once that run has finished; ` +
        'if it is gone, its lease expires by then.',
    );
  }
  const etag = await store.putText(location, body, 'application/json', WHAT, { ifMatch: info.etag }).catch(lostRace(location));
  options.log(`Took over ${formatS3Uri(location)} from ${describeHolder(held)}: ${laterAttempt ? 'an earlier attempt of this workflow run' : 'its lease had expired'}.`);
  return etag;
}

function lostRace(location: S3Location): (error: unknown) => never {
  return (error) => {
    if (error instanceof ObjectExistsError) {
      throw new ConflictError(`Another run took ${formatS3Uri(location)} at the same moment; it is staging this version now. Re-run once it has finished.`);
    }
    throw error;
  };
}

function expiry(info: ObjectInfo, ttlSeconds: number): number {
  const lastModified = info.lastModified === null ? Number.NaN : Date.parse(info.lastModified);
  // A record without a date cannot be shown expired: treat it as just written.
  return (Number.isNaN(lastModified) ? Date.now() : lastModified) + ttlSeconds * 1000;
}

function describeHolder(held: LeaseRecord | undefined): string {
  if (held === undefined) return 'a run whose lease record this version cannot read';
  const workflow = held.workflow_run === null ? '' : `, workflow run ${held.workflow_run} attempt ${held.run_attempt ?? '?'}`;
  return `run ${held.run_id} (host ${held.host}, pid ${held.pid}${workflow})`;
}

function parseRecord(text: string): LeaseRecord | undefined {
  try {
    const parsed = LeaseRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function serialise(owner: LeaseOwner, acquiredAt: string, refreshedAt: string, ttlSeconds: number): string {
  const record: LeaseRecord = {
    schema_version: 1,
    run_id: owner.runId,
    workflow_run: owner.workflowRun,
    run_attempt: owner.attempt,
    host: owner.host,
    pid: owner.pid,
    acquired_at: acquiredAt,
    refreshed_at: refreshedAt,
    ttl_seconds: ttlSeconds,
  };
  return `${JSON.stringify(record, null, 2)}\n`;
}
