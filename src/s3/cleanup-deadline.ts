/**
 * How long a stopped run (cancelled, or past its `timeout`) may spend cleaning up, counted from
 * the moment it was stopped. A runner sends SIGTERM 7.5 s after cancelling a job, and a second
 * signal ends the process at once: the cleanup, the state file and the last report must all fit
 * before it.
 */
export const CLEANUP_BUDGET_MS = 5500;

/**
 * The end of that budget kept for releasing the lease, the last step: however long aborting
 * uploads and removing a partial staging take, a stopped run still lets go of its staging
 * instead of locking other runs out for a TTL.
 */
export const LEASE_RELEASE_SHARE_MS = 2000;

/**
 * The steps of a stopped run's cleanup, in order. `writes`: abort the multipart uploads, wait
 * for the writes in flight, remove a partial staging; `lease`: release the lease.
 */
export type CleanupStep = 'writes' | 'lease';

/**
 * One deadline for everything a run does on its way out, shared by its steps: the clock starts
 * once, when the run's own signal fires, and each step gets what is left of it (the writes what
 * is left before the lease's share, the lease the rest). A stopped run's cleanup therefore ends
 * within CLEANUP_BUDGET_MS of the stop, however its steps take their time.
 *
 * A run that fails on its own (not stopped) cleans up with no clock running: nobody is about to
 * kill it, each request is bounded by the client's timeouts, and a stop that comes meanwhile
 * starts the clock for what is still running.
 */
export class CleanupDeadline {
  readonly #ends: Record<CleanupStep, AbortController> = { writes: new AbortController(), lease: new AbortController() };

  constructor(stop: AbortSignal | undefined, budgetMs: number = CLEANUP_BUDGET_MS, leaseShareMs: number = LEASE_RELEASE_SHARE_MS) {
    if (stop === undefined) return;
    const startClock = () => {
      const reason = new Error(`The run was stopped and its cleanup budget of ${budgetMs / 1000} s ran out.`);
      this.#endAfter('writes', budgetMs - leaseShareMs, reason);
      this.#endAfter('lease', budgetMs, reason);
    };
    if (stop.aborted) startClock();
    else stop.addEventListener('abort', startClock, { once: true });
  }

  /** Fires when `step`'s share of the budget is spent; never fires while the run has not been stopped. */
  signal(step: CleanupStep): AbortSignal {
    return this.#ends[step].signal;
  }

  #endAfter(step: CleanupStep, ms: number, reason: Error): void {
    const end = this.#ends[step];
    // Unreferenced: a run that has finished cleaning up exits without waiting for the budget to run out.
    setTimeout(() => end.abort(reason), Math.max(0, ms)).unref();
  }
}
