import { createHash } from 'node:crypto';
import type { ObjectStore } from './object-store.ts';
import { resumableDownload } from './resumable-download.ts';
import type { S3Location } from './uri.ts';

export interface HashOptions {
  /** The ETag the run validated: every read is pinned to it. */
  readonly etag: string;
  readonly sizeBytes: number;
  readonly maxAttempts: number;
  readonly what: string;
  readonly onBytes?: (bytes: number) => void;
  readonly log?: (message: string) => void;
}

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
