import { describe, expect, it } from 'vitest';
import { baseName, formatS3Uri, keyProblem, parseS3Uri, s3UriProblem } from '../../src/s3/uri.ts';

describe('S3 URIs', () => {
  it('parses and formats bucket and key', () => {
    const location = parseS3Uri('s3://my.bucket-1/a/b/c.tar.gz');
    expect(location).toEqual({ bucket: 'my.bucket-1', key: 'a/b/c.tar.gz' });
    expect(formatS3Uri(location)).toBe('s3://my.bucket-1/a/b/c.tar.gz');
    expect(baseName(location.key)).toBe('c.tar.gz');
  });

  it.each([
    ['https://bucket/key', 'must be an s3://bucket/key URI'],
    ['s3://bucket', 'must name a bucket and a key: s3://bucket/key'],
    ['s3:///key', 'must name a bucket and a key: s3://bucket/key'],
    ['s3://bucket/folder/', 'must name an object, not a folder'],
    ['s3://UPPER/key', 'has a bad bucket name: must be an S3 bucket name: 3-63 lower-case letters, digits, dots or hyphens'],
    ['s3://a..b/key', 'has a bad bucket name: must not contain ".."'],
    [`s3://bucket/${'k'.repeat(1025)}`, 'has a key that is 1025 bytes long (UTF-8); S3 allows at most 1024'],
    ['s3://bucket/a\nb.tar.gz', 'has a key that contains a control character (U+000A) at character 2'],
  ])('%s %s', (uri, problem) => {
    expect(s3UriProblem(uri)).toBe(problem);
    expect(() => parseS3Uri(uri)).toThrow(problem);
  });
});

describe('keyProblem', () => {
  it('counts UTF-8 bytes against S3\'s 1024, and refuses control characters', () => {
    expect(keyProblem('k'.repeat(1024))).toBeUndefined();
    expect(keyProblem('€'.repeat(341))).toBeUndefined();
    expect(keyProblem('€'.repeat(342))).toBe('is 1026 bytes long (UTF-8); S3 allows at most 1024');
    expect(keyProblem('a\u007fb')).toBe('contains a control character (U+007F) at character 2');
    expect(keyProblem('a\u2028b')).toBe('contains a control character (U+2028) at character 2');
  });
});
