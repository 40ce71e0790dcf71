import { ValidationError } from '../../errors.ts';
import { pinnedObjects, type StagedFile, type StoredMetadataDocument } from '../../metadata.ts';
import type { ObjectInfo, ObjectStore } from '../../s3/object-store.ts';
import { formatS3Uri, parseS3Uri, type S3Location } from '../../s3/uri.ts';
import type { CheckedObject } from '../verify.ts';
import type { ModeContent, StagedObject } from './content.ts';

/**
 * What the metadata records of each staged object is what the server reports after the write:
 * every object the mode staged is HEADed, must have the size it was written with and the ETag
 * the write returned, and takes the server's ETag where the write returned none (Ceph RGW's
 * CompleteMultipartUpload answers with an empty one).
 */
export async function pinStagedContent(
  content: ModeContent,
  store: ObjectStore,
): Promise<{ content: ModeContent; verified: CheckedObject[] }> {
  const { infos, verified } = await checkWrittenObjects(content.objects, store);
  const etagOf = (location: S3Location, written: string) => infos.get(formatS3Uri(location))?.etag ?? written;
  // In a versioned bucket the version is the firmer pin: fetch reads it even after the key is overwritten.
  const versionOf = (location: S3Location) => infos.get(formatS3Uri(location))?.versionId;
  const pinFile = (file: StagedFile): StagedFile => ({ ...file, etag: etagOf(file.location, file.etag), versionId: versionOf(file.location) });
  return {
    content: {
      ...content,
      sourceCopy: content.sourceCopy && pinFile(content.sourceCopy),
      files: content.files.map(pinFile),
      objects: content.objects.map((object) => ({ ...object, etag: etagOf(object.location, object.etag) })),
    },
    verified,
  };
}

/** Every object as written: present, with the size written and the ETag the write returned (when it returned one). */
export async function checkWrittenObjects(
  objects: readonly StagedObject[],
  store: ObjectStore,
): Promise<{ infos: Map<string, ObjectInfo>; verified: CheckedObject[] }> {
  const infos = new Map<string, ObjectInfo>();
  const verified = await Promise.all(
    objects.map(async (object) => {
      const info = await writtenObject(object, store);
      infos.set(formatS3Uri(object.location), info);
      return { what: object.what, uri: formatS3Uri(object.location), found: `${info.size} bytes, ETag ${info.etag}` };
    }),
  );
  return { infos, verified };
}

async function writtenObject(object: StagedObject, store: ObjectStore): Promise<ObjectInfo> {
  const uri = formatS3Uri(object.location);
  const info = await store.head(object.location, object.what);
  if (info === undefined) throw new ValidationError(`Verification failed: ${uri} is missing after it was written.`);
  if (info.size !== object.sizeBytes) {
    throw new ValidationError(`Verification failed: ${uri} has ${info.size} bytes, ${object.sizeBytes} were written.`);
  }
  if (object.etag !== '' && info.etag !== object.etag) {
    throw new ValidationError(`Verification failed: ${uri} has ETag ${info.etag}, the write returned ${object.etag}.`);
  }
  return info;
}

/** One pinned object that is not as the metadata records it, in words. */
export interface PinnedObjectDifference {
  readonly uri: string;
  readonly problem: string;
}

/** Every object the metadata pins, HEADed: the ones missing or with another size or ETag. */
export async function pinnedObjectDifferences(metadata: StoredMetadataDocument, store: ObjectStore): Promise<PinnedObjectDifference[]> {
  const differences = await Promise.all(
    pinnedObjects(metadata).map(async (object): Promise<PinnedObjectDifference[]> => {
      const info = await store.head(parseS3Uri(object.uri), object.path);
      if (info === undefined) return [{ uri: object.uri, problem: 'is missing' }];
      if (info.size !== object.size_bytes || info.etag !== object.etag) {
        return [{ uri: object.uri, problem: `has ${info.size} bytes, ETag ${info.etag}; the metadata records ${object.size_bytes} bytes, ETag ${object.etag}` }];
      }
      return [];
    }),
  );
  return differences.flat();
}
