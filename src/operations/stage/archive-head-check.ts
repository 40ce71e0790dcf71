import { archiveHeadProblem, readArchiveHead } from '../../archive/archive-head.ts';
import { ValidationError } from '../../errors.ts';
import type { ReferencedObject } from '../../metadata.ts';
import type { ObjectStore } from '../../s3/object-store.ts';
import { formatS3Uri } from '../../s3/uri.ts';

/**
 * The reference modes never read the whole archive, but they do not point at something that is
 * not one: a ranged read of its head must show a gzip stream whose first tar header parses.
 */
export async function checkArchiveHead(source: ReferencedObject, store: ObjectStore): Promise<void> {
  const head = await readArchiveHead(store, source.location, source.info.etag, source.info.size);
  const problem = archiveHeadProblem(head, source.info.size);
  if (problem !== undefined) {
    throw new ValidationError(
      `${formatS3Uri(source.location)} (\`model-s3-uri\` / RIVA_ASR_MODEL_S3_URI) ${problem}: it is not a Riva model archive ` +
        '(a gzip-compressed tar). Nothing was written.',
    );
  }
}
