import type { FetchConfig } from '../../config/config.ts';
import { ValidationError } from '../../errors.ts';
import type { StagingLayout } from '../../layout.ts';
import { sha256Hex } from '../../marker.ts';
import type { Metadata } from '../../metadata.ts';
import { Semaphore } from '../../limit.ts';
import type { ObjectStore } from '../../s3/object-store.ts';
import { baseName, formatS3Uri } from '../../s3/uri.ts';
import type { PhaseName } from '../../state-file.ts';
import { TransferProgress } from '../../transfer-progress.ts';
import type { OperationDefinition, OperationDependencies } from '../operation.ts';
import { findMetadata } from '../stored-documents.ts';
import { mismatchReport, verifyDeployment } from '../verify.ts';
import { FetchDestination, type Manifest, type ManifestEntry } from './destination.ts';
import { extractModelFiles } from './extract.ts';
import { downloadPinned, type DownloadSettings } from './pinned-download.ts';
import { fetchPlan, type PinnedDownload } from './plan.ts';

/** Bytes per ranged GET: large enough that request overhead vanishes, small enough to retry cheaply. */
const PART_SIZE = 8 * 1024 * 1024;
/** Parts fetched and not yet written, across every download: memory stays at this many parts. */
const PARTS_IN_FLIGHT = 8;
/** Objects downloaded at once: a full staging's many small files do not wait on each other. */
const FILES_AT_ONCE = 4;

/** How a file came to be in the destination. */
export type FetchedHow = 'downloaded' | 'resumed' | 'kept' | 'extracted' | 'document';

export interface FetchedFile extends ManifestEntry {
  readonly how: FetchedHow;
}

export interface FetchResult {
  readonly operation: 'fetch';
  readonly layout: StagingLayout;
  readonly metadata: Metadata;
  /** SHA-256 of the metadata document as stored: what the fetch was pinned to. */
  readonly metadataSha256: string;
  readonly directory: string;
  readonly manifestPath: string;
  /** Every file in the manifest, in its order. */
  readonly files: readonly FetchedFile[];
  readonly bytesDownloaded: number;
  readonly warnings: readonly string[];
  readonly durations: Partial<Record<PhaseName, number>>;
  /** Requests retried. */
  readonly retries: number;
}

/** `fetch` as an operation: the staging found and checked, then every pinned object downloaded and proven. */
export const fetchOperation: OperationDefinition<FetchConfig, FetchResult> = {
  stateFile: (config) => ({
    name: `fetch-${'metadata' in config.target ? 'metadata' : `${config.target.environment}-${config.target.modelName}-${config.target.modelVersion}`}`,
    fields: { destination: config.destination },
  }),
  run: (config, deps) => fetchStaging(config, deps),
  outputs: fetchOutputs,
  failure: () => undefined,
  warnings: (result) => result.warnings,
};

export function fetchOutputs(result: FetchResult): Record<string, string> {
  const { metadata } = result;
  return {
    'deployment-json-uri': formatS3Uri(result.layout.metadata),
    'marker-uri': formatS3Uri(result.layout.marker),
    'artifact-id': metadata.artifact_id,
    mode: 'fetch',
    status: 'fetched',
    'source-uri': metadata.source.uri,
    'source-size-bytes': String(metadata.source.size_bytes),
    'source-sha256': metadata.source.sha256 ?? '',
    'deployment-json-sha256': result.metadataSha256,
    'fetch-directory': result.directory,
    'manifest-path': result.manifestPath,
  };
}

/** A staging found complete and checked, with its document's exact text. */
interface CheckedStaging {
  readonly layout: StagingLayout;
  readonly metadata: Metadata;
  readonly text: string;
  readonly sha256: string;
}

/**
 * find (as verify finds it) → check (marker, document digest, every object's size and ETag) →
 * download each pinned object, proven by its SHA-256 → extract (with `extract`) → manifest.
 * Whatever fails, every temporary file this run made is removed: the destination holds only
 * whole, proven files, each listed in the manifest.
 */
export async function fetchStaging(config: FetchConfig, deps: OperationDependencies): Promise<FetchResult> {
  const staging = await deps.state.phase('discover', () => checkedStaging(config, deps));
  const plan = fetchPlan(staging.metadata);
  const documentPath = baseName(staging.layout.metadata.key);
  // The document is written beside the files under its own name: no listed object may take it.
  if (plan.some((download) => download.path === documentPath)) {
    throw new ValidationError(`${formatS3Uri(staging.layout.metadata)} lists an object at ${documentPath}, the document's own name.`);
  }
  const destination = new FetchDestination(config.destination);
  deps.state.record({ metadata_uri: formatS3Uri(staging.layout.metadata), metadata_sha256: staging.sha256, destination: destination.directory });
  const warnings: string[] = [];
  if (staging.metadata.mode !== 'full' && staging.metadata.source.sha256 === null) {
    warnings.push(
      `${staging.metadata.source.uri} has no recorded SHA-256 (staged by reference without \`expected-sha256\`, and S3 keeps no checksum of it): ` +
        'it was fetched pinned to its ETag only. Stage with `expected-sha256` to have it proven by its hash.',
    );
  }
  if (config.extract && staging.metadata.mode === 'full') warnings.push('`extract` has nothing to do for a full staging: its .riva files are staged extracted.');
  const manifest = (files: readonly ManifestEntry[], complete: boolean): Manifest => ({
    tool: 'riva-130-stage',
    metadata_uri: formatS3Uri(staging.layout.metadata),
    metadata_sha256: staging.sha256,
    artifact_id: staging.metadata.artifact_id,
    complete,
    files: [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map(({ path, size_bytes, sha256, uri, etag, extracted_from }) => ({ path, size_bytes, sha256, uri, etag, ...(extracted_from ? { extracted_from } : {}) })),
  });
  const placed: FetchedFile[] = [];
  const place = (file: FetchedFile) => {
    placed.push(file);
    // Listed as soon as it is in place: at no moment does the destination hold a file the manifest does not list.
    destination.writeManifest(manifest(placed, false));
  };
  try {
    const downloaded = await deps.state.phase('download', async () => {
      removeFilesOfAnotherFetch(destination, plan, deps.log);
      destination.removeStalePartials(plan);
      return downloadAll(plan, destination, config, deps, place);
    });
    if (config.extract && staging.metadata.mode !== 'full') {
      await deps.state.phase('write', async () => {
        const archive = placed.find((file) => file.path === plan[0]?.path);
        if (archive === undefined) return;
        for (const file of await extractModelFiles(archive, destination)) place({ ...file, how: 'extracted' });
      });
    }
    destination.writeVerified(documentPath, staging.text);
    placed.push({ path: documentPath, size_bytes: Buffer.byteLength(staging.text), sha256: staging.sha256, uri: formatS3Uri(staging.layout.metadata), etag: null, how: 'document' });
    destination.writeManifest(manifest(placed, true));
    deps.log(`Fetched ${placed.length} files into ${destination.directory}; manifest ${destination.manifestPath}.`);
    deps.state.record({ status: 'fetched', manifest: destination.manifestPath });
    return {
      operation: 'fetch',
      layout: staging.layout,
      metadata: staging.metadata,
      metadataSha256: staging.sha256,
      directory: destination.directory,
      manifestPath: destination.manifestPath,
      files: placed,
      bytesDownloaded: downloaded,
      warnings,
      durations: deps.state.durations(),
      retries: deps.store.retries?.count ?? 0,
    };
  } catch (error) {
    // No partly written file survives a failure; the whole, proven ones stay, listed, for a re-run.
    for (const path of destination.removeTemporaries()) deps.warn(`Could not remove the partly written ${path}; remove it before using the directory.`);
    throw error;
  }
}

/**
 * The staging as verify finds and checks it (marker present and vouching for the document,
 * schema, identity, every object's size and ETag), its document digest held to
 * `deployment-json-sha256` when given, and the document's exact text, read again and held to the
 * same digest (it is what the destination receives).
 */
async function checkedStaging(config: FetchConfig, deps: OperationDependencies): Promise<CheckedStaging> {
  const checked = await verifyDeployment({ target: config.target, deep: false }, deps.store, deps.log, { maxAttempts: config.connection.maxAttempts });
  if (checked.mismatches.length > 0 || checked.metadata === undefined || checked.metadataSha256 === undefined) {
    throw new ValidationError(`The staging cannot be fetched. ${mismatchReport(checked)}`);
  }
  const uri = formatS3Uri(checked.layout.metadata);
  const expected = config.expectedMetadataSha256;
  if (expected !== undefined && checked.metadataSha256 !== expected) {
    throw new ValidationError(
      `${uri} has SHA-256 ${checked.metadataSha256}, not the ${expected} that \`deployment-json-sha256\` (RIVA_DEPLOYMENT_JSON_SHA256) expects: ` +
        'it is not the document that was attested or handed over. Nothing was downloaded.',
    );
  }
  const stored = await findMetadata(checked.layout.metadata, deps.store);
  const text = stored.state === 'absent' ? '' : stored.text;
  if (sha256Hex(text) !== checked.metadataSha256 || stored.state !== 'valid' || stored.metadata.schema_version !== 2) {
    throw new ValidationError(`${uri} changed while it was read (its SHA-256 is no longer ${checked.metadataSha256}). Nothing was downloaded.`);
  }
  deps.log(`Verified ${uri} (sha256 ${checked.metadataSha256}, ${checked.checked.length} checks).`);
  return { layout: checked.layout, metadata: stored.metadata, text, sha256: checked.metadataSha256 };
}

/**
 * What an earlier fetch into the same destination placed and this one does not download:
 * removed, so that what remains is what the new manifest lists. Extracted files and the
 * document are placed afresh; a planned object already here is kept once its hash is proven.
 */
function removeFilesOfAnotherFetch(destination: FetchDestination, plan: readonly PinnedDownload[], log: (message: string) => void): void {
  const previous = destination.previousManifest();
  if (previous === undefined) return;
  const planned = new Set(plan.map((download) => download.path));
  for (const file of previous.files) {
    if (planned.has(file.path)) continue;
    destination.remove(file.path);
    log(`Removed ${file.path}, placed by an earlier fetch of ${previous.metadata_uri}.`);
  }
}

/** Every planned object, a few at a time, each proven by its hash before it takes its name. */
async function downloadAll(
  plan: readonly PinnedDownload[],
  destination: FetchDestination,
  config: FetchConfig,
  deps: OperationDependencies,
  place: (file: FetchedFile) => void,
): Promise<number> {
  const progress = TransferProgress.on(deps.progress, 'Fetching', plan.reduce((total, download) => total + download.sizeBytes, 0));
  const settings: DownloadSettings = {
    partSize: PART_SIZE,
    slots: new Semaphore(PARTS_IN_FLIGHT),
    maxAttempts: config.connection.maxAttempts,
    onBytes: (bytes) => progress.add(bytes),
    log: deps.log,
  };
  const files = new Semaphore(FILES_AT_ONCE);
  let downloaded = 0;
  let failure: unknown;
  await Promise.all(
    plan.map(async (download) => {
      const release = await files.acquire();
      try {
        // After the first failure nothing new starts; what is running finishes or fails on its own.
        if (failure !== undefined) return;
        const bytes = await fetchOne(deps.store, download, destination, settings, progress, place);
        downloaded += bytes;
      } catch (error) {
        failure ??= error;
      } finally {
        release();
      }
    }),
  );
  // Files proven before a failure stay, listed, for a re-run to keep.
  if (failure !== undefined) throw failure;
  progress.showNow();
  return downloaded;
}

/**
 * One object: kept when the destination already holds it proven, else downloaded (or continued)
 * and proven, listed, and only then given its name. Returns the bytes it downloaded.
 */
async function fetchOne(
  store: ObjectStore,
  download: PinnedDownload,
  destination: FetchDestination,
  settings: DownloadSettings,
  progress: TransferProgress,
  place: (file: FetchedFile) => void,
): Promise<number> {
  const entry = { path: download.path, size_bytes: download.sizeBytes, uri: download.uri, etag: download.etag };
  const existing = download.sha256 === null ? undefined : await destination.existing(download.path);
  if (existing !== undefined && existing.sha256 === download.sha256 && existing.sizeBytes === download.sizeBytes) {
    progress.add(download.sizeBytes);
    settings.log(`Kept ${download.path}: already here, with the recorded SHA-256.`);
    place({ ...entry, sha256: existing.sha256, how: 'kept' });
    return 0;
  }
  const partial = destination.openPartial(download);
  progress.add(partial.resumeFrom);
  const sha256 = await downloadPinned(store, download, partial.path, partial.resumeFrom, settings);
  if (download.sha256 !== null && sha256 !== download.sha256) {
    throw new ValidationError(
      `${download.uri} (${download.what}) has SHA-256 ${sha256}, not the ${download.sha256} the metadata records; it was not kept.`,
    );
  }
  place({ ...entry, sha256, how: partial.resumeFrom > 0 ? 'resumed' : 'downloaded' });
  destination.keep(partial.path, download.path);
  return download.sizeBytes - partial.resumeFrom;
}
