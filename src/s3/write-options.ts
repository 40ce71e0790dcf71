import type {
  ChecksumAlgorithm as SdkChecksumAlgorithm,
  ObjectCannedACL,
  ServerSideEncryption,
  StorageClass as SdkStorageClass,
} from '@aws-sdk/client-s3';

/**
 * How every object a run writes is stored: its encryption, canned ACL, storage class and tags,
 * and the checksum its bytes carry in transit. One value for the whole run, applied by the
 * object store to every PutObject, multipart upload and copy alike, so that a bucket policy that
 * demands a header sees it on each write.
 */
export interface ObjectWriteOptions {
  readonly encryption?: Encryption;
  readonly acl?: CannedAcl;
  readonly storageClass?: ReadableStorageClass;
  /** In the order given; at most 10 (S3's limit per object). */
  readonly tags?: readonly ObjectTag[];
  /** The checksum sent with every uploaded body; `none` sends none beyond what an operation requires. */
  readonly checksum: ChecksumAlgorithm;
}

/** SSE-S3 (`AES256`), or SSE-KMS with an optional key (id, ARN or alias) and S3 Bucket Key. */
export type Encryption =
  | { readonly mode: 'AES256' }
  | { readonly mode: 'aws:kms'; readonly kmsKeyId?: string; readonly bucketKey?: boolean };

export interface ObjectTag {
  readonly key: string;
  readonly value: string;
}

export const ENCRYPTION_MODES = ['AES256', 'aws:kms'] as const satisfies readonly `${ServerSideEncryption}`[];

/** The canned ACLs an object takes (`log-delivery-write` is for buckets only). */
export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
] as const satisfies readonly `${ObjectCannedACL}`[];
export type CannedAcl = (typeof CANNED_ACLS)[number];

/**
 * Storage classes whose objects a GET reads at once. GLACIER_IR is Glacier *Instant Retrieval*:
 * read in milliseconds, billed per retrieval. INTELLIGENT_TIERING's archive tiers are opt-in per
 * bucket; without them its objects stay readable.
 */
export const READABLE_STORAGE_CLASSES = [
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER_IR',
  'EXPRESS_ONEZONE',
  'OUTPOSTS',
  'SNOW',
] as const satisfies readonly `${SdkStorageClass}`[];
export type ReadableStorageClass = (typeof READABLE_STORAGE_CLASSES)[number];

/**
 * Classes whose objects must be restored (minutes to hours) before a GET: verify, promote and
 * the deployment that reads the staging could not read it, so they are refused.
 */
export const ARCHIVE_STORAGE_CLASSES = ['GLACIER', 'DEEP_ARCHIVE'] as const satisfies readonly `${SdkStorageClass}`[];

/** The SDK's flexible checksums, MD5 as `Content-MD5`, or none. */
export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA256', 'MD5', 'none'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** What the SDK sends on AWS unasked; S3-compatible servers get none unless asked (see `defaultChecksum`). */
const SDK_DEFAULT_CHECKSUM: ChecksumAlgorithm = 'CRC32';

/**
 * The checksum a run uses when none is configured: the SDK's default on AWS, none with a custom
 * endpoint, because many S3-compatible servers reject the SDK's default (sent as an aws-chunked
 * trailer on streamed bodies) or ignore it.
 */
export function defaultChecksum(endpoint: string | undefined): ChecksumAlgorithm {
  return endpoint === undefined ? SDK_DEFAULT_CHECKSUM : 'none';
}

/** No encryption, ACL, class or tags given: the bucket's defaults; and no checksum. */
export const BUCKET_DEFAULTS: ObjectWriteOptions = { checksum: 'none' };

/** The header form of tags (`x-amz-tagging`): URL-encoded `key=value` pairs joined by `&`. */
export function taggingHeader(tags: readonly ObjectTag[]): string {
  return tags.map((tag) => `${encodeURIComponent(tag.key)}=${encodeURIComponent(tag.value)}`).join('&');
}

/** Whether the SDK computes this checksum itself (a flexible checksum), as opposed to MD5 or none. */
export function sdkChecksumOf(checksum: ChecksumAlgorithm): `${SdkChecksumAlgorithm}` | undefined {
  return checksum === 'MD5' || checksum === 'none' ? undefined : checksum;
}

/**
 * The request fields that store an uploaded object as configured: PutObject, and lib-storage's
 * CreateMultipartUpload and UploadPart (which take the checksum algorithm too).
 */
export function uploadFields(options: ObjectWriteOptions) {
  const checksum = sdkChecksumOf(options.checksum);
  return { ...multipartCopyFields(options), ...(checksum === undefined ? {} : { ChecksumAlgorithm: checksum }) };
}

/**
 * The CreateMultipartUpload of a copy made part by part: no checksum algorithm, since the
 * server reads the bytes itself and an algorithm would oblige the completion to list each part's.
 */
export function multipartCopyFields(options: ObjectWriteOptions) {
  return { ...storageFields(options), ...(options.tags === undefined ? {} : { Tagging: taggingHeader(options.tags) }) };
}

/**
 * The request fields of a CopyObject: the same storage as a new object. The copy keeps its
 * source's metadata (content type included), while tags given replace the source's
 * (`TaggingDirective: REPLACE`); without them S3 copies the source's tags.
 */
export function copyFields(options: ObjectWriteOptions) {
  return {
    ...storageFields(options),
    MetadataDirective: 'COPY' as const,
    ...(options.tags === undefined ? {} : { TaggingDirective: 'REPLACE' as const, Tagging: taggingHeader(options.tags) }),
  };
}

/** Encryption, ACL and storage class: what a write leaves to the bucket's defaults unless given. */
function storageFields(options: ObjectWriteOptions) {
  const encryption = options.encryption;
  return {
    ...(encryption === undefined ? {} : { ServerSideEncryption: encryption.mode }),
    ...(encryption?.mode === 'aws:kms' && encryption.kmsKeyId !== undefined ? { SSEKMSKeyId: encryption.kmsKeyId } : {}),
    ...(encryption?.mode === 'aws:kms' && encryption.bucketKey !== undefined ? { BucketKeyEnabled: encryption.bucketKey } : {}),
    ...(options.acl === undefined ? {} : { ACL: options.acl }),
    ...(options.storageClass === undefined ? {} : { StorageClass: options.storageClass }),
  };
}

/** The tags as PutObjectTagging takes them. */
export function tagSet(tags: readonly ObjectTag[]): Array<{ Key: string; Value: string }> {
  return tags.map((tag) => ({ Key: tag.key, Value: tag.value }));
}
