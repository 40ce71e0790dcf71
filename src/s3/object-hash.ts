import { createHash } from 'node:crypto';
import type { Semaphore } from '../limit.ts';
import type { ObjectStore } from './object-store.ts';
// The parallel, pinned ranged GETs fetch downloads with; hashing needs the same, minus the disk.
import { fetchParts, partsFrom, type PinnedObject } from './pinned-parts.ts';
import { resumableDownload, type DownloadOptions } from './resumable-download.ts';
import type { S3Location } from './uri.ts';

/** As for a download: pinned to the ETag the run validated, resumed up to `maxAttempts`. */
export type HashOptions = DownloadOptions;

/**
 * The SHA-256 of an object, streamed (nothing touches the disk) and resumed where a connection
 * breaks. S3 keeps a full-object SHA-256 only for single-part uploads, so a multi-GB archive is
 * almost always hashed this way.
 */
export async function hashObject(store: ObjectStore, location: S3Location, options: HashOptions): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of resumableDownload(store, location, options)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Bytes per ranged GET when hashing in parts: request overhead vanishes, a retry stays cheap. */
export const HASH_PART_SIZE = 8 * 1024 * 1024;
/** Parts in flight and not yet hashed, across every object hashed at once: memory stays at this many parts. */
export const HASH_PARTS_IN_FLIGHT = 8;

export interface PartHashOptions {
  /** Shared by every object hashed at once, one slot per part fetched and not yet hashed. */
  readonly slots: Semaphore;
  readonly partSize: number;
  /** Attempts per part. */
  readonly maxAttempts: number;
  readonly onBytes?: (bytes: number) => void;
}

/**
 * The SHA-256 of a pinned object read with parallel ranged GETs, each pinned by `If-Match` to
 * the recorded ETag (and version), hashed in order as the parts land. One connection seldom
 * fills a link; several do, while memory stays at the shared slots times the part size. A part
 * whose connection breaks is fetched again; a changed object fails at once.
 */
export async function hashObjectInParts(store: ObjectStore, object: PinnedObject & { readonly sizeBytes: number }, options: PartHashOptions): Promise<string> {
  const hash = createHash('sha256');
  await fetchParts(
    store,
    object,
    partsFrom(0, object.sizeBytes, options.partSize),
    { slots: options.slots, maxAttempts: options.maxAttempts, onBytes: options.onBytes ?? (() => {}) },
    async (_part, bytes) => {
      hash.update(bytes);
    },
  );
  return hash.digest('hex');
}
