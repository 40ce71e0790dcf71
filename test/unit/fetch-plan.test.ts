import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.ts';
import type { Metadata } from '../../src/metadata.ts';
import { fetchPlan } from '../../src/operations/fetch/plan.ts';
import { partsFrom } from '../../src/s3/pinned-parts.ts';
import { sampleConfig, sampleMetadata } from '../helpers/samples.ts';

const SHA = 'a'.repeat(64);

/** A full staging's document listing `paths` as its staged files. */
function fullStaging(paths: readonly string[]): Metadata {
  const metadata = sampleMetadata(sampleConfig({ mode: 'full' }));
  const at = (path: string) => ({ path, uri: `s3://models/dev/m/v/${path}`, size_bytes: 10, etag: `etag-${path}`, sha256: SHA });
  return { ...metadata, mode: 'full', source_copy: at('source/archive.tar.gz'), files: paths.map(at) };
}

function problemOf(metadata: Metadata): string {
  try {
    fetchPlan(metadata);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  return expect.fail('expected the plan to be refused');
}

describe('fetchPlan', () => {
  it('downloads a full staging’s archive copy and files, each pinned as recorded', () => {
    const plan = fetchPlan({ ...fullStaging(['models/a/x.riva']), files: [{ ...fullStaging(['models/a/x.riva']).files[0]!, version_id: 'v1' }] });

    expect(plan.map((download) => [download.path, download.etag, download.versionId, download.sha256])).toEqual([
      ['source/archive.tar.gz', 'etag-source/archive.tar.gz', undefined, SHA],
      ['models/a/x.riva', 'etag-models/a/x.riva', 'v1', SHA],
    ]);
  });

  it('downloads the archive a reference staging points at, under source/ by its name', () => {
    const metadata = sampleMetadata();

    const [archive, ...rest] = fetchPlan(metadata);

    expect(rest).toEqual([]);
    expect(archive).toMatchObject({ path: 'source/parakeet-rnnt-riva-1-1b-en-us-deployable_v8.1.tar.gz', uri: metadata.source.uri, etag: metadata.source.etag });
  });

  it.each([
    ['models/../../etc/passwd', 'climbs out'],
    ['/etc/passwd', 'absolute path'],
    ['models/a\\b.riva', 'backslash'],
  ])('refuses a document that lists %s (it %s)', (path, problem) => {
    expect(problemOf(fullStaging([path]))).toContain(problem);
  });

  it('refuses a document that lists one path twice', () => {
    expect(problemOf(fullStaging(['models/x.riva', 'models/x.riva']))).toContain('lists models/x.riva twice');
  });

  it('refuses a legacy document, which pins nothing', () => {
    const legacy = { ...sampleMetadata(), schema_version: 1 as const, files: [] };
    expect(() => fetchPlan(legacy as never)).toThrow(/schema_version 1/);
  });
});

describe('partsFrom', () => {
  it('splits the bytes from an offset into parts of at most the part size', () => {
    expect(partsFrom(0, 10, 4)).toEqual([{ first: 0, last: 3 }, { first: 4, last: 7 }, { first: 8, last: 9 }]);
    expect(partsFrom(6, 10, 4)).toEqual([{ first: 6, last: 9 }]);
    expect(partsFrom(10, 10, 4)).toEqual([]);
  });
});
