import { createHash } from 'node:crypto';
import type { ObjectStore } from './object-store.ts';
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
