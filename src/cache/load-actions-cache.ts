import type { ArchiveCache } from './archive-cache.ts';

/**
 * The Actions cache service, loaded only when a run uses it: @actions/cache and the Azure Blob
 * SDK it brings are about half of a bundle, and every other mode (and a runner without the
 * service) would pay for loading them. The bundler emits them as a chunk of the action's dist/.
 */
export async function loadActionsCache(runnerTemp: string): Promise<ArchiveCache | undefined> {
  const { ActionsCache } = await import('./actions-cache.ts');
  return ActionsCache.available(runnerTemp);
}
