import { CancelledError } from './errors.ts';

/** The exit code of a cancelled run, as a shell reports a process ended by SIGINT. */
export const EXIT_CANCELLED = 130;

/**
 * SIGINT and SIGTERM as the run's cancellation. A runner cancels a job with SIGINT, then
 * SIGTERM 7.5 s later, then SIGKILL: the first signal aborts the run, which then cleans up
 * (uploads aborted, partial staging removed, lease released: one CLEANUP_BUDGET_MS from the
 * signal, src/s3/cleanup-deadline.ts) and records the state file `cancelled`; a second signal
 * while that is still going ends the process at once.
 */
export function cancelOnSignals(exit: (code: number) => void = (code) => process.exit(code)): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) exit(EXIT_CANCELLED);
    else controller.abort(new CancelledError(`Cancelled by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
