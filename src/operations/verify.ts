import { createHash } from 'node:crypto';
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
import type { Metadata } from '../metadata.ts';
import type { ObjectStore } from '../s3/object-store.ts';
import { resumableDownload } from '../s3/resumable-download.ts';
import { formatS3Uri, parseS3Uri, type S3Location } from '../s3/uri.ts';
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
  readonly metadata: Metadata | undefined;
  /** SHA-256 of the document as stored, when it was read. */
  readonly metadataSha256: string | undefined;
  readonly checked: readonly CheckedObject[];
  readonly mismatches: readonly Mismatch[];
  readonly deep: boolean;
}

export interface VerifyOptions {
  /** Attempts per download when re-hashing (the run's `max-attempts`). */
  readonly maxAttempts: number;
  /**
   * A staging checked before its marker is written (promote checks its copy first): the
   * document must hash to this, the SHA-256 of what the run wrote, instead of what a marker records.
   */
  readonly unmarkedMetadataSha256?: string;
}

/** `verify` as an operation: the check in its phase, the verdict in the state file. */
export const verifyOperation: OperationDefinition<VerifyConfig, VerifyResult> = {
  stateFile: (config) => ({
    name: `verify-${'metadata' in config.target ? 'metadata' : `${config.target.environment}-${config.target.modelName}-${config.target.modelVersion}`}`,
    fields: {},
  }),
  async run(config, deps) {
    const result = await deps.state.phase('verify', () =>
      verifyDeployment(config, deps.store, deps.log, { maxAttempts: config.connection.maxAttempts }),
    );
    deps.state.record({ status: result.mismatches.length === 0 ? 'verified' : 'failed', mismatches: result.mismatches });
    return result;
  },
  outputs: verificationOutputs,
  failure: (result) => (result.mismatches.length === 0 ? undefined : mismatchReport(result)),
  warnings: () => [],
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
 * metadata document; the document is valid; every object it references has the recorded size
 * and ETag (and checksum where S3 holds one); the checksums file agrees; with `deep`, every
 * staged file and the archive hash to their recorded SHA-256.
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
  const check = (what: string, location: S3Location, expected: string, found: string) => {
    const uri = formatS3Uri(location);
    if (expected === found) checked.push({ what, uri, found });
    else mismatches.push({ what, uri, expected, found });
  };

  const unmarked = options.unmarkedMetadataSha256;
  const result = (layout: StagingLayout, metadata: Metadata | undefined, metadataSha256: string | undefined): VerifyResult => ({
    operation: 'verify',
    layout,
    metadata,
    metadataSha256,
    checked,
    mismatches,
    deep: config.deep,
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
  const layout = layoutOfStaging(located, metadata);

  const referenced = [
    { what: 'source archive', uri: metadata.source.uri, size: metadata.source.size_bytes, etag: metadata.source.etag, sha256: metadata.source.sha256 },
    ...metadata.containers.map((container) => ({ what: 'container archive', uri: container.uri, size: container.size_bytes, etag: container.etag, sha256: null })),
    ...metadata.files.map((file) => ({ what: `staged file ${file.path}`, uri: file.uri, size: file.size_bytes, etag: undefined, sha256: file.sha256 })),
    ...(layout.mode === 'full'
      ? [{ what: 'archive copy', uri: formatS3Uri(layout.sourceCopy), size: metadata.source.size_bytes, etag: undefined, sha256: metadata.source.sha256 }]
      : []),
  ];
  await Promise.all(
    referenced.map(async (object) => {
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
      if (config.deep && object.sha256 && recorded === found) {
        log(`Re-hashing ${object.uri} …`);
        const sha256 = await hashObject(store, location, info.etag, info.size, object.what, options.maxAttempts);
        check(`${object.what} (re-hashed)`, location, `sha256 ${object.sha256}`, `sha256 ${sha256}`);
      }
    }),
  );
  if (layout.mode === 'full') await checkChecksumsFile(layout, metadata, store, check);
  return result(layout, metadata, metadataSha256);
}

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
  for (const candidate of candidates) {
    const [marker, metadata] = await Promise.all([
      store.head(candidate.marker, 'the completion marker'),
      store.head(candidate.metadata, 'the metadata document'),
    ]);
    if (marker || metadata) return candidate;
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
  metadata: Metadata,
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

async function hashObject(
  store: ObjectStore,
  location: S3Location,
  etag: string,
  sizeBytes: number,
  what: string,
  maxAttempts: number,
): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of resumableDownload(store, location, { etag, sizeBytes, maxAttempts, what: `the ${what}` })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
