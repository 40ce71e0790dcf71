import { join } from 'node:path';
import * as cache from '@actions/cache';
import * as core from '@actions/core';
import type { ArchiveCache, PendingUploads, CachedArchive, CacheEntryWriter } from './archive-cache.ts';
import { LocalDirectoryCache } from './local-directory-cache.ts';

/**
 * The GitHub Actions cache service, through @actions/cache: an entry is the archive and its
 * sidecar, restored into (and saved from) a folder under RUNNER_TEMP.
 *
 * A committed entry is uploaded once the staging is done: the action starts the uploads after
 * the marker and the outputs. Saving (tar, compression, transfer: seconds per GiB) while the
 * staging still uploads its files would share the runner's uplink with them and delay the
 * marker, which later jobs wait for, by as long as the save takes (measured by `npm run bench`).
 */
export class ActionsCache implements ArchiveCache {
  readonly description = 'GitHub Actions cache';
  readonly uploads = new DeferredUploads();
  readonly #staging: LocalDirectoryCache;
  readonly #directory: string;

  /** Undefined when the runner provides no cache service (self-hosted, local runs). */
  static available(runnerTemp: string): ActionsCache | undefined {
    return cache.isFeatureAvailable() ? new ActionsCache(join(runnerTemp, 'riva-130-stage-cache')) : undefined;
  }

  constructor(directory: string) {
    this.#directory = directory;
    this.#staging = new LocalDirectoryCache(directory);
  }

  async restore(key: string): Promise<CachedArchive | undefined> {
    const hit = await cache.restoreCache(this.#paths(key), key);
    return hit === undefined ? undefined : this.#staging.restore(key);
  }

  async begin(key: string): Promise<CacheEntryWriter> {
    const writer = await this.#staging.begin(key);
    return {
      path: writer.path,
      commit: async (sha256) => {
        await writer.commit(sha256);
        this.uploads.add(() => this.#upload(key));
      },
      discard: () => writer.discard(),
    };
  }

  /** A corrupt entry cannot be deleted from the service; dropping the local copy is enough. */
  discard(key: string): Promise<void> {
    return this.#staging.discard(key);
  }

  async #upload(key: string): Promise<void> {
    core.info(`Saving the model archive to the ${this.description}.`);
    try {
      // The toolkit logs why it could not save and answers -1 rather than throwing.
      const entryId = await cache.saveCache(this.#paths(key), key);
      if (entryId === -1) throw new Error('the cache service did not take the entry (see the message above)');
      core.info(`Saved the model archive to the ${this.description} (entry ${entryId}).`);
    } catch (error) {
      core.warning(`Could not save the model archive to the ${this.description}: ${(error as Error).message}`);
      throw error;
    }
  }

  #paths(key: string): string[] {
    return [join(this.#directory, `${key}.tar.gz`), join(this.#directory, `${key}.json`)];
  }
}

/** The uploads waiting for the staging to be done, and whether one failed (each failure already warned about). */
class DeferredUploads implements PendingUploads {
  readonly #waiting: Array<() => Promise<void>> = [];
  #failed = false;

  get failed(): boolean {
    return this.#failed;
  }

  add(upload: () => Promise<void>): void {
    this.#waiting.push(upload);
  }

  async settle(): Promise<void> {
    const started = this.#waiting.splice(0).map((upload) => upload().catch(() => void (this.#failed = true)));
    await Promise.all(started);
  }
}
