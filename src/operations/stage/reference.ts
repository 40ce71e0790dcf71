import { ValidationError } from '../../errors.ts';
import type { ReferencedObject } from '../../metadata.ts';
import { NO_TRANSFER, type ModeContent } from './content.ts';

/**
 * bintarball-reference and reference-only: the archives stay where they are and the staging
 * only points at them, so the archive's hash is known only if S3 already holds it.
 */
export function referenceContent(
  source: ReferencedObject,
  containers: readonly ReferencedObject[],
  expectedSha256: string | undefined,
): ModeContent {
  const sourceSha256 = source.info.sha256;
  const warnings: string[] = [];
  if (expectedSha256 !== undefined) {
    if (sourceSha256 === null) {
      warnings.push(
        '`expected-sha256` (RIVA_ASR_MODEL_SHA256) was not checked: S3 holds no full-object SHA-256 ' +
          'for the archive and the reference modes do not download it. Use mode full to hash it.',
      );
    } else if (sourceSha256 !== expectedSha256) {
      throw new ValidationError(
        `The archive's SHA-256 in S3 is ${sourceSha256}, not the expected ${expectedSha256} ` +
          '(`expected-sha256` / RIVA_ASR_MODEL_SHA256). The archive is not the one that was validated.',
      );
    }
  }
  const referencedBytes = [source, ...containers].reduce((sum, object) => sum + object.info.size, 0);
  return {
    sourceSha256,
    files: [],
    objects: [],
    documents: [],
    transfer: NO_TRANSFER,
    bytesDuplicationAvoided: referencedBytes,
    reused: [],
    skippedEntries: [],
    warnings,
  };
}
