import { createHash } from 'node:crypto';
import type { VerifyConfig } from '../config/config.ts';
import { ConfigurationError, NotFoundError } from '../errors.ts';
import { bintarballRoot, candidateLayouts, layoutOfMetadata, withArchive, type StagingLayout } from '../layout.ts';
import { parseMarker, sha256Hex } from '../marker.ts';
import { parseMetadataDocument, type Metadata } from '../metadata.ts';
import type { ObjectStore } from '../s3/object-store.ts';
import { resumableDownload } from '../s3/resumable-download.ts';
import { baseName, formatS3Uri, parseS3Uri, type S3Location } from '../s3/uri.ts';

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
  /**
   * A staging checked before its marker is written (promote checks its copy first): the
   * document must hash to this, the SHA-256 of what the run wrote, instead of what a marker records.
   */
  readonly unmarkedMetadataSha256?: string;
}

/**
 * Re-checks a staged deployment and writes nothing: the marker is there and vouches for the
 * metadata document; the document is valid; every object it references has the recorded size
 * and ETag (and checksum where S3 holds one); the checksums file agrees; with `deep`, every
 * staged file and the archive hash to their recorded SHA-256.
 */
export async function verifyDeployment(
  config: VerifyConfig,
  store: ObjectStore,
  log: (message: string) => void,
  options: VerifyOptions = {},
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
  const markerText =
    unmarked === undefined && (await store.head(located.marker, 'the completion marker'))
      ? await store.getText(located.marker, 'the completion marker')
      : undefined;
  const marker = markerText === undefined ? undefined : parseMarker(markerText);
  if (unmarked === undefined) {
    check('completion marker', located.marker, 'present, written by riva-130-stage', marker ? 'present, written by riva-130-stage' : markerText === undefined ? 'missing' : 'not a riva-130-stage marker');
  }

  const metadataText = (await store.head(located.metadata, 'the metadata document'))
    ? await store.getText(located.metadata, 'the metadata document')
    : undefined;
  if (metadataText === undefined) {
    check('metadata document', located.metadata, 'present', 'missing');
    return { layout: located, metadata: undefined, metadataSha256: undefined, checked, mismatches, deep: config.deep };
  }
  if (marker) check('metadata document (as the marker records it)', located.metadata, `sha256 ${marker.metadataSha256}`, `sha256 ${sha256Hex(metadataText)}`);
  if (unmarked !== undefined) check('metadata document (as this run wrote it)', located.metadata, `sha256 ${unmarked}`, `sha256 ${sha256Hex(metadataText)}`);
  const parsed = parseMetadataDocument(metadataText);
  if ('problem' in parsed) {
    check('metadata schema', located.metadata, 'valid', parsed.problem);
    return { layout: located, metadata: undefined, metadataSha256: sha256Hex(metadataText), checked, mismatches, deep: config.deep };
  }
  const { metadata } = parsed;
  check('metadata schema', located.metadata, 'valid', 'valid');
  const layout = metadata.mode === 'full' ? withArchive(located, baseName(parseS3Uri(metadata.source.uri).key)) : located;

  const referenced = [
    { what: 'source archive', uri: metadata.source.uri, size: metadata.source.size_bytes, etag: metadata.source.etag, sha256: metadata.source.sha256 },
    ...metadata.containers.map((container) => ({ what: 'container archive', uri: container.uri, size: container.size_bytes, etag: container.etag, sha256: null })),
    ...metadata.files.map((file) => ({ what: `staged file ${file.path}`, uri: file.uri, size: file.size_bytes, etag: undefined, sha256: file.sha256 })),
    ...(layout.sourceCopy
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
        const sha256 = await hashObject(store, location, info.etag, info.size, object.what);
        check(`${object.what} (re-hashed)`, location, `sha256 ${object.sha256}`, `sha256 ${sha256}`);
      }
    }),
  );
  if (layout.checksums) await checkChecksumsFile(layout, metadata, store, check);
  return { layout, metadata, metadataSha256: sha256Hex(metadataText), checked, mismatches, deep: config.deep };
}

/** Where the document to check is: given, or found in either layout. */
async function locate(config: VerifyConfig, store: ObjectStore): Promise<StagingLayout> {
  const { target } = config;
  if ('metadata' in target) {
    const layout = layoutOfMetadata(target.metadata);
    if (layout === undefined) {
      throw new ConfigurationError(
        `\`deployment-json-uri\` (RIVA_DEPLOYMENT_JSON_URI) must name a deployment.json or artifact.json; got ${formatS3Uri(target.metadata)}.`,
      );
    }
    return layout;
  }
  const root = target.bintarballKey === undefined ? 'bintarball/' : bintarballRoot(target.bintarballKey);
  const candidates = candidateLayouts(target.bucket, target, root);
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
  layout: StagingLayout,
  metadata: Metadata,
  store: ObjectStore,
  check: (what: string, location: S3Location, expected: string, found: string) => void,
): Promise<void> {
  const location = layout.checksums!;
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
    [`source/${baseName(layout.sourceCopy!.key)}`, metadata.source.sha256 ?? ''],
    ...metadata.files.map((file) => [file.path, file.sha256] as const),
  ]);
  for (const path of new Set([...expected.keys(), ...listed.keys()])) {
    check(`checksums file entry ${path}`, location, expected.get(path) ?? 'not listed', listed.get(path) ?? 'not listed');
  }
}

async function hashObject(store: ObjectStore, location: S3Location, etag: string, sizeBytes: number, what: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of resumableDownload(store, location, { etag, sizeBytes, maxAttempts: 5, what: `the ${what}` })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
