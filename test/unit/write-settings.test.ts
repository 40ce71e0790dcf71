import { describe, expect, it } from 'vitest';
import { resolveConfig, type ConfigSources } from '../../src/config/config.ts';
import { parseTags } from '../../src/config/write-settings.ts';
import { copyFields, multipartCopyFields, uploadFields } from '../../src/s3/write-options.ts';
import { complete, configError, sources } from './config-fixtures.ts';

const resolve = (inputs: ConfigSources['inputs'], env: ConfigSources['env'] = {}) => resolveConfig(sources({ ...complete, ...inputs }, env));
const problem = (inputs: ConfigSources['inputs'], env: ConfigSources['env'] = {}): string => configError(sources({ ...complete, ...inputs }, env));

describe('write settings', () => {
  it('writes with the bucket defaults unless told, with the SDK checksum on AWS and none with an endpoint', () => {
    expect(resolve({}).objectWrites).toEqual({ checksum: 'CRC32' });
    expect(resolve({ s3Endpoint: 'http://127.0.0.1:9000' }).objectWrites).toEqual({ checksum: 'none' });
  });

  it('reads every setting from its input or environment variable, spelled in any case', () => {
    const config = resolve(
      { sse: 'AWS:KMS', sseKmsKeyId: 'alias/riva', acl: 'Bucket-Owner-Full-Control', storageClass: 'glacier_ir' },
      { RIVA_STAGE_SSE_BUCKET_KEY: 'true', RIVA_STAGE_TAGS: 'team=asr&cost+center=4%2F2', RIVA_STAGE_CHECKSUM_ALGORITHM: 'md5' },
    );
    expect(config.objectWrites).toEqual({
      encryption: { mode: 'aws:kms', kmsKeyId: 'alias/riva', bucketKey: true },
      acl: 'bucket-owner-full-control',
      storageClass: 'GLACIER_IR',
      tags: [
        { key: 'team', value: 'asr' },
        { key: 'cost center', value: '4/2' },
      ],
      checksum: 'MD5',
    });
  });

  it.each(['GLACIER', 'deep_archive'])('refuses %s, which cannot be read without a restore, naming the input and its variable', (storageClass) => {
    expect(problem({ storageClass })).toMatch(
      new RegExp(`^\`storage-class\` \\(RIVA_STAGE_STORAGE_CLASS\\) cannot be ${storageClass.toUpperCase()}: .*restored.*GLACIER_IR`),
    );
  });

  it('says which values each setting takes', () => {
    const message = problem({ sse: 'aes', acl: 'owner', storageClass: 'COLD', checksumAlgorithm: 'crc16', sseBucketKey: 'yes' });
    expect(message).toContain('`sse` (RIVA_STAGE_SSE) must be AES256 (SSE-S3) or aws:kms (SSE-KMS); got "aes"');
    expect(message).toContain('`acl` (RIVA_STAGE_ACL) must be a canned ACL: private, public-read,');
    expect(message).toContain('`storage-class` (RIVA_STAGE_STORAGE_CLASS) must be one of STANDARD,');
    expect(message).toContain('`checksum-algorithm` (RIVA_STAGE_CHECKSUM_ALGORITHM) must be one of CRC32, CRC32C, CRC64NVME, SHA256, MD5, none');
    expect(message).toContain('`sse-bucket-key` (RIVA_STAGE_SSE_BUCKET_KEY) must be true or false');
  });

  it('takes a KMS key and Bucket Key only with SSE-KMS', () => {
    const message = problem({ sse: 'AES256', sseKmsKeyId: 'alias/riva' }, { RIVA_STAGE_SSE_BUCKET_KEY: 'false' });
    expect(message).toContain('`sse-kms-key-id` (RIVA_STAGE_SSE_KMS_KEY_ID) is only for SSE-KMS: set `sse` (RIVA_STAGE_SSE) to aws:kms too');
    expect(message).toContain('`sse-bucket-key` (RIVA_STAGE_SSE_BUCKET_KEY) is only for SSE-KMS');
    expect(problem({ sseKmsKeyId: 'alias/riva' })).toContain('is only for SSE-KMS');
  });

  it('belongs to the modes that write objects', () => {
    expect(problem({ mode: 'verify', tags: 'a=b' })).toContain('`tags` belongs to mode bintarball-reference, mode reference-only, mode full or mode promote');
    expect(resolve({ mode: 'promote', fromEnvironment: 'dev', acl: 'bucket-owner-full-control' }).objectWrites.acl).toBe('bucket-owner-full-control');
  });
});

describe('parseTags', () => {
  it('decodes the URL query form, keeping empty values', () => {
    expect(parseTags('a=1&b=&c=x%3Dy+z')).toEqual({
      tags: [
        { key: 'a', value: '1' },
        { key: 'b', value: '' },
        { key: 'c', value: 'x=y z' },
      ],
    });
  });

  it.each([
    ['team', /has no "="/],
    ['=v', /empty key/],
    ['a=%E0%A4%A', /malformed %-escape/],
    ['a=1&a=2', /must not repeat a key; "a"/],
    ['aws:owner=me', /reserved prefix aws:/],
    ['a=x%26y', /"x&y" has others/],
    [`${'k'.repeat(129)}=v`, /keys of at most 128/],
    [`k=${'v'.repeat(257)}`, /values of at most 256/],
    [Array.from({ length: 11 }, (_, index) => `t${index}=v`).join('&'), /at most 10 tags/],
  ])('refuses %s', (value, message) => {
    const parsed = parseTags(value);
    expect('problem' in parsed && parsed.problem).toMatch(message);
  });
});

describe('request fields', () => {
  const options = {
    encryption: { mode: 'aws:kms', kmsKeyId: 'alias/riva', bucketKey: true },
    acl: 'bucket-owner-full-control',
    storageClass: 'STANDARD_IA',
    tags: [{ key: 'team', value: 'a&b' }],
    checksum: 'SHA256',
  } as const;

  it('stores uploads, copies and part-by-part copies alike, with the checksum on uploads only', () => {
    const storage = {
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'alias/riva',
      BucketKeyEnabled: true,
      ACL: 'bucket-owner-full-control',
      StorageClass: 'STANDARD_IA',
    };
    expect(uploadFields(options)).toEqual({ ...storage, Tagging: 'team=a%26b', ChecksumAlgorithm: 'SHA256' });
    expect(multipartCopyFields(options)).toEqual({ ...storage, Tagging: 'team=a%26b' });
    expect(copyFields(options)).toEqual({ ...storage, MetadataDirective: 'COPY', TaggingDirective: 'REPLACE', Tagging: 'team=a%26b' });
  });

  it('sends nothing the bucket defaults decide, and MD5 or none as no SDK checksum', () => {
    expect(uploadFields({ checksum: 'MD5' })).toEqual({});
    expect(uploadFields({ checksum: 'none', encryption: { mode: 'AES256' } })).toEqual({ ServerSideEncryption: 'AES256' });
    // Without tags a copy keeps its source's (S3's default TaggingDirective COPY).
    expect(copyFields({ checksum: 'none' })).toEqual({ MetadataDirective: 'COPY' });
  });
});
