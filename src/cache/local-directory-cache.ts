import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArchiveCache, CachedArchive, CacheEntryWriter } from './archive-cache.ts';

/** Archives as files in a directory: `<key>.tar.gz` beside `<key>.json` (its SHA-256 and size). */
export class LocalDirectoryCache implements ArchiveCache {
  readonly description: string;
  readonly #directory: string;

  constructor(directory: string) {
    this.#directory = directory;
    this.description = `local directory ${directory}`;
  }

  async restore(key: string): Promise<CachedArchive | undefined> {
    try {
      const recorded = JSON.parse(await readFile(this.#sidecar(key), 'utf8')) as { sha256?: unknown };
      const info = await stat(this.#archive(key));
      if (typeof recorded.sha256 !== 'string') return undefined;
      // The file's actual size: a truncated entry must show as one, not as a miss.
      return { path: this.#archive(key), sha256: recorded.sha256, sizeBytes: info.size };
    } catch {
      return undefined;
    }
  }

  async begin(key: string): Promise<CacheEntryWriter> {
    await mkdir(this.#directory, { recursive: true });
    const partial = `${this.#archive(key)}.partial-${process.pid}`;
    return {
      path: partial,
      commit: async (sha256) => {
        const { size } = await stat(partial);
        await writeFile(this.#sidecar(key), `${JSON.stringify({ sha256, size_bytes: size })}\n`);
        await rename(partial, this.#archive(key));
      },
      discard: () => rm(partial, { force: true }),
    };
  }

  async discard(key: string): Promise<void> {
    await rm(this.#archive(key), { force: true });
    await rm(this.#sidecar(key), { force: true });
  }

  #archive(key: string): string {
    return join(this.#directory, `${key}.tar.gz`);
  }

  #sidecar(key: string): string {
    return join(this.#directory, `${key}.json`);
  }
}
