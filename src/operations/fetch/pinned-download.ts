import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { ObjectStore } from '../../s3/object-store.ts';
import { fetchParts, partsFrom, type PartSettings } from '../../s3/pinned-parts.ts';
import type { PinnedDownload } from './plan.ts';

export interface DownloadSettings extends PartSettings {
  readonly partSize: number;
  readonly log: (message: string) => void;
}

/**
 * Downloads one pinned object into `path` from byte `resumeFrom` (the bytes before it are
 * already there, and are hashed from disk), with parallel ranged GETs each pinned by `If-Match`
 * to the recorded ETag (and to the recorded version, when there is one). Parts are appended and
 * hashed in order as they land; the answer to every GET must carry the recorded ETag, so a
 * server that ignores `If-Match` still cannot hand over another object. Returns the SHA-256 of
 * the whole file; comparing it with the recorded one is the caller's.
 */
export async function downloadPinned(
  store: ObjectStore,
  download: PinnedDownload,
  path: string,
  resumeFrom: number,
  settings: DownloadSettings,
): Promise<string> {
  const hash = createHash('sha256');
  if (resumeFrom > 0) {
    // The hash state is not kept between runs; the bytes on disk are, and re-reading them is cheap.
    await updateFromFile(hash, path, resumeFrom);
    settings.log(`Continuing ${download.what} from byte ${resumeFrom} of ${download.sizeBytes}.`);
  }
  const file = await open(path, resumeFrom > 0 ? 'r+' : 'w');
  try {
    await fetchParts(store, download, partsFrom(resumeFrom, download.sizeBytes, settings.partSize), settings, async (part, bytes) => {
      hash.update(bytes);
      await file.write(bytes, 0, bytes.length, part.first);
    });
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}

async function updateFromFile(hash: Hash, path: string, endBytes: number): Promise<void> {
  const file = await open(path, 'r');
  try {
    for await (const chunk of file.createReadStream({ start: 0, end: endBytes - 1, autoClose: false })) hash.update(chunk as Buffer);
  } finally {
    await file.close();
  }
}
