import { entryPathProblem } from '../../archive/entry-policy.ts';
import { ValidationError } from '../../errors.ts';
import { fetchedPaths } from '../../layout.ts';
import type { PinnedObject } from '../../s3/pinned-parts.ts';
import { baseName, parseS3Uri } from '../../s3/uri.ts';
import type { Metadata, StoredMetadataDocument } from '../../metadata.ts';

/** One object a fetch downloads, pinned as the metadata records it. */
export interface PinnedDownload extends PinnedObject {
  /** Where it lands, relative to the destination (its path in the staging). */
  readonly path: string;
  readonly sizeBytes: number;
  /** What the bytes must hash to; null where the metadata records none (an archive by reference without an S3 checksum). */
  readonly sha256: string | null;
}

/**
 * What fetching a staging downloads: a full staging's archive copy and `.riva` files; a staging
 * by reference, the archive it references (under `source/`). Every path comes from the document,
 * so each is held to the rules of an archive entry: relative, no `..`, nothing that climbs out
 * of the destination.
 */
export function fetchPlan(metadata: StoredMetadataDocument): PinnedDownload[] {
  if (metadata.schema_version === 1) {
    throw new ValidationError(
      `${metadata.deployment.metadata_uri} was written by an earlier version (metadata schema_version 1) that pinned no object to its ETag, ` +
        'so its bytes cannot be fetched pinned. Re-stage it with `force`.',
    );
  }
  const downloads = metadata.mode === 'full' ? fullStagingObjects(metadata) : [referencedArchive(metadata)];
  const paths = new Set<string>();
  for (const download of downloads) {
    const problem = entryPathProblem(download.path);
    if (problem !== undefined) throw new ValidationError(`${metadata.deployment.metadata_uri} lists ${JSON.stringify(download.path)}, which ${problem}.`);
    if (paths.has(download.path)) throw new ValidationError(`${metadata.deployment.metadata_uri} lists ${download.path} twice.`);
    paths.add(download.path);
  }
  return downloads;
}

function fullStagingObjects(metadata: Metadata): PinnedDownload[] {
  const copy = metadata.source_copy;
  if (copy === null) throw new ValidationError(`${metadata.deployment.metadata_uri} is a full staging that records no archive copy; re-stage it.`);
  return [copy, ...metadata.files].map((object) => ({
    path: object.path,
    location: parseS3Uri(object.uri),
    uri: object.uri,
    sizeBytes: object.size_bytes,
    etag: object.etag,
    versionId: object.version_id,
    sha256: object.sha256,
    what: object === copy ? 'the archive copy' : `the staged file ${object.path}`,
  }));
}

function referencedArchive(metadata: Metadata): PinnedDownload {
  const { source } = metadata;
  const location = parseS3Uri(source.uri);
  return {
    // Where full mode stages its copy: the same place in the destination whatever the layout.
    path: fetchedPaths.archive(baseName(location.key)),
    location,
    uri: source.uri,
    sizeBytes: source.size_bytes,
    etag: source.etag,
    versionId: undefined,
    sha256: source.sha256,
    what: 'the model archive',
  };
}
