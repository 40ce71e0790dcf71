import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RunConfig } from '../config/config.ts';
import type { ArchiveCache } from './archive-cache.ts';
import { LocalDirectoryCache } from './local-directory-cache.ts';

/** The Actions cache service when the runner provides one, else undefined (see load-actions-cache.ts). */
export type ActionsCacheLoader = (runnerTemp: string) => Promise<ArchiveCache | undefined>;

export interface ArchiveCacheChoice {
  readonly cache: ArchiveCache | undefined;
  readonly notice: string | undefined;
}

/**
 * Which cache a full-mode run uses. `cache-dir` always means a local directory; otherwise the
 * action uses the Actions cache service when the runner provides one (else a notice: no cache)
 * and the command line the user's cache directory. `cache: false` turns caching off. Other
 * modes and operations read no archive: no cache.
 *
 * The action passes the loader of the Actions cache; the command line has none to pass, so its
 * bundle holds neither @actions/cache nor the Azure Blob SDK.
 */
export async function chooseArchiveCache(
  config: RunConfig,
  entry: 'command-line',
  env: Readonly<Record<string, string | undefined>>,
): Promise<ArchiveCacheChoice>;
export async function chooseArchiveCache(
  config: RunConfig,
  entry: 'action',
  env: Readonly<Record<string, string | undefined>>,
  loadActionsCache: ActionsCacheLoader,
): Promise<ArchiveCacheChoice>;
export async function chooseArchiveCache(
  config: RunConfig,
  entry: 'action' | 'command-line',
  env: Readonly<Record<string, string | undefined>>,
  loadActionsCache?: ActionsCacheLoader,
): Promise<ArchiveCacheChoice> {
  if (config.operation !== 'stage' || config.mode !== 'full' || !config.cache) return { cache: undefined, notice: undefined };
  if (config.cacheDir !== undefined) return { cache: new LocalDirectoryCache(config.cacheDir), notice: undefined };
  if (entry === 'command-line' || loadActionsCache === undefined) {
    return { cache: new LocalDirectoryCache(join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'riva-130-stage')), notice: undefined };
  }
  const service = await loadActionsCache(env.RUNNER_TEMP ?? join(homedir(), '.cache'));
  if (service !== undefined) return { cache: service, notice: undefined };
  return {
    cache: undefined,
    notice: 'No cache: this runner provides no Actions cache service. Set `cache-dir` (RIVA_STAGE_CACHE_DIR) to keep archives in a local directory between runs.',
  };
}
