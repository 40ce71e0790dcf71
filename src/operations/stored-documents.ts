import { ValidationError } from '../errors.ts';
import type { StagingLayout } from '../layout.ts';
import { parseMarker, type MarkerRecord } from '../marker.ts';
import { parseMetadataDocument, type StoredMetadataDocument } from '../metadata.ts';
import type { ObjectStore } from '../s3/object-store.ts';
import { formatS3Uri, type S3Location } from '../s3/uri.ts';

/** A staging's completion marker as found: none, one this tool did not write, or one it did. */
export type StoredMarker =
  | { readonly state: 'absent' }
  | { readonly state: 'foreign' }
  | { readonly state: 'ours'; readonly record: MarkerRecord };

/** The one reader of a completion marker. */
export async function readMarker(layout: StagingLayout, store: ObjectStore): Promise<StoredMarker> {
  if ((await store.head(layout.marker, 'the completion marker')) === undefined) return { state: 'absent' };
  const record = parseMarker(await store.getText(layout.marker, 'the completion marker'));
  return record === undefined ? { state: 'foreign' } : { state: 'ours', record };
}

/** A metadata document as found: none, one that does not parse, or a valid one with its exact text. */
export type StoredMetadata =
  | { readonly state: 'absent' }
  | { readonly state: 'invalid'; readonly text: string; readonly problem: string }
  | { readonly state: 'valid'; readonly text: string; readonly metadata: StoredMetadataDocument };

/** The one reader of a metadata document that may not be there (verify reports what it finds). */
export async function findMetadata(location: S3Location, store: ObjectStore): Promise<StoredMetadata> {
  if ((await store.head(location, 'the metadata document')) === undefined) return { state: 'absent' };
  const text = await store.getText(location, 'the metadata document');
  const parsed = parseMetadataDocument(text);
  return 'problem' in parsed ? { state: 'invalid', text, problem: parsed.problem } : { state: 'valid', text, metadata: parsed.metadata };
}

/** A metadata document that must be there and valid. */
export async function readMetadata(location: S3Location, store: ObjectStore): Promise<{ metadata: StoredMetadataDocument; text: string }> {
  const text = await store.getText(location, 'the metadata document');
  const parsed = parseMetadataDocument(text);
  if ('problem' in parsed) throw new ValidationError(`${formatS3Uri(location)} ${parsed.problem}.`);
  return { metadata: parsed.metadata, text };
}
