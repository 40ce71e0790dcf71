import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { defaultMaxInflatedBytes } from '../../archive/inflation-limit.ts';
import { readModelArchive } from '../../archive/model-archive.ts';
import { fetchedPaths } from '../../layout.ts';
import type { FetchDestination, ManifestEntry } from './destination.ts';

/**
 * Extracts the `.riva` files of an archive already fetched and proven (its SHA-256 checked), by
 * the rules full mode stages them under: links, absolute paths, `..`, duplicate entries and an
 * archive that inflates past the default limit are refused. Each file is hashed as it is written
 * under a temporary name; none takes its own name until the whole archive has been read, so a
 * bad entry late in the archive leaves no file of it behind.
 */
export async function extractModelFiles(archive: ManifestEntry, destination: FetchDestination): Promise<ManifestEntry[]> {
  const extracted: Array<{ temporary: string; entry: ManifestEntry }> = [];
  await readModelArchive(
    createReadStream(destination.pathOf(archive.path)),
    { maxInflatedBytes: defaultMaxInflatedBytes(archive.size_bytes) },
    async (file) => {
      const path = fetchedPaths.modelFile(file.path);
      const temporary = destination.temporaryFor(path);
      const hash = createHash('sha256');
      let sizeBytes = 0;
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          sizeBytes += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(file.content, hashing, createWriteStream(temporary));
      extracted.push({
        temporary,
        entry: { path, size_bytes: sizeBytes, sha256: hash.digest('hex'), uri: null, etag: null, extracted_from: archive.path },
      });
    },
  );
  for (const { temporary, entry } of extracted) destination.keep(temporary, entry.path);
  return extracted.map(({ entry }) => entry);
}
