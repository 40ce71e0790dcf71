import { ValidationError } from '../../errors.ts';
import type { ReferencedObject } from '../../metadata.ts';
import { hashObject } from '../../s3/object-hash.ts';
import type { ObjectStore } from '../../s3/object-store.ts';
import { formatS3Uri } from '../../s3/uri.ts';
import { TransferProgress, type ProgressDisplay } from '../../transfer-progress.ts';
import { NO_TRANSFER, type ModeContent } from './content.ts';

/** What the reference modes need to prove the archive's hash. */
export interface ArchiveHashContext {
  readonly store: ObjectStore;
  readonly expectedSha256: string | undefined;
  /** The SHA-256 a complete staging of this same source recorded, when there is one. */
  readonly recordedSha256: string | null;
  readonly maxAttempts: number;
  readonly progress: ProgressDisplay;
  readonly log: (message: string) => void;
}

/**
 * The archive's SHA-256 as far as the reference modes know it, with `expected-sha256` enforced:
 * S3's full-object SHA-256 when it keeps one, else the one a complete staging of this source
 * recorded, else (only when `expected-sha256` asks for a check) the archive streamed and hashed
 * now. A mismatch fails before anything is written.
 */
export async function referencedArchiveSha256(source: ReferencedObject, context: ArchiveHashContext): Promise<string | null> {
  const known = source.info.sha256 ?? context.recordedSha256;
  const { expectedSha256 } = context;
  if (expectedSha256 === undefined) return known;
  const sha256 = known ?? (await streamHash(source, context));
  if (sha256 !== expectedSha256) {
    throw new ValidationError(
      `${formatS3Uri(source.location)} hashes to ${sha256}, not the expected ${expectedSha256} ` +
        '(`expected-sha256` / RIVA_ASR_MODEL_SHA256). It is not the archive that was validated; nothing was written.',
    );
  }
  return sha256;
}

async function streamHash(source: ReferencedObject, context: ArchiveHashContext): Promise<string> {
  context.log(`Hashing ${formatS3Uri(source.location)} to check \`expected-sha256\` (S3 keeps no full-object SHA-256 for it).`);
  const progress = TransferProgress.on(context.progress, 'Hashing the model archive', source.info.size);
  const sha256 = await hashObject(context.store, source.location, {
    etag: source.info.etag,
    sizeBytes: source.info.size,
    maxAttempts: context.maxAttempts,
    what: 'the model archive',
    onBytes: (bytes) => progress.add(bytes),
    log: context.log,
  });
  progress.showNow();
  return sha256;
}

/**
 * bintarball-reference and reference-only: the archives stay where they are and the staging
 * only points at them.
 */
export function referenceContent(source: ReferencedObject, containers: readonly ReferencedObject[], sourceSha256: string | null): ModeContent {
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
    warnings: [],
  };
}
