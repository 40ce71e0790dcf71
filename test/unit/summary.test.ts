import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, printable } from '../../src/format.ts';
import { plainTextSummary, summaryHeading, summaryRows } from '../../src/report/summary.ts';
import type { CacheReport } from '../../src/operations/stage/content.ts';
import { sampleConfig, sampleMetadata, sampleStageResult } from '../helpers/samples.ts';

describe('job summary', () => {
  it('tells what was staged, where, sizes, bytes and time per phase', () => {
    const rows = Object.fromEntries(summaryRows(sampleStageResult()));
    expect(rows).toMatchObject({
      Status: 'staged',
      Mode: 'bintarball-reference',
      'Artifact id': 'parakeet-rnnt-en-us-v2025.09',
      Environment: 'prod',
      'Source size': '3.71 GiB (3980563622 bytes)',
      'Source SHA-256': 'not known (S3 holds no full-object checksum)',
      Container: 's3://models/bintarball/riva-containers/riva-speech-2.15.0.tar.gz (2.00 GiB, ETag abc123)',
      Metadata: 's3://models/bintarball/deployment-metadata/prod/parakeet-rnnt-en-us/v2025.09/deployment.json',
      Written: '2 objects, 13 bytes',
      'Duplication avoided': '5.71 GiB',
      Verified: '2 objects',
      'Time per phase': 'discover 120 ms, plan 2 ms, write 340 ms, verify 1.50 s',
    });
  });

  it('shows when the bytes moved and the documents landed, when the run recorded it', () => {
    const timeline = [
      { event: 'first byte down', offsetMs: 80 },
      { event: 'marker written', offsetMs: 2500 },
    ] as const;
    expect(Object.fromEntries(summaryRows(sampleStageResult({ timeline })))['Timeline']).toBe('first byte down 80 ms, marker written 2.50 s');
    expect(summaryRows(sampleStageResult()).map(([label]) => label)).not.toContain('Timeline');
  });

  it('says a dry run would write, and wrote nothing', () => {
    const result = sampleStageResult({ status: 'planned', verified: [] });
    expect(summaryHeading(result)).toMatch(/dry run: nothing written/);
    expect(Object.fromEntries(summaryRows(result))['Would write']).toBe('2 objects, 13 bytes');
  });
});

describe('archive cache row', () => {
  const cacheRow = (cache: CacheReport) => {
    const content = { sourceSha256: null, files: [], objects: [], documents: [], reused: [], skippedEntries: [], warnings: [], bytesDuplicationAvoided: 0 };
    const transfer = { bytesDownloaded: 0, bytesUploaded: 0, bytesCopiedServerSide: 0 };
    const result = sampleStageResult({ metadata: sampleMetadata(sampleConfig({ mode: 'full' })), content: { ...content, transfer, cache } });
    return Object.fromEntries(summaryRows(result))['Archive cache'];
  };

  it('says a miss was saved only when it was', () => {
    expect(cacheRow({ outcome: 'miss', description: 'local directory /c', bytesNotDownloaded: 0 })).toBe('miss (local directory /c): saved for the next run');
    expect(cacheRow({ outcome: 'unsaved', description: 'local directory /c', bytesNotDownloaded: 0 })).toBe(
      'miss (local directory /c): could not be saved for the next run (see the warning)',
    );
    expect(cacheRow({ outcome: 'hit', description: 'local directory /c', bytesNotDownloaded: 2048 })).toBe('hit (local directory /c): 2.00 KiB not downloaded');
  });
});

describe('plain-text summary', () => {
  it('aligns the rows under the heading and lists warnings', () => {
    const text = plainTextSummary(sampleStageResult({ warnings: ['expected-sha256 was not checked'] }));
    const lines = text.split('\n');
    expect(lines[0]).toBe('Riva model staged');
    expect(lines[1]).toBe('  Status               staged');
    expect(lines).toContain('  Duplication avoided  5.71 GiB');
    expect(lines.at(-1)).toBe('  warning: expected-sha256 was not checked');
  });
});

describe('formatting', () => {
  it('formats bytes and durations for people', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(5 * 1024 ** 4)).toBe('5.00 TiB');
    expect(formatDuration(87.4)).toBe('87 ms');
    expect(formatDuration(61_000)).toBe('61.00 s');
  });

  it('quotes a value with its control characters escaped, and a long one cut short', () => {
    expect(printable('a\nb\rc\td\u0000e\u007ff\u0085g\u2029h')).toBe('a\\nb\\rc\\td\\u0000e\\u007ff\\u0085g\\u2029h');
    expect(printable('x'.repeat(300))).toBe(`${'x'.repeat(200)}…`);
    expect(printable('s3://bucket/ünïcode key')).toBe('s3://bucket/ünïcode key');
  });
});
