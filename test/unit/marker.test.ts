import { describe, expect, it } from 'vitest';
import { markerRecord, parseMarker, serialiseMarker, sourceDifferences, sourceIdentity } from '../../src/marker.ts';
import { serialiseMetadata } from '../../src/metadata.ts';
import { sampleMetadata } from '../helpers/samples.ts';

describe('completion marker', () => {
  it('round-trips and records the source it was staged from', () => {
    const metadata = sampleMetadata();
    const record = markerRecord(metadata, serialiseMetadata(metadata), new Date('2025-09-02T08:00:02.000Z'));
    const text = serialiseMarker(record);
    expect(text).toContain(`source_etag=${metadata.source.etag}\n`);
    expect(text).toContain('completed_at=2025-09-02T08:00:02.000Z\n');
    expect(parseMarker(text)).toEqual(record);
    expect(sourceDifferences(record, sourceIdentity(metadata))).toEqual([]);
  });

  it('is not vouched for when it lacks fields', () => {
    expect(parseMarker('done\n')).toBeUndefined();
  });

  it('says what changed in the source', () => {
    const metadata = sampleMetadata();
    const record = markerRecord(metadata, serialiseMetadata(metadata), new Date());
    const changed = { ...sourceIdentity(metadata), sourceEtag: 'new', sourceSizeBytes: 1 };
    expect(sourceDifferences(record, changed)).toEqual([
      `archive ETag ${metadata.source.etag} → new`,
      `archive size ${metadata.source.size_bytes} → 1 bytes`,
    ]);
  });
});
