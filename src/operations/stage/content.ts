import type { StagedFile } from '../../metadata.ts';
import type { S3Location } from '../../s3/uri.ts';

/** One small document the run writes (or, in a dry run, would write). */
export interface ObjectWrite {
  readonly location: S3Location;
  readonly body: string;
  readonly contentType: string;
  readonly what: string;
}

/** An object a mode wrote by transfer (upload or server-side copy). */
export interface StagedObject {
  readonly location: S3Location;
  readonly sizeBytes: number;
  /** As the write returned it, or '' when the server did not say, until pinning HEADs it. */
  readonly etag: string;
  readonly what: string;
}

export interface TransferTotals {
  readonly bytesDownloaded: number;
  readonly bytesUploaded: number;
  readonly bytesCopiedServerSide: number;
}

/** What a mode contributed to the staging, beyond the metadata and marker every mode writes. */
export interface ModeContent {
  /** The archive's SHA-256, or null when it is not known without reading the archive. */
  readonly sourceSha256: string | null;
  /** Full mode: the archive's copy under `source/`. */
  readonly sourceCopy?: StagedFile;
  readonly files: readonly StagedFile[];
  readonly objects: readonly StagedObject[];
  /** Documents written before the metadata (full mode: checksums.sha256). */
  readonly documents: readonly ObjectWrite[];
  readonly transfer: TransferTotals;
  /** Full mode: whether the archive came from the cache. */
  readonly cache?: CacheReport;
  /** Bytes the staging refers to instead of copying. */
  readonly bytesDuplicationAvoided: number;
  /** Paths under the prefix that an earlier run had staged and this one kept. */
  readonly reused: readonly string[];
  /** Archive entries that were not staged (not `.riva`). */
  readonly skippedEntries: readonly string[];
  readonly warnings: readonly string[];
}

export interface CacheReport {
  readonly outcome: 'hit' | 'miss' | 'unsaved' | 'off';
  readonly description: string | undefined;
  readonly bytesNotDownloaded: number;
}

export const NO_TRANSFER: TransferTotals = { bytesDownloaded: 0, bytesUploaded: 0, bytesCopiedServerSide: 0 };
