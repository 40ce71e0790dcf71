import { z } from 'zod';
import {
  ARCHIVE_STORAGE_CLASSES,
  CANNED_ACLS,
  CHECKSUM_ALGORITHMS,
  ENCRYPTION_MODES,
  READABLE_STORAGE_CLASSES,
  defaultChecksum,
  type ChecksumAlgorithm,
  type ObjectTag,
  type ObjectWriteOptions,
  type ReadableStorageClass,
} from '../s3/write-options.ts';
import { describeInput, type InputKey } from './inputs.ts';

/**
 * The inputs that say how the objects a run writes are stored (encryption, ACL, storage class,
 * tags) and checksummed in transit: their parsing, the rules between them, and the options the
 * object store applies.
 */

const MAX_TAGS = 10;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;
// What S3 allows in tag keys and values: letters, digits and spaces in any script, and + - = . _ : / @.
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAGS_FORM = 'key=value pairs joined by & as in a URL query, such as team=asr&cost-center=42 (URL-encode a & or = inside a key or value)';
const MAX_KMS_KEY_ID = 2048;

/** The value as one of `choices`, matched without regard to case; `choices` spell the result. */
const caseInsensitiveChoice = <Choice extends string>(choices: readonly Choice[], rule: string) =>
  z.string().transform((value, ctx) => {
    const choice = choices.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
    if (choice === undefined) {
      ctx.addIssue({ code: 'custom', message: rule });
      return z.NEVER;
    }
    return choice;
  });

const storageClass = z.string().transform((value, ctx): ReadableStorageClass => {
  const upper = value.toUpperCase();
  const readable = READABLE_STORAGE_CLASSES.find((candidate) => candidate === upper);
  if (readable !== undefined) return readable;
  const archive = ARCHIVE_STORAGE_CLASSES.find((candidate) => candidate === upper);
  ctx.addIssue({
    code: 'custom',
    message:
      archive !== undefined
        ? `cannot be ${archive}: objects in ${archive} must be restored (hours) before they can be read, and verify, promote and the ` +
          'deployment read the staging at once. Use a class read at once (STANDARD, STANDARD_IA, INTELLIGENT_TIERING, GLACIER_IR), ' +
          'or let a lifecycle rule move the objects once they are no longer deployed'
        : `must be one of ${READABLE_STORAGE_CLASSES.join(', ')}`,
  });
  return z.NEVER;
});

const tags = z.string().transform((value, ctx) => {
  const parsed = parseTags(value);
  if ('problem' in parsed) {
    ctx.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  }
  return parsed.tags;
});

const optionalBoolean = z
  .string()
  .refine((value) => ['true', 'false'].includes(value.toLowerCase()), 'must be true or false')
  .transform((value) => value.toLowerCase() === 'true');

/** The schema's fields for these inputs, every one optional. */
export const WRITE_SETTINGS_FIELDS = {
  sse: caseInsensitiveChoice(ENCRYPTION_MODES, `must be ${ENCRYPTION_MODES.join(' (SSE-S3) or ')} (SSE-KMS)`).optional(),
  sseKmsKeyId: z
    .string()
    .regex(/^\S+$/, 'must be a KMS key id, key ARN, alias name (alias/…) or alias ARN, without spaces')
    .max(MAX_KMS_KEY_ID, `must be at most ${MAX_KMS_KEY_ID} characters`)
    .optional(),
  sseBucketKey: optionalBoolean.optional(),
  acl: caseInsensitiveChoice(CANNED_ACLS, `must be a canned ACL: ${CANNED_ACLS.join(', ')}`).optional(),
  storageClass: storageClass.optional(),
  tags: tags.optional(),
  checksumAlgorithm: caseInsensitiveChoice(CHECKSUM_ALGORITHMS, `must be one of ${CHECKSUM_ALGORITHMS.join(', ')}`).optional(),
};

/** The parsed values of these inputs. */
export interface WriteSettingsValues {
  readonly sse?: (typeof ENCRYPTION_MODES)[number];
  readonly sseKmsKeyId?: string;
  readonly sseBucketKey?: boolean;
  readonly acl?: (typeof CANNED_ACLS)[number];
  readonly storageClass?: ReadableStorageClass;
  readonly tags?: readonly ObjectTag[];
  readonly checksumAlgorithm?: ChecksumAlgorithm;
}

/** The rules between these inputs, as a problem per input (to be named with its env var and flag). */
export function writeSettingsProblems(values: WriteSettingsValues): Map<InputKey, string> {
  const problems = new Map<InputKey, string>();
  const needsKms = `is only for SSE-KMS: set ${describeInput('sse')} to aws:kms too, or remove it`;
  if (values.sseKmsKeyId !== undefined && values.sse !== 'aws:kms') problems.set('sseKmsKeyId', needsKms);
  if (values.sseBucketKey !== undefined && values.sse !== 'aws:kms') problems.set('sseBucketKey', needsKms);
  return problems;
}

/** What the object store applies to every write; the checksum defaults by whether an endpoint is set. */
export function objectWriteOptions(values: WriteSettingsValues, endpoint: string | undefined): ObjectWriteOptions {
  return {
    ...(values.sse === undefined
      ? {}
      : {
          encryption:
            values.sse === 'AES256'
              ? { mode: 'AES256' }
              : {
                  mode: 'aws:kms',
                  ...(values.sseKmsKeyId === undefined ? {} : { kmsKeyId: values.sseKmsKeyId }),
                  ...(values.sseBucketKey === undefined ? {} : { bucketKey: values.sseBucketKey }),
                },
        }),
    ...(values.acl === undefined ? {} : { acl: values.acl }),
    ...(values.storageClass === undefined ? {} : { storageClass: values.storageClass }),
    ...(values.tags === undefined ? {} : { tags: values.tags }),
    checksum: values.checksumAlgorithm ?? defaultChecksum(endpoint),
  };
}

/**
 * `team=asr&cost-center=42` → tags, in the form S3's `x-amz-tagging` header and `aws s3api
 * --tagging` take: pairs joined by `&`, each URL-encoded (`+` is a space). Checked against S3's
 * limits here, so that a bad tag fails the run before it writes anything.
 */
export function parseTags(value: string): { tags: ObjectTag[] } | { problem: string } {
  const tags: ObjectTag[] = [];
  for (const pair of value.split('&')) {
    const equals = pair.indexOf('=');
    if (equals < 0) return { problem: `must be ${TAGS_FORM}; "${pair}" has no "="` };
    const key = decoded(pair.slice(0, equals));
    const tagValue = decoded(pair.slice(equals + 1));
    if (key === undefined || tagValue === undefined) return { problem: `must be ${TAGS_FORM}; "${pair}" has a malformed %-escape` };
    const problem = tagProblem(key, tagValue, tags);
    if (problem !== undefined) return { problem };
    tags.push({ key, value: tagValue });
  }
  if (tags.length > MAX_TAGS) return { problem: `must be at most ${MAX_TAGS} tags (S3's limit per object); got ${tags.length}` };
  return { tags };
}

function tagProblem(key: string, value: string, earlier: readonly ObjectTag[]): string | undefined {
  if (key.length === 0) return `must be ${TAGS_FORM}; a tag has an empty key`;
  if ([...key].length > MAX_TAG_KEY) return `must have keys of at most ${MAX_TAG_KEY} characters; "${key.slice(0, 20)}…" is longer`;
  if ([...value].length > MAX_TAG_VALUE) return `must have values of at most ${MAX_TAG_VALUE} characters; the value of "${key}" is longer`;
  if (key.toLowerCase().startsWith('aws:')) return `must not use the reserved prefix aws: in a key ("${key}")`;
  for (const text of [key, value]) {
    if (!TAG_CHARACTERS.test(text)) return `may only hold letters, digits, spaces and + - = . _ : / @ in keys and values; "${text}" has others`;
  }
  if (earlier.some((tag) => tag.key === key)) return `must not repeat a key; "${key}" is given twice`;
  return undefined;
}

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
