import { createHash } from 'node:crypto';
import type { ReferencedObject } from '../metadata.ts';
import { formatS3Uri } from '../s3/uri.ts';

/** Bumped when the cache's file layout changes, so an old entry is never misread. */
const CACHE_FORMAT = 'v1';

/** A cached copy of an archive and what was verified about it when it was saved. */
export interface CachedArchive {
  readonly path: string;
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** A copy being written during the streaming pass; kept only once its SHA-256 is verified. */
export interface CacheEntryWriter {
  readonly path: string;
  commit(sha256: string): Promise<void>;
  discard(): Promise<void>;
}

/**
 * Where archives are kept between runs. Two kinds: a local directory (self-hosted runners and
 * the command line) and the GitHub Actions cache (hosted runners).
 */
export interface ArchiveCache {
  /** For the summary and logs: "local directory /…" or "GitHub Actions cache". */
  readonly description: string;
  restore(key: string): Promise<CachedArchive | undefined>;
  begin(key: string): Promise<CacheEntryWriter>;
  /** Forgets an entry found corrupt. */
  discard(key: string): Promise<void>;
  /** For a cache that uploads committed entries once the staging is done (the Actions cache). */
  readonly uploads?: PendingUploads;
}

/** Uploads kept until the staging is done, so that its marker and outputs do not wait for them. */
export interface PendingUploads {
  /** Starts the uploads kept, and resolves once every one is done. Never rejects: a failed upload is a warning. */
  settle(): Promise<void>;
  /** Whether an upload failed so far. */
  readonly failed: boolean;
}

/**
 * Archive URI + ETag + size (+ cache format): a changed source object never hits an old entry.
 * Only characters that both backends accept in keys and file names.
 */
export function archiveCacheKey(source: ReferencedObject): string {
  const uri = createHash('sha256').update(formatS3Uri(source.location)).digest('hex').slice(0, 16);
  const etag = source.info.etag.replace(/[^A-Za-z0-9-]/g, '');
  return `riva-130-stage-${CACHE_FORMAT}-${uri}-${etag}-${source.info.size}`;
}
