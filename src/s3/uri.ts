import { codePoint, controlCharacterIn } from '../format.ts';

/** A bucket and a key: where one object lives. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

// S3's bucket naming rules: 3–63 characters of lower-case letters, digits, dots and hyphens,
// starting and ending with a letter or digit.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Why `name` is not a valid bucket name, or undefined when it is. */
export function bucketNameProblem(name: string): string | undefined {
  if (!BUCKET_NAME.test(name)) {
    return 'must be an S3 bucket name: 3-63 lower-case letters, digits, dots or hyphens';
  }
  if (name.includes('..')) return 'must not contain ".."';
  return undefined;
}

/** S3's limit on a key: 1024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;

/** Why `key` cannot be a key this tool writes or reads (too long for S3, a control character), or undefined. */
export function keyProblem(key: string): string | undefined {
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) return `is ${bytes} bytes long (UTF-8); S3 allows at most ${MAX_KEY_BYTES}`;
  const control = controlCharacterIn(key);
  if (control !== undefined) return `contains a control character (U+${codePoint(control.character)}) at character ${control.index + 1}`;
  return undefined;
}

/** Why `uri` is not an `s3://bucket/key` URI of an object, or undefined when it is. */
export function s3UriProblem(uri: string): string | undefined {
  if (!uri.startsWith('s3://')) return 'must be an s3://bucket/key URI';
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return 'must name a bucket and a key: s3://bucket/key';
  const bucketProblem = bucketNameProblem(rest.slice(0, slash));
  if (bucketProblem) return `has a bad bucket name: ${bucketProblem}`;
  const key = rest.slice(slash + 1);
  if (key === '' || key.endsWith('/')) return 'must name an object, not a folder';
  const problem = keyProblem(key);
  return problem === undefined ? undefined : `has a key that ${problem}`;
}

/** Parses `s3://bucket/key`; callers validate with `s3UriProblem` first. */
export function parseS3Uri(uri: string): S3Location {
  const problem = s3UriProblem(uri);
  if (problem) throw new TypeError(`${uri} ${problem}`);
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** The last path segment of a key: the archive's file name. */
export function baseName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
