import type { PromoteConfig } from '../config/config.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { bintarballRootOrDefault, candidateLayouts, sameLayoutAt, stagedObjects, stagingObject, type StagingLayout } from '../layout.ts';
import { sha256Hex, sourceIdentity } from '../marker.ts';
import { MetadataSchema, type Metadata } from '../metadata.ts';
import { MultipartUploads } from '../s3/multipart.ts';
import type { ObjectStore } from '../s3/object-store.ts';
import { serverSideCopy } from '../s3/server-side-copy.ts';
import { formatS3Uri, type S3Location } from '../s3/uri.ts';
import type { PhaseName } from '../state-file.ts';
import type { OperationDefinition, OperationDependencies } from './operation.ts';
import type { ObjectWrite, StagedObject } from './stage/content.ts';
import { awaitConcurrentStaging, publishDocuments, publishMarker, stagingDocuments } from './stage/publish.ts';
import { stagingOutputs, type StageStatus } from './stage/stage.ts';
import { findMetadata, readMarker } from './stored-documents.ts';
import { mismatchReport, verifyDeployment, type CheckedObject } from './verify.ts';

/** One object promote copies server-side. */
export interface PlannedCopy {
  readonly from: S3Location;
  readonly to: S3Location;
  readonly what: string;
}

export interface PromoteResult {
  readonly operation: 'promote';
  readonly status: StageStatus;
  /** The target staging. */
  readonly layout: StagingLayout;
  readonly metadata: Metadata;
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
}

/** What promote needs of a run: everything but transfer progress and the archive cache. */
export type PromoteDependencies = Omit<OperationDependencies, 'progress' | 'cache'>;

export const promoteOperation: OperationDefinition<PromoteConfig, PromoteResult> = {
  stateFile: (config) => ({
    name: `promote-${config.fromEnvironment}-to-${config.environment}-${config.modelName}-${config.modelVersion}`,
    fields: { environment: config.environment, from_environment: config.fromEnvironment },
  }),
  run: (config, deps) => promote(config, deps),
  outputs: stagingOutputs,
  failure: () => undefined,
  warnings: () => [],
};

/**
 * promote: a complete staging that passes `verify` is copied to another environment inside S3
 * (no object body passes through the runner), in the layout it has, with `promoted_from`
 * recording the source document and its SHA-256. The metadata is written after the copies,
 * the marker only once the promoted staging is verified.
 */
export async function promote(config: PromoteConfig, deps: PromoteDependencies): Promise<PromoteResult> {
  const { store, state, log } = deps;
  const startedAt = deps.now();
  const verifyOptions = { maxAttempts: config.connection.maxAttempts };
  const source = await state.phase('discover', async () => {
    const checked = await verifyDeployment({ target: { ...config, environment: config.fromEnvironment }, deep: config.deep }, store, log, verifyOptions);
    if (checked.mismatches.length > 0 || checked.metadata === undefined || checked.metadataSha256 === undefined) {
      throw new ValidationError(`The ${config.fromEnvironment} staging cannot be promoted. ${mismatchReport(checked)}`);
    }
    log(`Verified the ${config.fromEnvironment} staging ${formatS3Uri(checked.layout.metadata)} (${checked.checked.length} checks).`);
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
  const finish = (status: StageStatus, metadata: Metadata, writes: readonly ObjectWrite[], copied: readonly StagedObject[], verified: readonly CheckedObject[] = []): PromoteResult => {
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

  const metadata = targetMetadata(source.metadata, target, promotedFrom, config, { ...deps, startedAt });
  if (config.dryRun) {
    for (const copy of copies) log(`Dry run: would copy ${formatS3Uri(copy.from)} to ${formatS3Uri(copy.to)} (server-side)`);
    const planned = stagingDocuments(metadata, target, [], deps.now());
    return finish('planned', metadata, [...planned.documents, planned.marker], []);
  }

  const written = await state.phase('write', async () => {
    // A metadata document without a marker is a failed run's leftover, to be replaced.
    const leftover = (await store.head(target.metadata, 'the metadata document')) !== undefined;
    if ((await store.head(target.marker, 'the completion marker')) !== undefined) {
      await store.delete(target.marker, 'the previous completion marker');
      log(`Removed the previous completion marker ${formatS3Uri(target.marker)} (force).`);
    }
    const copied = await copyAll(copies, store, log);
    const writes = stagingDocuments(metadata, target, [], deps.now());
    // The metadata now; the marker only once the copy is verified.
    const rules = { metadataOnlyIfAbsent: !config.force && !leftover, markerOnlyIfAbsent: !config.force };
    return { copied, writes, outcome: await publishDocuments(writes.documents, target, rules, store, log) };
  });

  const verified = written.outcome.published
    ? await state.phase('verify', async () => {
        const [metadataWrite] = written.writes.documents;
        const checked = await verifyDeployment({ target: { metadata: target.metadata }, deep: false }, store, log, {
          ...verifyOptions,
          unmarkedMetadataSha256: sha256Hex(metadataWrite?.body ?? ''),
        });
        if (checked.mismatches.length > 0) throw new ValidationError(mismatchReport(checked));
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

/** Every planned copy, server-side; a failure aborts the multipart copies it opened. */
async function copyAll(copies: readonly PlannedCopy[], store: ObjectStore, log: (message: string) => void): Promise<StagedObject[]> {
  const uploads = new MultipartUploads();
  const copied: StagedObject[] = [];
  try {
    for (const copy of copies) {
      const info = await store.describe(copy.from, copy.what);
      const { etag } = await serverSideCopy(store, uploads, { location: copy.from, etag: info.etag, sizeBytes: info.size }, copy.to);
      copied.push({ location: copy.to, sizeBytes: info.size, etag, what: copy.what });
      log(`Copied ${formatS3Uri(copy.from)} to ${formatS3Uri(copy.to)} (server-side)`);
    }
    return copied;
  } catch (error) {
    await uploads.abortAll();
    throw error;
  }
}

/** The same layout kind as the source, in the target environment. */
export function targetLayout(config: PromoteConfig, source: StagingLayout): StagingLayout {
  return sameLayoutAt(source, candidateLayouts(config.bucket, config, bintarballRootOrDefault(config.bintarballKey)));
}

/** Full mode's staged objects (archive copy, .riva files, checksums) to copy; none otherwise. */
export function copyPlan(source: StagingLayout, target: StagingLayout, metadata: Metadata): PlannedCopy[] {
  if (source.mode !== 'full') return [];
  return stagedObjects(source, metadata.files).map((object) => ({ from: object.location, to: stagingObject(target, object.path), what: object.what }));
}

/** The target's own metadata, pointing at its copies, recording where it came from. */
export function targetMetadata(
  source: Metadata,
  target: StagingLayout,
  promotedFrom: NonNullable<Metadata['promoted_from']>,
  config: Pick<PromoteConfig, 'environment' | 'bucket'>,
  run: Pick<PromoteDependencies, 'runId' | 'toolVersion' | 'github' | 'now'> & { readonly startedAt: Date },
): Metadata {
  return MetadataSchema.parse({
    ...source,
    files: source.files.map((file) => ({ ...file, uri: formatS3Uri(stagingObject(target, file.path)) })),
    deployment: {
      environment: config.environment,
      s3_bucket: config.bucket,
      metadata_uri: formatS3Uri(target.metadata),
      marker_uri: formatS3Uri(target.marker),
    },
    promoted_from: promotedFrom,
    run: { id: run.runId, started_at: run.startedAt.toISOString(), finished_at: run.now().toISOString(), tool_version: run.toolVersion, github: run.github },
  });
}

/**
 * The target's metadata when it is already this promotion (same source document); a different
 * complete staging there is a conflict unless forced.
 */
async function existingPromotion(target: StagingLayout, sourceSha256: string, force: boolean, store: ObjectStore): Promise<Metadata | undefined> {
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
