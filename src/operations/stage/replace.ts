import { replaceableContent, type StagingLayout } from '../../layout.ts';
import { pinnedObjects, type Metadata } from '../../metadata.ts';
import type { ObjectStore } from '../../s3/object-store.ts';
import { formatS3Uri, type S3Location } from '../../s3/uri.ts';

/**
 * A staging replaces, it does not add: what an earlier staging at this place left in the
 * folders the tool writes into (a `.riva` the new archive dropped, another source's objects
 * from an interrupted run, the checksums of a full staging now re-staged by reference) is
 * removed before the marker vouches for the new metadata. Objects the metadata lists or
 * refers to, and the staging's own documents, stay.
 */
export async function removeUnlisted(
  layout: StagingLayout,
  metadata: Metadata,
  store: ObjectStore,
  log: (message: string) => void,
): Promise<string[]> {
  const keep = new Set([
    ...pinnedObjects(metadata).map((object) => object.uri),
    metadata.source.uri,
    ...metadata.containers.map((container) => container.uri),
    formatS3Uri(layout.metadata),
    formatS3Uri(layout.marker),
    ...(layout.mode === 'full' ? [formatS3Uri(layout.checksums)] : []),
  ]);
  const { folders, files } = replaceableContent(layout);
  const listed = await Promise.all(folders.map((folder) => store.list(folder, `the staging's ${formatS3Uri(folder)}`)));
  const present = await Promise.all(files.map(async (file) => ((await store.head(file, formatS3Uri(file))) === undefined ? [] : [file])));
  const candidates: S3Location[] = [
    ...listed.flatMap(({ objects }) => objects.map((object) => ({ bucket: layout.prefix.bucket, key: object.key }))),
    ...present.flat(),
  ];
  const unlisted = candidates.filter((location) => !keep.has(formatS3Uri(location)));
  for (const location of unlisted) {
    await store.delete(location, `${formatS3Uri(location)}, which the new metadata does not list`);
    log(`Removed ${formatS3Uri(location)}: an earlier staging left it and the new metadata does not list it.`);
  }
  return unlisted.map(formatS3Uri);
}
