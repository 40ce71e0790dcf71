import type { ArchiveCache } from './archive-cache.ts';

/**
 * The Actions cache service, loaded only when a run uses it: @actions/cache and the Azure Blob
 * SDK it brings are about half of a bundle, and every other mode (and a runner without the
 * service) would pay for initialising them. Only the action imports this module, so the command
 * line's bundle holds none of it.
 *
 * `eager`: the code stays in dist/index.js, evaluated only here. ncc would otherwise emit it as a
 * chunk, and its licence plugin writes licenses.txt for one chunk only, dropping the others'
 * packages.
 */
export async function loadActionsCache(runnerTemp: string): Promise<ArchiveCache | undefined> {
  const { ActionsCache } = await import(/* webpackMode: "eager" */ './actions-cache.ts');
  return ActionsCache.available(runnerTemp);
}
