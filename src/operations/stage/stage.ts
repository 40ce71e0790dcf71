import { isDeepStrictEqual } from 'node:util';
import type { StageConfig } from '../../config/config.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { countOf } from '../../format.ts';
import { modelFilesFolder, stagingLayout, type FullLayout, type StagingLayout } from '../../layout.ts';
import { sha256Hex, sourceIdentity, type MarkerRecord } from '../../marker.ts';
import { buildMetadata, pinnedObjects, type Metadata, type ReferencedObject, type StoredMetadataDocument } from '../../metadata.ts';
import type { ObjectStore } from '../../s3/object-store.ts';
import { formatS3Uri, type S3Location } from '../../s3/uri.ts';
import type { PhaseName } from '../../state-file.ts';
import { Timeline, type TimelineEntry } from '../../timeline.ts';
import type { OperationDefinition, OperationDependencies } from '../operation.ts';
import { leaseOptions, leaseOwner, StagingLease } from '../lease.ts';
import { findMetadata, readMarker, readMetadata, type StoredMarker } from '../stored-documents.ts';
import { legacyStagingWarning, type CheckedObject } from '../verify.ts';
import type { ModeContent, ObjectWrite } from './content.ts';
import { reusableEntries, StagingProgress } from './continuation.ts';
import { checkArchiveHead } from './archive-head-check.ts';
import { checkWrittenObjects, pinnedObjectDifferences, pinStagedContent } from './pin.ts';
import { completeStagingOfSameSource, type ExistingStaging } from './plan.ts';
import { awaitConcurrentStaging, documentPin, publishDocuments, publishMarker, stagingDocuments, type DocumentPin } from './publish.ts';
import { referenceContent, referencedArchiveSha256 } from './reference.ts';
import { removeUnlisted } from './replace.ts';

export type StageStatus = 'staged' | 'already-staged' | 'planned';

/** An object checked after writing, and what was found. */
export type VerifiedObject = CheckedObject;

export interface StageResult {
  readonly operation: 'stage';
  readonly status: StageStatus;
  readonly layout: StagingLayout;
  /** The staging's metadata: the one written, or the one found (an earlier version's, possibly). */
  readonly metadata: StoredMetadataDocument;
  /** Documents in write order; empty when nothing was (or would be) written. */
  readonly writes: readonly ObjectWrite[];
  /** What the mode staged besides the documents (full mode: the archive copy and `.riva` files). */
  readonly content: ModeContent | undefined;
  readonly verified: readonly VerifiedObject[];
  readonly bytesDuplicationAvoided: number;
  readonly warnings: readonly string[];
  readonly durations: Partial<Record<PhaseName, number>>;
  /** When the bytes moved and the documents landed, from the start of the staging (nothing for a run that wrote nothing). */
  readonly timeline: readonly TimelineEntry[];
  /** Requests retried and downloads resumed. */
  readonly retries: number;
  /** The metadata document's SHA-256 and version, for a later job to pin. */
  readonly document: DocumentPin;
}

/** A staging's outcome before its metadata document is pinned (the operation adds the pin). */
type UnpinnedResult = Omit<StageResult, 'document'>;

/** What staging needs of a run: all of it (full mode reads the archive, with progress and cache). */
export type StageDependencies = OperationDependencies;

export const stageOperation: OperationDefinition<StageConfig, StageResult> = {
  stateFile: (config) => ({
    name: `${config.mode}-${config.environment}-${config.artifactId}`,
    fields: { artifact_id: config.artifactId, environment: config.environment, source_uri: formatS3Uri(config.model) },
  }),
  run: async (config, deps) => {
    const result = await stage(config, deps);
    return { ...result, document: await documentPin(result, deps.store) };
  },
  outputs: stagingOutputs,
  failure: () => undefined,
  warnings: (result) => result.warnings,
};

/** The values step 131 and scripts read, as the action's outputs name them (stage and promote alike). */
export function stagingOutputs(result: {
  readonly status: StageStatus;
  readonly metadata: StoredMetadataDocument;
  readonly document: DocumentPin;
}): Record<string, string> {
  const { metadata } = result;
  return {
    'deployment-json-uri': metadata.deployment.metadata_uri,
    'marker-uri': metadata.deployment.marker_uri,
    'artifact-id': metadata.artifact_id,
    mode: metadata.mode,
    status: result.status,
    'source-uri': metadata.source.uri,
    'source-size-bytes': String(metadata.source.size_bytes),
    'source-sha256': metadata.source.sha256 ?? '',
    'deployment-json-sha256': result.document.sha256,
    'deployment-json-version-id': result.document.versionId ?? '',
  };
}

interface Discovery {
  readonly source: ReferencedObject;
  readonly containers: readonly ReferencedObject[];
  /** Whether a metadata document is already in place (with or without a marker). */
  readonly metadataExists: boolean;
  /** The complete staging already in place, or undefined when the target is not staged. */
  readonly existing: ExistingStaging | undefined;
}

/** One staging run's fixed facts and the two ways it ends: what every step below is given. */
interface StagingRun {
  readonly config: StageConfig;
  readonly deps: StageDependencies;
  readonly layout: StagingLayout;
  readonly startedAt: Date;
  readonly timeline: Timeline;
}

/** What discovery and planning found: the plan a write carries out, or the reason none is needed. */
interface Plan {
  readonly discovery: Discovery;
  readonly content: ModeContent | undefined;
  readonly metadata: Metadata;
  /** The marker of a complete staging this run would make as it is (already staged). */
  readonly sameStaging: MarkerRecord | undefined;
}

type Finish = (
  status: StageStatus,
  content: ModeContent | undefined,
  writes: readonly ObjectWrite[],
  verified: readonly VerifiedObject[],
  shown: StoredMetadataDocument,
  warnings?: readonly string[],
) => UnpinnedResult;

/**
 * discover → plan → (already staged, or a dry run, stops here) → lease → write → verify →
 * marker. The one path every mode takes. Writing happens under the staging's lease, and the
 * plan is made again if another run changed the staging before the lease was taken.
 */
export async function stage(config: StageConfig, deps: StageDependencies): Promise<UnpinnedResult> {
  const run: StagingRun = { config, deps, layout: stagingLayout(config), startedAt: deps.now(), timeline: new Timeline() };
  deps.state.record({ metadata_uri: formatS3Uri(run.layout.metadata), marker_uri: formatS3Uri(run.layout.marker) });
  const plan = await planStaging(run);
  const settled = settledWithoutWriting(run, plan);
  if (settled !== undefined) return settled;

  const lease = await deps.state.phase('lease', () => StagingLease.acquire(deps.store, run.layout, leaseOwner(deps), leaseOptions(config, deps)));
  try {
    // Another run may have completed (or withdrawn) the staging before this one got the lease.
    const marker = await readMarker(run.layout, deps.store);
    const current = sameMarker(marker, plan.discovery.existing) ? plan : await planStaging(run);
    return settledWithoutWriting(run, current) ?? (await writeStaging(run, current, lease));
  } finally {
    await lease.release();
  }
}

async function planStaging(run: StagingRun): Promise<Plan> {
  const { config, deps, layout } = run;
  const discovery = await deps.state.phase('discover', () => discover(config, layout, deps));
  return deps.state.phase('plan', async () => {
    // The reference modes know their whole content now; full mode learns it by reading the archive.
    const content = config.mode === 'full' ? undefined : await planReferenceContent(config, discovery, deps);
    const metadata = metadataOf(run, discovery, content);
    const sameStaging = completeStagingOfSameSource(discovery.existing, metadata, { force: config.force, expectedSha256: config.expectedSha256 });
    return { discovery, content, metadata, sameStaging };
  });
}

/** The result when nothing is to be written: the staging is already there, or this is a dry run. */
function settledWithoutWriting(run: StagingRun, plan: Plan): UnpinnedResult | undefined {
  const { config, deps, layout } = run;
  const finish = finisher(run);
  const { existing } = plan.discovery;
  if (plan.sameStaging !== undefined && existing !== undefined) {
    deps.log(`Already staged: ${formatS3Uri(layout.marker)} records the same source; every object it pins is unchanged (set \`force\` to re-stage).`);
    return alreadyStaged(existing, layout, plan.content, finish);
  }
  if (!config.dryRun) return undefined;
  const documents = [...(layout.mode === 'full' ? [layout.checksums] : []), layout.metadata, layout.marker];
  if (layout.mode === 'full') {
    deps.log(`Dry run: would copy ${formatS3Uri(plan.discovery.source.location)} to ${formatS3Uri(layout.sourceCopy)} (server-side)`);
    deps.log(`Dry run: would stage every .riva file of the archive under ${formatS3Uri(modelFilesFolder(layout))}`);
  }
  for (const location of documents) deps.log(`Dry run: would write ${formatS3Uri(location)}`);
  const planned = stagingDocuments(plan.metadata, layout, [], deps.now());
  return finish('planned', plan.content, [...planned.documents, planned.marker], [], plan.metadata);
}

/** write (content, pinned) → metadata → verify → marker, under the lease. */
async function writeStaging(run: StagingRun, plan: Plan, lease: StagingLease): Promise<UnpinnedResult> {
  const { config, deps, layout } = run;
  const { discovery } = plan;
  const { log } = deps;
  const written = await deps.state.phase('write', async () => {
    if (discovery.existing !== undefined) {
      // Re-staging over a complete staging: withdraw its marker first, so that a failure
      // part-way leaves the target incomplete rather than "complete" with mixed contents.
      await deps.store.delete(layout.marker, 'the previous completion marker');
      log(`Removed the previous completion marker ${formatS3Uri(layout.marker)} (force).`);
    }
    const full = layout.mode === 'full' ? await startFullStaging(config, layout, discovery, plan.metadata, deps, run.timeline) : undefined;
    const staged = plan.content ?? (await full!.stage());
    // The metadata records each object as the server reports it after the write.
    const pinned = await pinStagedContent(staged, deps.store);
    const content = pinned.content;
    const metadata = content === plan.content ? plan.metadata : metadataOf(run, discovery, content);
    const writes = stagingDocuments(metadata, layout, content.documents, deps.now());
    // Everything but the marker now; the marker only once all of it is verified.
    const outcome = await publishDocuments(
      writes.documents,
      layout,
      // A metadata document without a marker is a failed run's leftover, to be replaced.
      { metadataOnlyIfAbsent: !config.force && !discovery.metadataExists, markerOnlyIfAbsent: !config.force },
      deps.store,
      log,
    );
    if (outcome.published) run.timeline.mark('metadata written');
    return { content, metadata, writes, outcome, full, verified: pinned.verified };
  });

  const { content, metadata, writes, outcome, full } = written;
  const verifiedAndMarked = outcome.published
    ? await deps.state.phase('verify', async () => {
        const checked = writes.documents.map((write, index) => ({ write, etag: outcome.etags[index] ?? '' }));
        const verified = await verifyPublished(checked, metadata, layout, deps.store);
        run.timeline.mark('verified');
        await removeUnlisted(layout, metadata, deps.store, log);
        // The marker vouches for everything above: only while this run still holds the lease.
        await lease.confirm();
        const marker = await publishMarker(writes.marker, layout, !config.force, deps.store, log);
        if (marker !== undefined) run.timeline.mark('marker written');
        return marker && [...written.verified, ...verified, marker];
      })
    : undefined;
  if (verifiedAndMarked === undefined) {
    const existing = await deps.state.phase('verify', async () => {
      const marker = await awaitConcurrentStaging(layout, sourceIdentity(metadata), deps.store);
      return inspectExisting(layout, marker, deps.store);
    });
    // The other run's staging must hold up like any complete staging found at the start.
    completeStagingOfSameSource(existing, metadata, { force: false, expectedSha256: config.expectedSha256 });
    log('Another run completed the same staging at the same time: nothing of this run was published.');
    return alreadyStaged(existing, layout, content, finisher(run));
  }
  // Complete: the in-progress record has served its purpose.
  await full?.record.remove().catch(() => log('Could not remove the in-progress record; the marker is written.'));
  log(`Verified ${countOf(verifiedAndMarked.length, 'object')} and the metadata document; the staging is marked complete.`);
  return finisher(run)('staged', content, [...writes.documents, writes.marker], verifiedAndMarked, metadata);
}

function metadataOf(run: StagingRun, discovery: Discovery, content: ModeContent | undefined): Metadata {
  const { config, deps, layout } = run;
  return buildMetadata({
    config,
    layout,
    source: discovery.source,
    sourceSha256: content?.sourceSha256 ?? discovery.source.info.sha256,
    containers: discovery.containers,
    sourceCopy: content?.sourceCopy,
    files: content?.files ?? [],
    run: { id: deps.runId, startedAt: run.startedAt, finishedAt: deps.now(), toolVersion: deps.toolVersion, github: deps.github },
  });
}

/** Builds the result and records the outcome in the state file. */
function finisher(run: StagingRun): Finish {
  const { deps, layout } = run;
  return (status, content, writes, verified, shown, warnings = []) => {
    deps.state.record({
      status,
      written: [...(content?.objects ?? []).map((object) => object.location), ...writes.map((write) => write.location)].map(formatS3Uri),
    });
    return {
      operation: 'stage',
      status,
      layout,
      metadata: shown,
      writes,
      content,
      verified,
      bytesDuplicationAvoided: content?.bytesDuplicationAvoided ?? 0,
      warnings: [...(content?.warnings ?? []), ...warnings],
      durations: deps.state.durations(),
      timeline: run.timeline.entries(),
      retries: deps.store.retries?.count ?? 0,
    };
  };
}

/** Whether the marker read now is the one discovery found (both absent, or the same record). */
function sameMarker(marker: StoredMarker, existing: ExistingStaging | undefined): boolean {
  if (marker.state === 'foreign') return false;
  if (marker.state === 'absent') return existing === undefined;
  return existing !== undefined && marker.record.metadataSha256 === existing.marker.metadataSha256 && marker.record.runId === existing.marker.runId;
}

/** The reference modes' content, once the archive is shown to be a gzip'd tar with the expected hash. */
async function planReferenceContent(config: StageConfig, discovery: Discovery, deps: StageDependencies): Promise<ModeContent> {
  const { source, existing } = discovery;
  await checkArchiveHead(source, deps.store);
  const recorded = existing?.metadata;
  const sameSource = recorded !== undefined && isSameSource(recorded, source);
  const sourceSha256 = await referencedArchiveSha256(source, {
    store: deps.store,
    expectedSha256: config.expectedSha256,
    recordedSha256: sameSource ? recorded.source.sha256 : null,
    maxAttempts: config.connection.maxAttempts,
    progress: deps.progress,
    log: deps.log,
  });
  return referenceContent(source, discovery.containers, sourceSha256);
}

/** The result for a complete staging found in place (at the start, or completed by a concurrent run). */
function alreadyStaged(existing: ExistingStaging, layout: StagingLayout, content: ModeContent | undefined, finish: Finish): UnpinnedResult {
  const stored = existing.metadata;
  if (stored === undefined) throw new ValidationError(`${formatS3Uri(layout.metadata)} ${existing.metadataProblem ?? 'cannot be read'}.`);
  const verified: VerifiedObject[] = [
    { what: 'the metadata document', uri: formatS3Uri(layout.metadata), found: `sha256 ${existing.marker.metadataSha256}, as the marker records` },
    ...pinnedObjects(stored).map((object) => ({ what: object.path, uri: object.uri, found: `${object.size_bytes} bytes, ETag ${object.etag}` })),
  ];
  const warnings = stored.schema_version === 1 ? [legacyStagingWarning(layout)] : [];
  return finish('already-staged', content, [], verified, stored, warnings);
}

/** The archive's SHA-256 as the run knows it without reading it: `expected-sha256`, and what a complete staging of the same source recorded. */
function knownArchiveSha256(config: StageConfig, discovery: Discovery): string[] {
  const recorded = discovery.existing?.metadata;
  const sameSource = recorded !== undefined && isSameSource(recorded, discovery.source);
  return [
    ...(config.expectedSha256 === undefined ? [] : [config.expectedSha256]),
    ...(sameSource && recorded.source.sha256 !== null ? [recorded.source.sha256] : []),
  ];
}

/** Whether a staging's metadata records this very archive object (URI, ETag, size). */
function isSameSource(metadata: StoredMetadataDocument, source: ReferencedObject): boolean {
  return (
    metadata.source.uri === formatS3Uri(source.location) &&
    metadata.source.etag === source.info.etag &&
    metadata.source.size_bytes === source.info.size
  );
}

/** Full mode's pass, continuing what an earlier run of the same source left staged. */
async function startFullStaging(
  config: StageConfig,
  layout: FullLayout,
  discovery: Discovery,
  planned: Metadata,
  deps: StageDependencies,
  timeline: Timeline,
) {
  const { store, state, log } = deps;
  const identity = sourceIdentity(planned);
  // `force` re-stages everything; otherwise what already landed unchanged is kept.
  const reusable = config.force ? [] : await reusableEntries(store, layout, identity, log);
  const record = new StagingProgress(store, layout, identity, deps.runId, reusable, (staged) => state.record({ staged }));
  const stage = async () => {
    // The archive pipeline (its source and cache proof, tar's reader, the uploads) is loaded by the one mode that reads the archive.
    const { stageFullContent } = await import('./full.ts');
    return stageFullContent({
      config,
      layout,
      source: discovery.source,
      containers: discovery.containers,
      store,
      log,
      reusable: new Map(reusable.map((entry) => [entry.path, entry])),
      record,
      warn: deps.warn,
      cache: deps.cache,
      knownSha256: knownArchiveSha256(config, discovery),
      timeline,
      progress: {
        intervalMs: deps.progress.intervalMs,
        show: (line, snapshot) => {
          deps.progress.show(line, snapshot);
          state.record({ progress: line });
        },
      },
    });
  };
  return { record, stage };
}

async function discover(config: StageConfig, layout: StagingLayout, deps: StageDependencies): Promise<Discovery> {
  const { store, log } = deps;
  // A real run finds a missing bucket at its first write; a dry run writes nothing, so it asks.
  if (config.dryRun) await store.checkBucket(config.bucket, 'the target bucket');
  const describe = async (location: S3Location, what: string): Promise<ReferencedObject> => ({
    location,
    info: await store.describe(location, what),
  });
  const [source, containers, marker, metadataInfo] = await Promise.all([
    describe(config.model, 'the model archive'),
    Promise.all(config.container ? [describe(config.container, 'the container archive')] : []),
    readMarker(layout, store),
    store.head(layout.metadata, 'the metadata document'),
  ]);
  const metadataExists = metadataInfo !== undefined;
  log(`Found ${formatS3Uri(source.location)}: ${source.info.size} bytes, ETag ${source.info.etag}`);
  for (const container of containers) {
    log(`Found ${formatS3Uri(container.location)}: ${container.info.size} bytes, ETag ${container.info.etag}`);
  }
  if (marker.state === 'foreign' && !config.force) {
    throw new ConflictError(
      `${formatS3Uri(layout.marker)} exists but was not written by riva-130-stage. Remove it, or set \`force\` to replace the staging.`,
    );
  }
  const existing = marker.state === 'ours' ? await inspectExisting(layout, marker.record, store) : undefined;
  return { source, containers, metadataExists, existing };
}

/** A complete staging as found: its metadata (when it is the document the marker records) and any pinned object that changed. */
async function inspectExisting(layout: StagingLayout, marker: MarkerRecord, store: ObjectStore): Promise<ExistingStaging> {
  const stored = await findMetadata(layout.metadata, store);
  if (stored.state === 'absent') return { marker, metadata: undefined, metadataProblem: 'is missing', objectDifferences: [] };
  if (stored.state === 'invalid') return { marker, metadata: undefined, metadataProblem: stored.problem, objectDifferences: [] };
  if (marker.metadataSha256 !== sha256Hex(stored.text)) {
    return { marker, metadata: undefined, metadataProblem: 'is not the document its completion marker records', objectDifferences: [] };
  }
  return { marker, metadata: stored.metadata, metadataProblem: undefined, objectDifferences: await pinnedObjectDifferences(stored.metadata, store) };
}

/** The documents the run wrote exist with the size and ETag they were written with; the metadata reads back equal. */
async function verifyPublished(
  writes: ReadonlyArray<{ write: ObjectWrite; etag: string }>,
  metadata: Metadata,
  layout: StagingLayout,
  store: ObjectStore,
): Promise<VerifiedObject[]> {
  const written = writes.map(({ write, etag }) => ({ location: write.location, sizeBytes: Buffer.byteLength(write.body), etag, what: write.what }));
  const { verified } = await checkWrittenObjects(written, store);
  const { metadata: readBack } = await readMetadata(layout.metadata, store);
  if (!isDeepStrictEqual(readBack, metadata)) {
    throw new ValidationError(
      `Verification failed: ${metadata.deployment.metadata_uri} reads back different from what was written. ` +
        'Another run may be staging the same target at once on a server without conditional writes; re-run to check the staging.',
    );
  }
  // Nothing the metadata pins may have changed since it was pinned (another run's late upload).
  const changed = await pinnedObjectDifferences(metadata, store);
  if (changed.length > 0) {
    throw new ValidationError(
      [`Verification failed: objects changed after they were staged:`, ...changed.map((difference) => `- ${difference.uri} ${difference.problem}`)].join('\n'),
    );
  }
  return verified;
}
