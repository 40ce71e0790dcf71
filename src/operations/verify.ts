import type { VerifyConfig } from '../config/config.ts';
import { ConfigurationError, NotFoundError } from '../errors.ts';
import {
  bintarballRootOrDefault,
  candidateLayouts,
  layoutOfMetadata,
  layoutOfStaging,
  METADATA_DOCUMENT_NAMES,
  relativeToPrefix,
  type FullLayout,
  type StagingLayout,
} from '../layout.ts';
import { sha256Hex } from '../marker.ts';
import type { StoredMetadataDocument } from '../metadata.ts';
import { archiveHeadProblem, readArchiveHead } from '../archive/archive-head.ts';
import type { ObjectInfo, ObjectStore } from '../s3/object-store.ts';
import { HASH_PART_SIZE, HASH_PARTS_IN_FLIGHT, hashObjectInParts } from '../s3/object-hash.ts';
import { Semaphore } from '../limit.ts';
import { formatS3Uri, parseS3Uri, type S3Location } from '../s3/uri.ts';
import { countOf } from '../format.ts';
import { TransferProgress, type ProgressDisplay } from '../transfer-progress.ts';
import type { OperationDefinition } from './operation.ts';
import { findMetadata, readMarker } from './stored-documents.ts';

/** One object checked, and what was found. */
export interface CheckedObject {
  readonly what: string;
  readonly uri: string;
  readonly found: string;
}

/** One thing that is not as the metadata records it. */
export interface Mismatch {
  readonly what: string;
  readonly uri: string;
  readonly expected: string;
  readonly found: string;
}

export interface VerifyResult {
  readonly operation: 'verify';
  readonly layout: StagingLayout;
  /** Undefined when the document is missing or invalid. */
  readonly metadata: StoredMetadataDocument | undefined;
  /** SHA-256 of the document as stored, when it was read. */
  readonly metadataSha256: string | undefined;
  readonly checked: readonly CheckedObject[];
  readonly mismatches: readonly Mismatch[];
  readonly deep: boolean;
  /** Objects re-hashed (deep only): a staging that records no SHA-256 has nothing to re-hash. */
  readonly rehashed: number;
  readonly warnings: readonly string[];
}

export interface VerifyOptions {
  /** Attempts per download when re-hashing (the run's `max-attempts`). */
  readonly maxAttempts: number;
  /**
   * A staging checked before its marker is written (promote checks its copy first): the
   * document must hash to this, the SHA-256 of what the run wrote, instead of what a marker records.
   */
  readonly unmarkedMetadataSha256?: string;
  /** Where the progress of re-hashing goes (deep); none is shown without it. */
  readonly progress?: ProgressDisplay;
}

/** `verify` as an operation: the check in its phase, the verdict in the state file. */
export const verifyOperation: OperationDefinition<VerifyConfig, VerifyResult> = {
  stateFile: (config) => ({
    name: `verify-${'metadata' in config.target ? 'metadata' : `${config.target.environment}-${config.target.modelName}-${config.target.modelVersion}`}`,
    fields: {},
  }),
  async run(config, deps) {
    const result = await deps.state.phase('verify', () =>
      verifyDeployment(config, deps.store, deps.log, { maxAttempts: config.connection.maxAttempts, progress: deps.progress }),
    );
    deps.state.record({ status: result.mismatches.length === 0 ? 'verified' : 'failed', mismatches: result.mismatches });
    return result;
  },
  outputs: verificationOutputs,
  failure: (result) => (result.mismatches.length === 0 ? undefined : mismatchReport(result)),
  warnings: (result) => result.warnings,
};

/** The outputs of `verify`, named as the staging modes name theirs. */
export function verificationOutputs(result: VerifyResult): Record<string, string> {
  const { metadata } = result;
  return {
    'deployment-json-uri': formatS3Uri(result.layout.metadata),
    'marker-uri': formatS3Uri(result.layout.marker),
    'artifact-id': metadata?.artifact_id ?? '',
    mode: 'verify',
    status: result.mismatches.length === 0 ? 'verified' : 'failed',
    'source-uri': metadata?.source.uri ?? '',
    'source-size-bytes': metadata ? String(metadata.source.size_bytes) : '',
    'source-sha256': metadata?.source.sha256 ?? '',
  };
}

/** The failure message: every mismatch, expected vs found. */
export function mismatchReport(result: VerifyResult): string {
  return [
    `${formatS3Uri(result.layout.metadata)} does not verify:`,
    ...result.mismatches.map((mismatch) => `- ${mismatch.what} ${mismatch.uri}: expected ${mismatch.expected}, found ${mismatch.found}`),
  ].join('\n');
}

/**
 * Re-checks a staged deployment and writes nothing: the marker is there and vouches for the
 * metadata document; the document is valid and describes the staging asked for, at its own
 * place; every object it references or pins has the recorded size and ETag (and checksum where
 * S3 holds one); the checksums file agrees; with `deep`, the archive's head is a gzip'd tar
 * and every object with a recorded SHA-256 is re-hashed with parallel ranged GETs, except a full
 * staging's original archive, which its re-hashed copy stands in for (see copyStandingInFor).
 */
export async function verifyDeployment(
  config: Pick<VerifyConfig, 'target' | 'deep'>,
  store: ObjectStore,
  log: (message: string) => void,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const located = await locate(config, store);
  const checked: CheckedObject[] = [];
  const mismatches: Mismatch[] = [];
  const warnings: string[] = [];
  const rehashes: PresentObject[] = [];
  const check = (what: string, location: S3Location, expected: string, found: string) => {
    const uri = formatS3Uri(location);
    if (expected === found) checked.push({ what, uri, found });
    else mismatches.push({ what, uri, expected, found });
  };

  const unmarked = options.unmarkedMetadataSha256;
  const result = (layout: StagingLayout, metadata: StoredMetadataDocument | undefined, metadataSha256: string | undefined): VerifyResult => ({
    operation: 'verify',
    layout,
    metadata,
    metadataSha256,
    checked,
    mismatches,
    deep: config.deep,
    rehashed: rehashes.length,
    warnings,
  });
  const marker = unmarked === undefined ? await readMarker(located, store) : undefined;
  if (marker !== undefined) {
    const found = { absent: 'missing', foreign: 'not a riva-130-stage marker', ours: 'present, written by riva-130-stage' }[marker.state];
    check('completion marker', located.marker, 'present, written by riva-130-stage', found);
  }

  const stored = await findMetadata(located.metadata, store);
  if (stored.state === 'absent') {
    check('metadata document', located.metadata, 'present', 'missing');
    return result(located, undefined, undefined);
  }
  const metadataSha256 = sha256Hex(stored.text);
  if (marker?.state === 'ours') check('metadata document (as the marker records it)', located.metadata, `sha256 ${marker.record.metadataSha256}`, `sha256 ${metadataSha256}`);
  if (unmarked !== undefined) check('metadata document (as this run wrote it)', located.metadata, `sha256 ${unmarked}`, `sha256 ${metadataSha256}`);
  if (stored.state === 'invalid') {
    check('metadata schema', located.metadata, 'valid', stored.problem);
    return result(located, undefined, metadataSha256);
  }
  const { metadata } = stored;
  check('metadata schema', located.metadata, 'valid', 'valid');
  for (const [what, expected, found] of identityChecks(config.target, located, metadata)) check(what, located.metadata, expected, found);
  const layout = layoutOfStaging(located, metadata);
  if (metadata.schema_version === 1) warnings.push(legacyStagingWarning(layout));

  const present: PresentObject[] = [];
  await Promise.all(
    referencedObjects(metadata, layout).map(async (object) => {
      const location = parseS3Uri(object.uri);
      const info = await store.head(location, `the ${object.what}`);
      if (info === undefined) {
        check(object.what, location, 'present', 'missing');
        return;
      }
      const recorded = `${object.size} bytes${object.etag === undefined ? '' : `, ETag ${object.etag}`}`;
      const found = `${info.size} bytes${object.etag === undefined ? '' : `, ETag ${info.etag}`}`;
      check(object.what, location, recorded, found);
      if (object.sha256 && info.sha256) check(`${object.what} (S3 checksum)`, location, `sha256 ${object.sha256}`, `sha256 ${info.sha256}`);
      present.push({ object, location, info, asRecorded: recorded === found });
    }),
  );
  if (config.deep) {
    const source = present.find(({ object }) => object.what === 'source archive');
    const copy = copyStandingInFor(source, present);
    if (copy !== undefined) {
      log(`${source!.object.uri} is checked by its size and ETag: its copy ${copy.object.uri} holds the same bytes, and is re-hashed.`);
    }
    // The archive's head, from its copy when there is one: the same bytes, and the original is then not read at all.
    const headOf = copy ?? source;
    if (headOf !== undefined) {
      const problem = archiveHeadProblem(await readArchiveHead(store, headOf.location, headOf.info.etag, headOf.info.size), headOf.info.size);
      check(`${headOf.object.what} (head)`, headOf.location, "a gzip'd tar", problem ?? "a gzip'd tar");
    }
    rehashes.push(...present.filter((entry) => entry.asRecorded && entry.object.sha256 && !(copy !== undefined && entry === source)));
  }
  // Re-hashed once every size is known, so one progress line covers all of them.
  const progress = TransferProgress.on(
    options.progress ?? NO_PROGRESS,
    `Re-hashing ${countOf(rehashes.length, 'object')}`,
    rehashes.reduce((sum, { info }) => sum + info.size, 0),
  );
  // One pool of parts for every object, so memory stays bounded however many are re-hashed at once.
  const slots = new Semaphore(HASH_PARTS_IN_FLIGHT);
  await Promise.all(
    rehashes.map(async ({ object, location, info }) => {
      log(`Re-hashing ${object.uri} …`);
      const sha256 = await hashObjectInParts(
        store,
        { location, uri: object.uri, etag: info.etag, versionId: undefined, what: `the ${object.what}`, sizeBytes: info.size },
        { slots, partSize: HASH_PART_SIZE, maxAttempts: options.maxAttempts, onBytes: (bytes) => progress.add(bytes) },
      );
      check(`${object.what} (re-hashed)`, location, `sha256 ${object.sha256}`, `sha256 ${sha256}`);
    }),
  );
  if (rehashes.length > 0) progress.showNow();
  if (layout.mode === 'full') await checkChecksumsFile(layout, metadata, store, check);
  return result(layout, metadata, metadataSha256);
}

/** An object the metadata refers to, as HEAD found it; `asRecorded` when its size and ETag are the ones recorded. */
interface PresentObject {
  readonly object: ReferencedObjectCheck;
  readonly location: S3Location;
  readonly info: ObjectInfo;
  readonly asRecorded: boolean;
}

/**
 * A full staging's copy of the archive, when it can stand in for the original in a deep check:
 * both are as recorded, the original pinned by its ETag (so its bytes are the ones hashed when it
 * was staged), and the copy recorded with the same SHA-256 (so re-hashing the copy re-checks
 * those bytes). The original is then not read again: each distinct byte of the staging once.
 */
function copyStandingInFor(source: PresentObject | undefined, present: readonly PresentObject[]): PresentObject | undefined {
  if (source === undefined || !source.asRecorded || source.object.etag === undefined || !source.object.sha256) return undefined;
  return present.find(({ object, asRecorded }) => object.what === 'archive copy' && asRecorded && object.sha256 === source.object.sha256);
}

interface ReferencedObjectCheck {
  readonly what: string;
  readonly uri: string;
  readonly size: number;
  /** Undefined where the metadata records none (a legacy document's files). */
  readonly etag: string | undefined;
  readonly sha256: string | null;
}

/** Every object the metadata refers to or pins, with what it records of each. */
function referencedObjects(metadata: StoredMetadataDocument, layout: StagingLayout): ReferencedObjectCheck[] {
  const { source } = metadata;
  const archives = [
    { what: 'source archive', uri: source.uri, size: source.size_bytes, etag: source.etag, sha256: source.sha256 },
    ...metadata.containers.map((container) => ({ what: 'container archive', uri: container.uri, size: container.size_bytes, etag: container.etag, sha256: null })),
  ];
  if (metadata.schema_version === 2) {
    const copy = metadata.source_copy;
    return [
      ...archives,
      ...(copy === null ? [] : [{ what: 'archive copy', uri: copy.uri, size: copy.size_bytes, etag: copy.etag, sha256: copy.sha256 }]),
      ...metadata.files.map((file) => ({ what: `staged file ${file.path}`, uri: file.uri, size: file.size_bytes, etag: file.etag, sha256: file.sha256 })),
    ];
  }
  // Schema version 1 pinned nothing: sizes (and hashes, when deep) are all there is to check.
  return [
    ...archives,
    ...(layout.mode === 'full'
      ? [{ what: 'archive copy', uri: formatS3Uri(layout.sourceCopy), size: source.size_bytes, etag: undefined, sha256: source.sha256 }]
      : []),
    ...metadata.files.map((file) => ({ what: `staged file ${file.path}`, uri: file.uri, size: file.size_bytes, etag: undefined, sha256: file.sha256 })),
  ];
}

/**
 * The document found must be the one asked for: a metadata document copied to another
 * version's place (with a marker to match) must not verify as that version.
 */
function identityChecks(target: VerifyConfig['target'], located: StagingLayout, metadata: StoredMetadataDocument): Array<[string, string, string]> {
  const checks: Array<[string, string, string]> = [['metadata document (its own metadata_uri)', formatS3Uri(located.metadata), metadata.deployment.metadata_uri]];
  if (!('metadata' in target)) {
    checks.push(
      ['metadata document (environment)', target.environment, metadata.deployment.environment],
      ['metadata document (model name)', target.modelName, metadata.model.name],
      ['metadata document (model version)', target.modelVersion, metadata.model.version],
    );
  }
  return checks;
}

/** Said of a staging written before objects were pinned, wherever one is accepted. */
export function legacyStagingWarning(layout: StagingLayout): string {
  return (
    `${formatS3Uri(layout.metadata)} was written by an earlier version (metadata schema_version 1): its files were checked ` +
    'by size only. Re-stage it with `force` to pin every object to its ETag.'
  );
}

const NO_PROGRESS: ProgressDisplay = { intervalMs: Infinity, show: () => {} };

/** Where the document to check is: given, or found in either layout. */
async function locate(config: Pick<VerifyConfig, 'target'>, store: ObjectStore): Promise<StagingLayout> {
  const { target } = config;
  if ('metadata' in target) {
    const layout = layoutOfMetadata(target.metadata);
    if (layout === undefined) {
      throw new ConfigurationError(
        `\`deployment-json-uri\` (RIVA_DEPLOYMENT_JSON_URI) must name a ${METADATA_DOCUMENT_NAMES.join(' or ')}; got ${formatS3Uri(target.metadata)}.`,
      );
    }
    return layout;
  }
  const candidates = candidateLayouts(target.bucket, target, bintarballRootOrDefault(target.bintarballKey));
  const found = (
    await Promise.all(
      candidates.map(async (candidate) => {
        const [marker, metadata] = await Promise.all([
          store.head(candidate.marker, 'the completion marker'),
          store.head(candidate.metadata, 'the metadata document'),
        ]);
        return marker || metadata ? [candidate] : [];
      }),
    )
  ).flat();
  const [only, other] = found;
  if (only !== undefined && other === undefined) return only;
  if (only !== undefined) {
    throw new ConfigurationError(
      `${target.modelName} ${target.modelVersion} for ${target.environment} is staged in both layouts: ` +
        `${found.map((candidate) => formatS3Uri(candidate.metadata)).join(' and ')}. ` +
        'Give `deployment-json-uri` (RIVA_DEPLOYMENT_JSON_URI) to say which one to check.',
    );
  }
  throw new NotFoundError(
    `No staging of ${target.modelName} ${target.modelVersion} for ${target.environment} at ` +
      `${candidates.map((candidate) => formatS3Uri(candidate.metadata)).join(' or ')}. ` +
      'Check model-name, model-version and environment, or give `deployment-json-uri`.',
  );
}

/** checksums.sha256 lists exactly the archive copy and the staged files, with their recorded hashes. */
async function checkChecksumsFile(
  layout: FullLayout,
  metadata: StoredMetadataDocument,
  store: ObjectStore,
  check: (what: string, location: S3Location, expected: string, found: string) => void,
): Promise<void> {
  const location = layout.checksums;
  if ((await store.head(location, 'the checksums file')) === undefined) {
    check('checksums file', location, 'present', 'missing');
    return;
  }
  const listed = new Map(
    (await store.getText(location, 'the checksums file'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const [hash = '', ...path] = line.split('  ');
        return [path.join('  '), hash] as const;
      }),
  );
  const expected = new Map<string, string>([
    [relativeToPrefix(layout, layout.sourceCopy), metadata.source.sha256 ?? ''],
    ...metadata.files.map((file) => [file.path, file.sha256] as const),
  ]);
  for (const path of new Set([...expected.keys(), ...listed.keys()])) {
    check(`checksums file entry ${path}`, location, expected.get(path) ?? 'not listed', listed.get(path) ?? 'not listed');
  }
}
