import { ConflictError } from '../../errors.ts';
import type { StagingLayout } from '../../layout.ts';
import { markerRecord, serialiseMarker, sha256Hex, sourceDifferences, type MarkerRecord, type SourceIdentity } from '../../marker.ts';
import { serialiseMetadata, type Metadata, type StoredMetadataDocument } from '../../metadata.ts';
import { sleep } from '../../s3/backoff.ts';
import { ObjectExistsError, type ObjectStore } from '../../s3/object-store.ts';
import { formatS3Uri } from '../../s3/uri.ts';
import { readMarker } from '../stored-documents.ts';
import type { CheckedObject } from '../verify.ts';
import type { ObjectWrite } from './content.ts';

/**
 * The one writer of a staging's documents: the mode's own and the metadata, written first, and
 * the marker (recording the metadata's SHA-256), written last.
 */
export function stagingDocuments(
  metadata: Metadata,
  layout: StagingLayout,
  modeDocuments: readonly ObjectWrite[],
  completedAt: Date,
): { documents: ObjectWrite[]; marker: ObjectWrite } {
  const metadataText = serialiseMetadata(metadata);
  return {
    documents: [
      ...modeDocuments,
      { location: layout.metadata, body: metadataText, contentType: 'application/json', what: 'the metadata document' },
    ],
    marker: {
      location: layout.marker,
      body: serialiseMarker(markerRecord(metadata, metadataText, completedAt)),
      contentType: 'text/plain; charset=utf-8',
      what: 'the completion marker',
    },
  };
}

export interface PublishRules {
  /** Write the metadata only if absent: a second run staging the same target at once loses. */
  readonly metadataOnlyIfAbsent: boolean;
  /** Write the marker only if absent. */
  readonly markerOnlyIfAbsent: boolean;
}

export type PublishOutcome =
  | { readonly published: true; readonly etags: readonly string[] }
  /** Another run wrote the metadata or marker first: this one must not overwrite it. */
  | { readonly published: false };

/**
 * Writes a staging's documents in order, the marker last. The metadata and marker are written
 * conditionally (`If-None-Match: *`) unless the rules say otherwise, so that of two runs staging
 * the same target at once exactly one publishes. On a server that ignores the condition both
 * writes succeed and the later one wins; verification then notices a metadata document that is
 * not the one this run wrote.
 */
export async function publishDocuments(
  writes: readonly ObjectWrite[],
  layout: StagingLayout,
  rules: PublishRules,
  store: ObjectStore,
  log: (message: string) => void,
): Promise<PublishOutcome> {
  const etags: string[] = [];
  const written: ObjectWrite[] = [];
  for (const write of writes) {
    const onlyIfAbsent =
      (write.location === layout.metadata && rules.metadataOnlyIfAbsent) ||
      (write.location === layout.marker && rules.markerOnlyIfAbsent);
    try {
      etags.push(await store.putText(write.location, write.body, write.contentType, write.what, { onlyIfAbsent }));
    } catch (error) {
      if (error instanceof ObjectExistsError) {
        log(`${formatS3Uri(write.location)} appeared while this run was staging: another run is staging the same target.`);
        return { published: false };
      }
      // The documents written before this one describe a staging that will not be published.
      for (const earlier of written) await store.delete(earlier.location, earlier.what).catch(() => log(`Could not remove ${formatS3Uri(earlier.location)}.`));
      throw error;
    }
    written.push(write);
    log(`Wrote ${formatS3Uri(write.location)}`);
  }
  return { published: true, etags };
}

/**
 * Writes the marker, the last document, once everything else is verified, and checks it landed.
 * Undefined when another run wrote it first (a lost race, as in publishDocuments).
 */
export async function publishMarker(
  write: ObjectWrite,
  layout: StagingLayout,
  onlyIfAbsent: boolean,
  store: ObjectStore,
  log: (message: string) => void,
): Promise<CheckedObject | undefined> {
  const marked = await publishDocuments([write], layout, { metadataOnlyIfAbsent: false, markerOnlyIfAbsent: onlyIfAbsent }, store, log);
  if (!marked.published) return undefined;
  const marker = await store.describe(layout.marker, 'the completion marker');
  return { what: 'the completion marker', uri: formatS3Uri(layout.marker), found: `${marker.size} bytes, ETag ${marker.etag}` };
}

const CONCURRENT_RUN_WAIT_MS = 60_000;

/**
 * After losing a race to another run: wait for that run's marker (it writes it right after the
 * metadata), then accept its staging if it is of the same source.
 */
export async function awaitConcurrentStaging(
  layout: StagingLayout,
  planned: SourceIdentity,
  store: ObjectStore,
  now: () => number = Date.now,
): Promise<MarkerRecord> {
  const deadline = now() + CONCURRENT_RUN_WAIT_MS;
  for (let attempt = 1; ; attempt += 1) {
    const marker = await readMarker(layout, store);
    if (marker.state === 'foreign') break;
    if (marker.state === 'ours') {
      const differences = sourceDifferences(marker.record, planned);
      if (differences.length > 0) {
        throw new ConflictError(
          `Another run staged ${formatS3Uri(layout.prefix)} from a different source at the same time ` +
            `(${differences.join('; ')}). Check which archive is meant for this version, then re-run with \`force\`.`,
        );
      }
      return marker.record;
    }
    if (now() >= deadline) break;
    await sleep(Math.min(250 * 2 ** attempt, 5000), store.signal);
  }
  throw new ConflictError(
    `Another run is staging ${formatS3Uri(layout.prefix)} at the same time and has not completed it. ` +
      'Re-run once it has finished (it will then report already-staged), or set `force` to replace it.',
  );
}

/**
 * What a later job pins a staging's metadata document to: the SHA-256 of its bytes as written
 * (what an attestation's subject digest and fetch's `deployment-json-sha256` hold it to) and,
 * in a versioned bucket, the version that holds those bytes.
 */
export interface DocumentPin {
  readonly sha256: string;
  /** Undefined when the bucket is not versioned (or nothing was written: a dry run). */
  readonly versionId: string | undefined;
}

/**
 * The pin of the document a run leaves published (staged, or already staged): the SHA-256 its
 * completion marker records (of the bytes as written) and the version HEAD reports. A dry run's
 * is the SHA-256 of the document it would write, with no version.
 */
export async function documentPin(
  result: { readonly status: string; readonly layout: StagingLayout; readonly metadata: StoredMetadataDocument },
  store: ObjectStore,
): Promise<DocumentPin> {
  if (result.status === 'planned') {
    // A dry run plans a document of the current schema: the one it would write.
    return { sha256: sha256Hex(serialiseMetadata(result.metadata as Metadata)), versionId: undefined };
  }
  const [marker, info] = await Promise.all([readMarker(result.layout, store), store.head(result.layout.metadata, 'the metadata document')]);
  if (marker.state !== 'ours' || info === undefined) {
    throw new ConflictError(`${formatS3Uri(result.layout.metadata)} was withdrawn right after this run completed it; re-run to check the staging.`);
  }
  return { sha256: marker.record.metadataSha256, versionId: info.versionId };
}
