import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `work` and collects every error that reaches the process uncaught meanwhile (and shortly
 * after, for errors emitted on a later tick), so that a test names them rather than timing out
 * or passing with vitest's report of them coming later. `work` that never settles counts too.
 */
export async function collectUncaught<T>(work: () => Promise<T>): Promise<{ value: T | 'never settled'; uncaught: unknown[] }> {
  const uncaught: unknown[] = [];
  const collect = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', collect);
  process.on('unhandledRejection', collect);
  try {
    const value = await Promise.race([work(), sleep(2000, 'never settled' as const)]);
    await sleep(50);
    return { value, uncaught };
  } finally {
    process.off('uncaughtException', collect);
    process.off('unhandledRejection', collect);
  }
}
