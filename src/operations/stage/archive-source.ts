import { createHash } from 'node:crypto';
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

export type CacheOutcome = 'hit' | 'miss' | 'off';

/** The archive's bytes for the streaming pass, from the cache when it holds them, else from S3. */
export interface ArchiveBytes {
  readonly stream: Readable;
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
}

/**
 * A cache hit is checked (size and SHA-256 as recorded, and S3's SHA-256 when it has one) before
 * its bytes are used; a corrupt entry is discarded with a warning and the bytes come from S3. On
 * a miss the one download also writes the cache entry, kept only after the pass verified it.
 */
export async function openArchiveBytes(context: ArchiveBytesContext): Promise<ArchiveBytes> {
  const { source, cache, log } = context;
  const key = cache === undefined ? undefined : archiveCacheKey(source);
  if (cache !== undefined && key !== undefined) {
    const cached = await cache.restore(key);
    if (cached !== undefined) {
      const problem = await cacheProblem(cached.path, cached.sha256, cached.sizeBytes, source);
      if (problem === undefined) {
        log(`Reading the model archive from the ${cache.description} (${formatBytes(cached.sizeBytes)} not downloaded).`);
        const stream = createReadStream(cached.path, { highWaterMark: 1024 * 1024 });
        stream.on('data', (chunk) => context.progress.add(chunk.length));
        return { stream, cache: 'hit', cacheDescription: cache.description, keep: async () => {}, discard: async () => {} };
      }
      context.warn(`The cached copy of the model archive is unusable (${problem}); discarding it and reading from S3.`);
      await cache.discard(key);
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
  return {
    stream: toPass,
    cache: 'miss',
    cacheDescription: cache.description,
    keep: async (sha256) => {
      try {
        await written;
        await writer.commit(sha256);
        log(`Saved the model archive to the ${cache.description}.`);
      } catch (error) {
        context.warn(`Could not save the model archive to the ${cache.description}: ${(error as Error).message}`);
        await writer.discard();
      }
    },
    discard: () => writer.discard(),
  };
}

async function cacheProblem(path: string, sha256: string, sizeBytes: number, source: ReferencedObject): Promise<string | undefined> {
  if (sizeBytes !== source.info.size) return `${sizeBytes} bytes, the archive has ${source.info.size}`;
  if (source.info.sha256 !== null && source.info.sha256 !== sha256) return 'recorded SHA-256 differs from S3\'s';
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  return actual === sha256 ? undefined : `its SHA-256 is ${actual}, ${sha256} was recorded`;
}
