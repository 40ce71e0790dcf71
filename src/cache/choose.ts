import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RunConfig } from '../config/config.ts';
import type { ArchiveCache } from './archive-cache.ts';
import { ActionsCache } from './actions-cache.ts';
import { LocalDirectoryCache } from './local-directory-cache.ts';

/**
 * Which cache a full-mode run uses. `cache-dir` always means a local directory; otherwise the
 * action uses the Actions cache service when the runner provides one (else a notice: no cache)
 * and the command line the user's cache directory. `cache: false` turns caching off. Other
 * modes and operations read no archive: no cache.
 */
export function chooseArchiveCache(
  config: RunConfig,
  entry: 'action' | 'command-line',
  env: Readonly<Record<string, string | undefined>>,
): { cache: ArchiveCache | undefined; notice: string | undefined } {
  if (config.operation !== 'stage' || config.mode !== 'full' || !config.cache) return { cache: undefined, notice: undefined };
  if (config.cacheDir !== undefined) return { cache: new LocalDirectoryCache(config.cacheDir), notice: undefined };
  if (entry === 'command-line') {
    return { cache: new LocalDirectoryCache(join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'riva-130-stage')), notice: undefined };
  }
  const service = ActionsCache.available(env.RUNNER_TEMP ?? join(homedir(), '.cache'));
  if (service !== undefined) return { cache: service, notice: undefined };
  return {
    cache: undefined,
    notice: 'No cache: this runner provides no Actions cache service. Set `cache-dir` (RIVA_STAGE_CACHE_DIR) to keep archives in a local directory between runs.',
  };
}
