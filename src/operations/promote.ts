import type { PromoteConfig } from '../config/config.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { printable } from '../format.ts';
import { bintarballRootOrDefault, candidateLayouts, relativeToPrefix, sameLayoutAt, stagedObjects, stagingObject, type StagingLayout } from '../layout.ts';
import { sha256Hex, sourceIdentity } from '../marker.ts';
import { MetadataSchema, pinnedObjects, type Metadata, type StoredMetadataDocument } from '../metadata.ts';
import { MultipartUploads } from '../s3/multipart.ts';
import type { ObjectStore } from '../s3/object-store.ts';
import { serverSideCopy } from '../s3/server-side-copy.ts';
import { formatS3Uri, keyProblem, type S3Location } from '../s3/uri.ts';
import type { PhaseName } from '../state-file.ts';
import type { OperationDefinition, OperationDependencies } from './operation.ts';
import type { ObjectWrite, StagedObject } from './stage/content.ts';
import { leaseOptions, leaseOwner, StagingLease } from './lease.ts';
import { awaitConcurrentStaging, documentPin, publishDocuments, publishMarker, stagingDocuments, type DocumentPin } from './stage/publish.ts';
import { removeUnlisted } from './stage/replace.ts';
import { stagingOutputs, type StageStatus } from './stage/stage.ts';
import { findMetadata, readMarker } from './stored-documents.ts';
import { mismatchReport, verifyDeployment, type CheckedObject } from './verify.ts';

/** One object promote copies server-side. */
export interface PlannedCopy {
  /** Relative to the staging prefix, in both environments. */
  readonly path: string;
  readonly from: S3Location;
  readonly to: S3Location;
  readonly what: string;
  /** The ETag the source metadata pins (and verify saw); undefined for a document or a legacy staging's file. */
  readonly etag: string | undefined;
}

export interface PromoteResult {
  readonly operation: 'promote';
  readonly status: StageStatus;
  /** The target staging. */
  readonly layout: StagingLayout;
  readonly metadata: StoredMetadataDocument;
  /** Documents in write order; empty when nothing was (or would be) written. */
  readonly writes: readonly ObjectWrite[];
  /** What this run copied server-side (none when already promoted or planned). */
  readonly copied: readonly StagedObject[];
  /** Every copy a promotion of this staging makes: what a dry run would do. */
  readonly plannedCopies: readonly PlannedCopy[];
  readonly verified: readonly CheckedObject[];
  readonly durations: Partial<Record<PhaseName, number>>;
  /** Requests retried and downloads resumed. */
  readonly retries: number;
  /** The target's metadata document's SHA-256 and version, for a later job to pin. */
  readonly document: DocumentPin;
}

/** A promotion's outcome before its metadata document is pinned (the operation adds the pin). */
type UnpinnedPromotion = Omit<PromoteResult, 'document'>;

/** What promote needs of a run: everything but transfer progress and the archive cache. */
export type PromoteDependencies = Omit<OperationDependencies, 'progress' | 'cache'>;

export const promoteOperation: OperationDefinition<PromoteConfig, PromoteResult> = {
  stateFile: (config) => ({
    name: `promote-${config.fromEnvironment}-to-${config.environment}-${config.modelName}-${config.modelVersion}`,
    fields: { environment: config.environment, from_environment: config.fromEnvironment, bucket: config.bucket, to_bucket: config.toBucket },
  }),
  run: async (config, deps) => {
    const result = await promote(config, deps);
    return { ...result, document: await documentPin(result, deps.store) };
  },
  outputs: stagingOutputs,
  failure: () => undefined,
  warnings: () => [],
};

/**
 * promote: a complete staging that passes `verify` is copied to another environment inside S3
 * (no object body passes through the runner), in the layout it has, with `promoted_from`
 * recording the source document and its SHA-256. The metadata is written after the copies,
 * the marker only once the promoted staging is verified. The target may be in another bucket
 * (`to-bucket`), even another account's: the copies are then cross-bucket server-side copies,
 * and the target's lease, metadata and marker live in that bucket.
 */
export async function promote(config: PromoteConfig, deps: PromoteDependencies): Promise<UnpinnedPromotion> {
  const { store, state, log } = deps;
  const startedAt = deps.now();
  const verifyOptions = { maxAttempts: config.connection.maxAttempts };
  const source = await state.phase('discover', async () => {
    if (config.dryRun) await store.checkBucket(config.toBucket, 'the target bucket');
    const checked = await verifyDeployment({ target: { ...config, environment: config.fromEnvironment }, deep: config.deep }, store, log, verifyOptions);
    if (checked.mismatches.length > 0 || checked.metadata === undefined || checked.metadataSha256 === undefined) {
      throw new ValidationError(`The staging of environment "${config.fromEnvironment}" cannot be promoted. ${mismatchReport(checked)}`);
    }
    log(`Verified the staging of environment "${config.fromEnvironment}", ${formatS3Uri(checked.layout.metadata)} (${checked.checked.length} checks).`);
    return { layout: checked.layout, metadata: checked.metadata, sha256: checked.metadataSha256 };
  });

  const target = targetLayout(config, source.layout);
  const promotedFrom = {
    metadata_uri: source.metadata.deployment.metadata_uri,
    environment: config.fromEnvironment,
    metadata_sha256: source.sha256,
  };
  const existing = await state.phase('plan', () => existingPromotion(target, promotedFrom.metadata_sha256, config.force, store));
  const copies = copyPlan(source.layout, target, source.metadata);
  const finish = (status: StageStatus, metadata: StoredMetadataDocument, writes: readonly ObjectWrite[], copied: readonly StagedObject[], verified: readonly CheckedObject[] = []): UnpinnedPromotion => {
    state.record({ status, promoted_from: metadata.promoted_from });
    return {
      operation: 'promote',
      status,
      layout: target,
      metadata,
      writes,
      copied,
      plannedCopies: copies,
      verified,
      durations: state.durations(),
      retries: store.retries?.count ?? 0,
    };
  };
  if (existing !== undefined) {
    log(`Already promoted: ${formatS3Uri(target.marker)} records the same source staging; nothing to write.`);
    return finish('already-staged', existing, [], []);
  }

  const run = { ...deps, startedAt };
  const planned = targetMetadata(source.metadata, target, promotedFrom, config, run, await sourceEtags(copies, store));
  if (config.dryRun) {
    for (const copy of copies) log(`Dry run: would copy ${formatS3Uri(copy.from)} to ${formatS3Uri(copy.to)} (server-side)`);
    const documents = stagingDocuments(planned, target, [], deps.now());
    return finish('planned', planned, [...documents.documents, documents.marker], []);
  }

  const lease = await state.phase('lease', () => StagingLease.acquire(store, target, leaseOwner(deps), leaseOptions(config, deps)));
  try {
    // Another run may have completed this promotion before this one got the lease.
    const promotedMeanwhile = await existingPromotion(target, promotedFrom.metadata_sha256, config.force, store);
    if (promotedMeanwhile !== undefined) return finish('already-staged', promotedMeanwhile, [], []);
    return await writePromotion({ config, deps, source, target, promotedFrom, copies, run, lease, finish });
  } finally {
    await lease.release();
  }
}

/** What writing a promotion needs of the plan made before it. */
interface PromotionPlan {
  readonly config: PromoteConfig;
  readonly deps: PromoteDependencies;
  readonly source: { readonly layout: StagingLayout; readonly metadata: StoredMetadataDocument };
  readonly target: StagingLayout;
  readonly promotedFrom: NonNullable<Metadata['promoted_from']>;
  readonly copies: readonly PlannedCopy[];
  readonly run: Pick<PromoteDependencies, 'runId' | 'toolVersion' | 'github' | 'now'> & { readonly startedAt: Date };
  readonly lease: StagingLease;
  readonly finish: (status: StageStatus, metadata: StoredMetadataDocument, writes: readonly ObjectWrite[], copied: readonly StagedObject[], verified?: readonly CheckedObject[]) => UnpinnedPromotion;
}

/** copy → metadata → verify → marker, under the target's lease. */
async function writePromotion(plan: PromotionPlan): Promise<UnpinnedPromotion> {
  const { config, deps, source, target, promotedFrom, copies, run, lease, finish } = plan;
  const { store, state, log } = deps;
  const verifyOptions = { maxAttempts: config.connection.maxAttempts };
  const written = await state.phase('write', async () => {
    // A metadata document without a marker is a failed run's leftover, to be replaced.
    const leftover = (await store.head(target.metadata, 'the metadata document')) !== undefined;
    if ((await store.head(target.marker, 'the completion marker')) !== undefined) {
      await store.delete(target.marker, 'the previous completion marker');
      log(`Removed the previous completion marker ${formatS3Uri(target.marker)} (force).`);
    }
    const copied = await copyAll(copies, store, log);
    // The target pins its copies as the server reports them (a copy's ETag need not be the source's).
    const metadata = targetMetadata(
      source.metadata,
      target,
      promotedFrom,
      config,
      run,
      new Map(copied.map((copy) => [copy.path, copy.etag])),
      new Map(copied.flatMap((copy) => (copy.versionId === undefined ? [] : [[copy.path, copy.versionId] as const]))),
    );
    const writes = stagingDocuments(metadata, target, [], deps.now());
    // The metadata now; the marker only once the copy is verified.
    const rules = { metadataOnlyIfAbsent: !config.force && !leftover, markerOnlyIfAbsent: !config.force };
    return { copied, metadata, writes, outcome: await publishDocuments(writes.documents, target, rules, store, log) };
  });
  const { metadata } = written;

  const verified = written.outcome.published
    ? await state.phase('verify', async () => {
        const [metadataWrite] = written.writes.documents;
        const checked = await verifyDeployment({ target: { metadata: target.metadata }, deep: false }, store, log, {
          ...verifyOptions,
          unmarkedMetadataSha256: sha256Hex(metadataWrite?.body ?? ''),
        });
        if (checked.mismatches.length > 0) throw new ValidationError(mismatchReport(checked));
        await removeUnlisted(target, written.metadata, store, log);
        await lease.confirm();
        const marker = await publishMarker(written.writes.marker, target, !config.force, store, log);
        return marker && [...checked.checked, marker];
      })
    : undefined;
  if (verified === undefined) {
    const marker = await awaitConcurrentStaging(target, sourceIdentity(metadata), store);
    log(`Another run promoted the same staging at the same time (run ${marker.runId}).`);
    return finish('already-staged', metadata, [], written.copied);
  }
  log(`Verified the promoted staging (${verified.length} checks); it is marked complete.`);
  return finish('staged', metadata, [...written.writes.documents, written.writes.marker], written.copied, verified);
}

/** A copy made, with the ETag the server reports for it. */
type CopiedObject = StagedObject & { readonly path: string; readonly versionId: string | undefined };

/**
 * Every planned copy, server-side, pinned to the ETag the source metadata records (verify saw
 * it): an object replaced since fails the copy instead of being promoted. Each copy is HEADed,
 * as a multipart copy's completion may carry no ETag. A failure aborts the copies it opened.
 */
async function copyAll(copies: readonly PlannedCopy[], store: ObjectStore, log: (message: string) => void): Promise<CopiedObject[]> {
  const uploads = new MultipartUploads();
  const copied: CopiedObject[] = [];
  try {
    for (const copy of copies) {
      const info = await store.describe(copy.from, copy.what);
      const etag = copy.etag ?? info.etag;
      await serverSideCopy(store, uploads, { location: copy.from, etag, sizeBytes: info.size }, copy.to, { what: copy.what });
      const landed = await store.describe(copy.to, copy.what);
      if (landed.size !== info.size) throw new ValidationError(`${formatS3Uri(copy.to)} has ${landed.size} bytes after the copy, the source ${info.size}.`);
      copied.push({ path: copy.path, location: copy.to, sizeBytes: landed.size, etag: landed.etag, what: copy.what, versionId: landed.versionId });
      log(`Copied ${formatS3Uri(copy.from)} to ${formatS3Uri(copy.to)} (server-side)`);
    }
    return copied;
  } catch (error) {
    await uploads.abortAll();
    throw error;
  }
}

/** The same layout kind as the source, in the target environment of the target bucket. */
export function targetLayout(config: PromoteConfig, source: StagingLayout): StagingLayout {
  return sameLayoutAt(source, candidateLayouts(config.toBucket, config, bintarballRootOrDefault(config.bintarballKey)));
}

/** Full mode's staged objects (archive copy, .riva files, checksums) to copy, pinned where the metadata pins them; none otherwise. */
export function copyPlan(source: StagingLayout, target: StagingLayout, metadata: StoredMetadataDocument): PlannedCopy[] {
  if (source.mode !== 'full') return [];
  const pinned = new Map(pinnedObjects(metadata).map((object) => [object.path, object.etag]));
  return stagedObjects(source, metadata.files).map((object) => ({
    path: object.path,
    from: object.location,
    to: copyTarget(target, object.path),
    what: object.what,
    etag: pinned.get(object.path),
  }));
}

/**
 * Where a copy lands, refused before any write when S3 would refuse its key: the target's
 * environment may be longer than the source's, and a key that fitted there can be over S3's
 * 1024 bytes here, which S3 would answer only part-way through the copies.
 */
function copyTarget(target: StagingLayout, path: string): S3Location {
  const to = stagingObject(target, path);
  const problem = keyProblem(to.key);
  if (problem !== undefined) {
    throw new ValidationError(
      `Cannot promote ${printable(path)}: its copy's key ${printable(formatS3Uri(to))} ${problem}. Nothing was copied. ` +
        'Promote to a shorter `environment` (ENV), or stage the model with shorter paths in its archive.',
    );
  }
  return to;
}

/** The source ETag of each copy: pinned, or (a legacy staging's files) as the server reports it now. */
async function sourceEtags(copies: readonly PlannedCopy[], store: ObjectStore): Promise<Map<string, string>> {
  const etags = await Promise.all(copies.map(async (copy) => [copy.path, copy.etag ?? (await store.describe(copy.from, copy.what)).etag] as const));
  return new Map(etags);
}

/**
 * The target's own metadata, pointing at its copies and pinning each to `etags` (by path),
 * recording where it came from. A legacy source is promoted into the current schema.
 */
export function targetMetadata(
  source: StoredMetadataDocument,
  target: StagingLayout,
  promotedFrom: NonNullable<Metadata['promoted_from']>,
  config: Pick<PromoteConfig, 'environment'>,
  run: Pick<PromoteDependencies, 'runId' | 'toolVersion' | 'github' | 'now'> & { readonly startedAt: Date },
  etags: ReadonlyMap<string, string>,
  /** The version of each copy (by path), in a versioned bucket. */
  versions: ReadonlyMap<string, string> = new Map(),
): Metadata {
  const copyOf = (object: { readonly path: string; readonly size_bytes: number; readonly sha256: string }) => ({
    path: object.path,
    uri: formatS3Uri(stagingObject(target, object.path)),
    size_bytes: object.size_bytes,
    etag: etags.get(object.path) ?? '',
    sha256: object.sha256,
    // Absent rather than undefined: the document must read back equal to what was built.
    ...(versions.has(object.path) ? { version_id: versions.get(object.path) } : {}),
  });
  return MetadataSchema.parse({
    ...source,
    schema_version: 2,
    source_copy: target.mode === 'full' ? copyOf(archiveCopyOf(source, target)) : null,
    files: source.files.map(copyOf),
    deployment: {
      environment: config.environment,
      s3_bucket: target.prefix.bucket,
      metadata_uri: formatS3Uri(target.metadata),
      marker_uri: formatS3Uri(target.marker),
    },
    promoted_from: promotedFrom,
    run: { id: run.runId, started_at: run.startedAt.toISOString(), finished_at: run.now().toISOString(), tool_version: run.toolVersion, github: run.github },
  });
}

/** The archive copy a full-mode staging holds, as its metadata records it (a legacy one only implies it). */
function archiveCopyOf(metadata: StoredMetadataDocument, layout: StagingLayout): { path: string; size_bytes: number; sha256: string } {
  if (metadata.schema_version === 2 && metadata.source_copy !== null) return metadata.source_copy;
  if (layout.mode !== 'full' || metadata.source.sha256 === null) {
    throw new ValidationError(`${metadata.deployment.metadata_uri} is a full-mode staging without a recorded archive copy and SHA-256; re-stage it.`);
  }
  return { path: relativeToPrefix(layout, layout.sourceCopy), size_bytes: metadata.source.size_bytes, sha256: metadata.source.sha256 };
}

/**
 * The target's metadata when it is already this promotion (same source document); a different
 * complete staging there is a conflict unless forced.
 */
async function existingPromotion(target: StagingLayout, sourceSha256: string, force: boolean, store: ObjectStore): Promise<StoredMetadataDocument | undefined> {
  const marker = await readMarker(target, store);
  if (marker.state === 'absent') return undefined;
  const stored = await findMetadata(target.metadata, store);
  if (marker.state === 'ours' && stored.state === 'valid' && stored.metadata.promoted_from?.metadata_sha256 === sourceSha256) return stored.metadata;
  if (force) return undefined;
  throw new ConflictError(
    `${formatS3Uri(target.marker)} already marks a complete staging that is not this promotion. ` +
      'Set `force` to replace it with the promoted one.',
  );
}
