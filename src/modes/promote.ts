import type { PromoteConfig, VerifyConfig } from '../config/config.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { bintarballRoot, candidateLayouts, withArchive, type StagingLayout } from '../layout.ts';
import { markerRecord, parseMarker, serialiseMarker, sha256Hex, sourceIdentity } from '../marker.ts';
import { MetadataSchema, parseMetadataDocument, serialiseMetadata, type Metadata } from '../metadata.ts';
import { awaitConcurrentStaging, publishDocuments, publishMarker } from '../publish.ts';
import { mismatchReport } from '../report/verify-summary.ts';
import { MultipartUploads } from '../s3/multipart.ts';
import type { ObjectStore } from '../s3/object-store.ts';
import { serverSideCopy } from '../s3/server-side-copy.ts';
import { baseName, formatS3Uri, parseS3Uri, type S3Location } from '../s3/uri.ts';
import type { StageDependencies, StageResult } from '../stage.ts';
import type { ModeContent, ObjectWrite, StagedObject } from './content.ts';
import { verifyDeployment } from './verify.ts';

/** What promote needs of a run: the staging dependencies without transfer progress or cache. */
export type PromoteDependencies = Omit<StageDependencies, 'progress' | 'cache'>;

/**
 * promote: a complete staging that passes `verify` is copied to another environment inside S3
 * (no object body passes through the runner), in the layout it has, with `promoted_from`
 * recording the source document and its SHA-256. The metadata is written after the copies,
 * the marker only once the promoted staging is verified.
 */
export async function promote(config: PromoteConfig, deps: PromoteDependencies): Promise<StageResult> {
  const { store, state, log } = deps;
  const startedAt = deps.now();
  const source = await state.phase('discover', async () => {
    const checked = await verifyDeployment(verifyConfigOf(config, { ...config, environment: config.fromEnvironment }, config.deep), store, log);
    if (checked.mismatches.length > 0 || checked.metadata === undefined || checked.metadataSha256 === undefined) {
      throw new ValidationError(`The ${config.fromEnvironment} staging cannot be promoted. ${mismatchReport(checked)}`);
    }
    log(`Verified the ${config.fromEnvironment} staging ${formatS3Uri(checked.layout.metadata)} (${checked.checked.length} checks).`);
    return { layout: checked.layout, metadata: checked.metadata, sha256: checked.metadataSha256 };
  });

  const target = targetLayout(config, source.layout, source.metadata);
  const promotedFrom = {
    metadata_uri: source.metadata.deployment.metadata_uri,
    environment: config.fromEnvironment,
    metadata_sha256: source.sha256,
  };
  const existing = await state.phase('plan', () => existingPromotion(target, promotedFrom.metadata_sha256, config.force, store));
  const copies = copyPlan(source.layout, target, source.metadata);
  if (existing !== undefined) {
    log(`Already promoted: ${formatS3Uri(target.marker)} records the same source staging; nothing to write.`);
    return result('already-staged', target, existing, [], [], copies, deps);
  }

  const metadata = targetMetadata(source.metadata, target, promotedFrom, config, deps, startedAt);
  if (config.dryRun) {
    for (const copy of copies) log(`Dry run: would copy ${formatS3Uri(copy.from)} to ${formatS3Uri(copy.to)} (server-side)`);
    const { metadata: metadataWrite, marker: markerWrite } = documents(metadata, target, deps);
    return result('planned', target, metadata, [metadataWrite, markerWrite], [], copies, deps);
  }

  const written = await state.phase('write', async () => {
    // A metadata document without a marker is a failed run's leftover, to be replaced.
    const leftover = (await store.head(target.metadata, 'the metadata document')) !== undefined;
    if ((await store.head(target.marker, 'the completion marker')) !== undefined) {
      await store.delete(target.marker, 'the previous completion marker');
      log(`Removed the previous completion marker ${formatS3Uri(target.marker)} (force).`);
    }
    const uploads = new MultipartUploads();
    const copied: StagedObject[] = [];
    try {
      for (const copy of copies) {
        const info = await store.describe(copy.from, copy.what);
        const { etag } = await serverSideCopy(store, uploads, { location: copy.from, etag: info.etag, sizeBytes: info.size }, copy.to);
        copied.push({ location: copy.to, sizeBytes: info.size, etag, what: copy.what });
        log(`Copied ${formatS3Uri(copy.from)} to ${formatS3Uri(copy.to)} (server-side)`);
      }
    } catch (error) {
      await uploads.abortAll();
      throw error;
    }
    const writes = documents(metadata, target, deps);
    // The metadata now; the marker only once the copy is verified.
    const rules = { metadataOnlyIfAbsent: !config.force && !leftover, markerOnlyIfAbsent: !config.force };
    return { copied, writes, outcome: await publishDocuments([writes.metadata], target, rules, store, log) };
  });

  const verified = written.outcome.published
    ? await state.phase('verify', async () => {
        const checked = await verifyDeployment(verifyConfigOf(config, { metadata: target.metadata }, false), store, log, {
          unmarkedMetadataSha256: sha256Hex(written.writes.metadata.body),
        });
        if (checked.mismatches.length > 0) throw new ValidationError(mismatchReport(checked));
        const marker = await publishMarker(written.writes.marker, target, !config.force, store, log);
        return marker && [...checked.checked, marker];
      })
    : undefined;
  if (verified === undefined) {
    const marker = await awaitConcurrentStaging(target, sourceIdentity(metadata), store);
    log(`Another run promoted the same staging at the same time (run ${marker.runId}).`);
    return result('already-staged', target, metadata, [], written.copied, copies, deps);
  }
  log(`Verified the promoted staging (${verified.length} checks); it is marked complete.`);
  return { ...result('staged', target, metadata, [written.writes.metadata, written.writes.marker], written.copied, copies, deps), verified };
}

/** A check of `target` within this run (its deadline already binds every request). */
function verifyConfigOf(config: PromoteConfig, target: VerifyConfig['target'], deep: boolean): VerifyConfig {
  return {
    mode: 'verify',
    target,
    deep,
    awsRegion: config.awsRegion,
    s3Endpoint: config.s3Endpoint,
    timeoutSeconds: undefined,
    maxAttempts: config.maxAttempts,
    stateFile: undefined,
  };
}

interface Copy {
  readonly from: S3Location;
  readonly to: S3Location;
  readonly what: string;
}

/** The same layout kind as the source, in the target environment. */
function targetLayout(config: PromoteConfig, source: StagingLayout, metadata: Metadata): StagingLayout {
  const root = config.bintarballKey === undefined ? 'bintarball/' : bintarballRoot(config.bintarballKey);
  const [bintarball, stagingArea] = candidateLayouts(config.bucket, config, root);
  if (source.mode === 'bintarball-reference') return bintarball!;
  return metadata.mode === 'full' ? withArchive(stagingArea!, baseName(parseS3Uri(metadata.source.uri).key)) : stagingArea!;
}

/** Full mode's staged objects (archive copy, .riva files, checksums) to copy; none otherwise. */
function copyPlan(source: StagingLayout, target: StagingLayout, metadata: Metadata): Copy[] {
  if (metadata.mode !== 'full') return [];
  const at = (layout: StagingLayout, path: string) => ({ bucket: layout.prefix.bucket, key: `${layout.prefix.key}${path}` });
  const paths = [
    { path: `source/${baseName(parseS3Uri(metadata.source.uri).key)}`, what: 'the archive copy' },
    ...metadata.files.map((file) => ({ path: file.path, what: file.path })),
    { path: 'checksums.sha256', what: 'the checksums file' },
  ];
  return paths.map(({ path, what }) => ({ from: at(source, path), to: at(target, path), what }));
}

/** The target's own metadata, pointing at its copies, recording where it came from. */
function targetMetadata(
  source: Metadata,
  target: StagingLayout,
  promotedFrom: NonNullable<Metadata['promoted_from']>,
  config: PromoteConfig,
  deps: PromoteDependencies,
  startedAt: Date,
): Metadata {
  return MetadataSchema.parse({
    ...source,
    files: source.files.map((file) => ({ ...file, uri: formatS3Uri({ bucket: target.prefix.bucket, key: `${target.prefix.key}${file.path}` }) })),
    deployment: {
      environment: config.environment,
      s3_bucket: config.bucket,
      metadata_uri: formatS3Uri(target.metadata),
      marker_uri: formatS3Uri(target.marker),
    },
    promoted_from: promotedFrom,
    run: { id: deps.runId, started_at: startedAt.toISOString(), finished_at: deps.now().toISOString(), tool_version: deps.toolVersion, github: deps.github },
  });
}

/**
 * The target's metadata when it is already this promotion (same source document); a different
 * complete staging there is a conflict unless forced.
 */
async function existingPromotion(target: StagingLayout, sourceSha256: string, force: boolean, store: ObjectStore): Promise<Metadata | undefined> {
  if ((await store.head(target.marker, 'the completion marker')) === undefined) return undefined;
  const marker = parseMarker(await store.getText(target.marker, 'the completion marker'));
  const parsed = parseMetadataDocument(await store.getText(target.metadata, 'the metadata document').catch(() => ''));
  if (marker && 'metadata' in parsed && parsed.metadata.promoted_from?.metadata_sha256 === sourceSha256) return parsed.metadata;
  if (force) return undefined;
  throw new ConflictError(
    `${formatS3Uri(target.marker)} already marks a complete staging that is not this promotion. ` +
      'Set `force` to replace it with the promoted one.',
  );
}

function documents(metadata: Metadata, target: StagingLayout, deps: PromoteDependencies): { metadata: ObjectWrite; marker: ObjectWrite } {
  const text = serialiseMetadata(metadata);
  return {
    metadata: { location: target.metadata, body: text, contentType: 'application/json', what: 'the metadata document' },
    marker: {
      location: target.marker,
      body: serialiseMarker(markerRecord(metadata, text, deps.now())),
      contentType: 'text/plain; charset=utf-8',
      what: 'the completion marker',
    },
  };
}

function result(
  status: StageResult['status'],
  layout: StagingLayout,
  metadata: Metadata,
  writes: readonly ObjectWrite[],
  copied: readonly StagedObject[],
  plan: readonly Copy[],
  deps: PromoteDependencies,
): StageResult {
  const copiedBytes = copied.reduce((sum, object) => sum + object.sizeBytes, 0);
  const content: ModeContent = {
    sourceSha256: metadata.source.sha256,
    files: [],
    objects: copied,
    documents: [],
    transfer: { bytesDownloaded: 0, bytesUploaded: 0, bytesCopiedServerSide: copiedBytes },
    bytesDuplicationAvoided: metadata.mode === 'full' ? 0 : metadata.source.size_bytes,
    reused: [],
    skippedEntries: [],
    warnings: plan.length > 0 && status === 'planned' ? [`would copy ${plan.length} objects server-side`] : [],
  };
  deps.state.record({ status, promoted_from: metadata.promoted_from });
  return {
    status,
    layout,
    metadata,
    writes,
    content,
    verified: [],
    bytesDuplicationAvoided: content.bytesDuplicationAvoided,
    warnings: content.warnings,
    durations: deps.state.durations(),
    retries: deps.store.retries?.count ?? 0,
  };
}
