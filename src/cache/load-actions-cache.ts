import type { ArchiveCache } from './archive-cache.ts';

/**
 * The Actions cache service, loaded only when a run uses it: @actions/cache and the Azure Blob
 * SDK it brings are about half of the action's code, and every other mode (and a runner without
 * the service) would pay for compiling and initialising them. The import makes them a chunk of
 * their own (licenses.txt lists every chunk's packages: scripts/build.ts). Only the action
 * imports this module, so the command line's bundle holds none of it.
 */
export async function loadActionsCache(runnerTemp: string): Promise<ArchiveCache | undefined> {
  const { ActionsCache } = await import('./actions-cache.ts');
  return ActionsCache.available(runnerTemp);
}
