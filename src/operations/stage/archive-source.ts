import { createReadStream, createWriteStream } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { archiveCacheKey, type ArchiveCache, type CacheEntryWriter } from '../../cache/archive-cache.ts';
import { formatBytes } from '../../format.ts';
import type { ReferencedObject } from '../../metadata.ts';
import type { ObjectStore } from '../../s3/object-store.ts';
import { resumableDownload } from '../../s3/resumable-download.ts';
import { teeInto } from '../../streams.ts';
import type { TransferProgress } from '../../transfer-progress.ts';
import { proveCachedArchive } from './cache-proof.ts';

/** `unsaved`: a miss whose copy could not be kept (a full disk, say), so the next run misses too. */
export type CacheOutcome = 'hit' | 'miss' | 'unsaved' | 'off';

/** The archive's bytes for the streaming pass, from the cache when it holds them, else from S3. */
export interface ArchiveBytes {
  readonly stream: Readable;
  /** What the cache did; a miss becomes `unsaved` when `keep` could not keep the copy. */
  readonly cache: CacheOutcome;
  readonly cacheDescription: string | undefined;
  /** After the pass verified the archive: keep the copy written on a miss. */
  keep(sha256: string): Promise<void>;
  /** After a failure: drop a half-written copy. */
  discard(): Promise<void>;
}

export interface ArchiveBytesContext {
  readonly source: ReferencedObject;
  readonly store: ObjectStore;
  readonly cache: ArchiveCache | undefined;
  readonly maxAttempts: number;
  readonly progress: TransferProgress;
  readonly log: (message: string) => void;
  readonly warn: (message: string) => void;
  /**
   * Hex SHA-256s the caller vouches for as the source object's: the run's `expected-sha256`,
   * and the SHA-256 a complete staging of the same source (URI, ETag, size) recorded in S3. A
   * cached archive that hashes to one of them is used even when S3's ETag cannot prove it.
   * None when absent.
   */
  readonly knownSha256: readonly string[];
}

/**
 * A cached archive is used only once its bytes are shown to be the source object's: its ETag
 * recomputed from the file, or its SHA-256 equal to S3's or to one the caller vouches for (see
 * cache-proof.ts). An entry shown false is discarded with a warning; one that nothing can prove
 * is passed over with a log line. Either way the bytes come from S3, and the one download also
 * writes the cache entry, kept only after the pass verified it.
 */
export async function openArchiveBytes(context: ArchiveBytesContext): Promise<ArchiveBytes> {
  const { source, cache, log } = context;
  const key = cache === undefined ? undefined : archiveCacheKey(source);
  if (cache !== undefined && key !== undefined) {
    const cached = await cache.restore(key);
    if (cached !== undefined) {
      const proof = await proveCachedArchive(cached, { source, store: context.store, knownSha256: context.knownSha256 });
      if (proof.kind === 'proven') {
        log(`Reading the model archive from the ${cache.description} (${formatBytes(cached.sizeBytes)} not downloaded; ${proof.how}).`);
        const stream = createReadStream(cached.path, { highWaterMark: 1024 * 1024 });
        stream.on('data', (chunk) => context.progress.add(chunk.length));
        return { stream, cache: 'hit', cacheDescription: cache.description, keep: async () => {}, discard: async () => {} };
      }
      if (proof.kind === 'unproven') {
        log(`Not using the cached copy of the model archive: nothing shows its bytes are the source object's (${proof.why}); reading from S3.`);
      } else {
        context.warn(`The cached copy of the model archive is unusable (${proof.problem}); discarding it and reading from S3.`);
        await cache.discard(key);
      }
    }
  }

  const download = resumableDownload(context.store, source.location, {
    etag: source.info.etag,
    sizeBytes: source.info.size,
    maxAttempts: context.maxAttempts,
    what: 'the model archive',
    onBytes: (bytes) => context.progress.add(bytes),
    log,
  });
  if (cache === undefined || key === undefined) {
    return { stream: download, cache: 'off', cacheDescription: undefined, keep: async () => {}, discard: async () => {} };
  }
  const writer: CacheEntryWriter = await cache.begin(key);
  const toPass = new PassThrough({ highWaterMark: 1024 * 1024 });
  const toCache = createWriteStream(writer.path);
  teeInto(download, [toPass, toCache]);
  const written = finished(toCache);
  written.catch(() => undefined);
  let outcome: CacheOutcome = 'miss';
  return {
    stream: toPass,
    get cache() {
      return outcome;
    },
    cacheDescription: cache.description,
    keep: async (sha256) => {
      try {
        await written;
        await writer.commit(sha256);
        // A cache that uploads once the staging is done (the Actions cache) says when it saves.
        log(cache.uploads === undefined ? `Saved the model archive to the ${cache.description}.` : `The model archive goes to the ${cache.description} once the staging is done.`);
      } catch (error) {
        outcome = 'unsaved';
        context.warn(`Could not save the model archive to the ${cache.description}: ${(error as Error).message}`);
        await writer.discard().catch(() => log(`Could not remove the partial copy ${writer.path}.`));
      }
    },
    discard: () => {
      // The pass failed: stop the download, which would otherwise go on feeding the cache file.
      download.destroy();
      toCache.destroy();
      return writer.discard();
    },
  };
}
