import { isDeepStrictEqual } from 'node:util';
import type { StageConfig } from '../../config/config.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { countOf } from '../../format.ts';
import { modelFilesFolder, stagingLayout, type FullLayout, type StagingLayout } from '../../layout.ts';
import { sha256Hex, sourceIdentity, type MarkerRecord } from '../../marker.ts';
import { buildMetadata, type Metadata, type ReferencedObject } from '../../metadata.ts';
import type { ObjectStore } from '../../s3/object-store.ts';
import { formatS3Uri, type S3Location } from '../../s3/uri.ts';
import type { PhaseName } from '../../state-file.ts';
import type { OperationDefinition, OperationDependencies } from '../operation.ts';
import { readMarker, readMetadata } from '../stored-documents.ts';
import type { CheckedObject } from '../verify.ts';
import type { ModeContent, ObjectWrite } from './content.ts';
import { reusableEntries, StagingProgress } from './continuation.ts';
import { stageFullContent } from './full.ts';
import { completeStagingOfSameSource } from './plan.ts';
import { awaitConcurrentStaging, publishDocuments, publishMarker, stagingDocuments } from './publish.ts';
import { referenceContent } from './reference.ts';

export type StageStatus = 'staged' | 'already-staged' | 'planned';

/** An object checked after writing, and what was found. */
export type VerifiedObject = CheckedObject;

export interface StageResult {
  readonly operation: 'stage';
  readonly status: StageStatus;
  readonly layout: StagingLayout;
  readonly metadata: Metadata;
  /** Documents in write order; empty when nothing was (or would be) written. */
  readonly writes: readonly ObjectWrite[];
  /** What the mode staged besides the documents (full mode: the archive copy and `.riva` files). */
  readonly content: ModeContent | undefined;
  readonly verified: readonly VerifiedObject[];
  readonly bytesDuplicationAvoided: number;
  readonly warnings: readonly string[];
  readonly durations: Partial<Record<PhaseName, number>>;
  /** Requests retried and downloads resumed. */
  readonly retries: number;
}

/** What staging needs of a run: all of it (full mode reads the archive, with progress and cache). */
export type StageDependencies = OperationDependencies;

export const stageOperation: OperationDefinition<StageConfig, StageResult> = {
  stateFile: (config) => ({
    name: `${config.mode}-${config.environment}-${config.artifactId}`,
    fields: { artifact_id: config.artifactId, environment: config.environment, source_uri: formatS3Uri(config.model) },
  }),
  run: (config, deps) => stage(config, deps),
  outputs: stagingOutputs,
  failure: () => undefined,
  warnings: (result) => result.warnings,
};

/** The values step 131 and scripts read, as the action's outputs name them (stage and promote alike). */
export function stagingOutputs(result: { readonly status: StageStatus; readonly metadata: Metadata }): Record<string, string> {
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
  };
}

interface Discovery {
  readonly source: ReferencedObject;
  readonly containers: readonly ReferencedObject[];
  /** Whether a metadata document is already in place (with or without a marker). */
  readonly metadataExists: boolean;
  /** The marker already in place, or undefined when the target is not staged. */
  readonly existingMarker: MarkerRecord | undefined;
}

/** discover → plan → (dry run stops here) → write → verify. The one path every mode takes. */
export async function stage(config: StageConfig, deps: StageDependencies): Promise<StageResult> {
  const { state, log } = deps;
  const startedAt = deps.now();
  const layout = stagingLayout(config);
  state.record({ metadata_uri: formatS3Uri(layout.metadata), marker_uri: formatS3Uri(layout.marker) });

  const discovery = await state.phase('discover', () => discover(config, layout, deps));
  const metadataFor = (content: ModeContent | undefined) =>
    buildMetadata({
      config,
      layout,
      source: discovery.source,
      sourceSha256: content?.sourceSha256 ?? discovery.source.info.sha256,
      containers: discovery.containers,
      files: content?.files ?? [],
      run: { id: deps.runId, startedAt, finishedAt: deps.now(), toolVersion: deps.toolVersion, github: deps.github },
    });

  const plan = await state.phase('plan', async () => {
    // The reference modes know their whole content now; full mode learns it by reading the archive.
    const content =
      config.mode === 'full' ? undefined : referenceContent(discovery.source, discovery.containers, config.expectedSha256);
    const metadata = metadataFor(content);
    return { content, metadata, sameStaging: completeStagingOfSameSource(discovery.existingMarker, metadata, config.force) };
  });
  const finish = (
    status: StageStatus,
    content: ModeContent | undefined,
    writes: readonly ObjectWrite[],
    verified: readonly VerifiedObject[],
    shown: Metadata,
  ): StageResult => {
    const result: StageResult = {
      operation: 'stage',
      status,
      layout,
      metadata: shown,
      writes,
      content,
      verified,
      bytesDuplicationAvoided: content?.bytesDuplicationAvoided ?? 0,
      warnings: content?.warnings ?? [],
      durations: state.durations(),
      retries: deps.store.retries?.count ?? 0,
    };
    state.record({
      status,
      written: [...(content?.objects ?? []).map((object) => object.location), ...writes.map((write) => write.location)].map(formatS3Uri),
    });
    return result;
  };

  const { sameStaging } = plan;
  if (sameStaging !== undefined) {
    log(`Already staged: ${formatS3Uri(layout.marker)} records the same source; nothing to write (set force to re-stage).`);
    const { existing, verified } = await state.phase('verify', () => verifyExisting(layout, sameStaging, deps.store));
    return finish('already-staged', plan.content, [], verified, existing);
  }

  if (config.dryRun) {
    const documents = [...(layout.mode === 'full' ? [layout.checksums] : []), layout.metadata, layout.marker];
    if (layout.mode === 'full') {
      log(`Dry run: would copy ${formatS3Uri(discovery.source.location)} to ${formatS3Uri(layout.sourceCopy)} (server-side)`);
      log(`Dry run: would stage every .riva file of the archive under ${formatS3Uri(modelFilesFolder(layout))}`);
    }
    for (const location of documents) log(`Dry run: would write ${formatS3Uri(location)}`);
    const planned = stagingDocuments(plan.metadata, layout, [], deps.now());
    return finish('planned', plan.content, [...planned.documents, planned.marker], [], plan.metadata);
  }

  const written = await state.phase('write', async () => {
    if (discovery.existingMarker !== undefined) {
      // Re-staging over a complete staging: withdraw its marker first, so that a failure
      // part-way leaves the target incomplete rather than "complete" with mixed contents.
      await deps.store.delete(layout.marker, 'the previous completion marker');
      log(`Removed the previous completion marker ${formatS3Uri(layout.marker)} (force).`);
    }
    const full = layout.mode === 'full' ? await startFullStaging(config, layout, discovery, plan.metadata, deps) : undefined;
    const content = plan.content ?? (await full!.stage());
    const metadata = content === plan.content ? plan.metadata : metadataFor(content);
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
    return { content, metadata, writes, outcome, full };
  });

  const { content, metadata, writes, outcome, full } = written;
  const verifiedAndMarked = outcome.published
    ? await state.phase('verify', async () => {
        const checked = writes.documents.map((write, index) => ({ write, etag: outcome.etags[index] ?? '' }));
        const verified = await verifyStaging(content, checked, metadata, layout, deps.store);
        const marker = await publishMarker(writes.marker, layout, !config.force, deps.store, log);
        return marker && [...verified, marker];
      })
    : undefined;
  if (verifiedAndMarked === undefined) {
    const { existing, verified } = await state.phase('verify', async () => {
      const marker = await awaitConcurrentStaging(layout, sourceIdentity(metadata), deps.store);
      return verifyExisting(layout, marker, deps.store);
    });
    log('Another run completed the same staging at the same time: nothing of this run was published.');
    return finish('already-staged', content, [], verified, existing);
  }
  // Complete: the in-progress record has served its purpose.
  await full?.record.remove().catch(() => log('Could not remove the in-progress record; the marker is written.'));
  log(`Verified ${countOf(verifiedAndMarked.length, 'object')} and the metadata document; the staging is marked complete.`);
  return finish('staged', content, [...writes.documents, writes.marker], verifiedAndMarked, metadata);
}

/** Full mode's pass, continuing what an earlier run of the same source left staged. */
async function startFullStaging(
  config: StageConfig,
  layout: FullLayout,
  discovery: Discovery,
  planned: Metadata,
  deps: StageDependencies,
) {
  const { store, state, log } = deps;
  const identity = sourceIdentity(planned);
  // `force` re-stages everything; otherwise what already landed unchanged is kept.
  const reusable = config.force ? [] : await reusableEntries(store, layout, identity, log);
  const record = new StagingProgress(store, layout, identity, deps.runId, reusable, (staged) => state.record({ staged }));
  const stage = () =>
    stageFullContent({
      config,
      layout,
      source: discovery.source,
      containers: discovery.containers,
      store,
      log,
      reusable: new Map(reusable.map((entry) => [entry.path, entry])),
      record,
      cache: deps.cache,
      progress: {
        intervalMs: deps.progress.intervalMs,
        show: (line) => {
          deps.progress.show(line);
          state.record({ progress: line });
        },
      },
    });
  return { record, stage };
}

async function discover(config: StageConfig, layout: StagingLayout, deps: StageDependencies): Promise<Discovery> {
  const { store, log } = deps;
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
  return { source, containers, metadataExists, existingMarker: marker.state === 'ours' ? marker.record : undefined };
}

/** Every object the run wrote exists with the size (and ETag) it was written with; the metadata reads back equal. */
async function verifyStaging(
  content: ModeContent,
  writes: ReadonlyArray<{ write: ObjectWrite; etag: string }>,
  metadata: Metadata,
  layout: StagingLayout,
  store: ObjectStore,
): Promise<VerifiedObject[]> {
  const expected = [
    ...content.objects,
    ...writes.map(({ write, etag }) => ({ location: write.location, sizeBytes: Buffer.byteLength(write.body), etag, what: write.what })),
  ];
  const verified = await Promise.all(
    expected.map(async (object) => {
      const uri = formatS3Uri(object.location);
      const info = await store.head(object.location, object.what);
      if (info === undefined) throw new ValidationError(`Verification failed: ${uri} is missing after it was written.`);
      if (info.size !== object.sizeBytes) {
        throw new ValidationError(`Verification failed: ${uri} has ${info.size} bytes, ${object.sizeBytes} were written.`);
      }
      // Some servers answer a write without an ETag (RGW's CompleteMultipartUpload); the size
      // and read-back checks still apply.
      if (object.etag && info.etag !== object.etag) {
        throw new ValidationError(`Verification failed: ${uri} has ETag ${info.etag}, the write returned ${object.etag}.`);
      }
      return { what: object.what, uri, found: `${info.size} bytes, ETag ${info.etag}` };
    }),
  );
  const { metadata: readBack } = await readMetadata(layout.metadata, store);
  if (!isDeepStrictEqual(readBack, metadata)) {
    throw new ValidationError(
      `Verification failed: ${metadata.deployment.metadata_uri} reads back different from what was written. ` +
        'Another run may be staging the same target at once on a server without conditional writes; re-run to check the staging.',
    );
  }
  return verified;
}

/** Re-checks a staging found complete: its metadata is valid and is the one its marker names. */
async function verifyExisting(layout: StagingLayout, marker: MarkerRecord, store: ObjectStore) {
  const { metadata, text } = await readMetadata(layout.metadata, store);
  const info = await store.describe(layout.metadata, 'the metadata document');
  if (marker.metadataSha256 !== sha256Hex(text)) {
    throw new ValidationError(
      `${formatS3Uri(layout.metadata)} is not the document its completion marker recorded; set \`force\` to re-stage.`,
    );
  }
  const verified: VerifiedObject[] = [
    { what: 'the metadata document', uri: formatS3Uri(layout.metadata), found: `${info.size} bytes, ETag ${info.etag}` },
  ];
  return { existing: metadata, verified };
}
