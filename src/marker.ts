import { createHash } from 'node:crypto';
import type { Metadata } from './metadata.ts';

/**
 * The completion marker: written last, so its presence means the staging is complete. Plain
 * `key=value` lines that a shell step can read, and that record the source the staging was
 * made from, so a re-run can tell "already staged" from "staged from something else".
 */
export interface MarkerRecord {
  readonly artifactId: string;
  readonly mode: string;
  readonly metadataUri: string;
  readonly metadataSha256: string;
  readonly sourceUri: string;
  readonly sourceEtag: string;
  readonly sourceSizeBytes: number;
  /** `uri@etag` of each container archive, comma-separated ('' when none). */
  readonly containers: string;
  readonly runId: string;
  readonly completedAt: string;
}

const FIELDS: ReadonlyArray<[keyof MarkerRecord, string]> = [
  ['artifactId', 'artifact_id'],
  ['mode', 'mode'],
  ['metadataUri', 'metadata_uri'],
  ['metadataSha256', 'metadata_sha256'],
  ['sourceUri', 'source_uri'],
  ['sourceEtag', 'source_etag'],
  ['sourceSizeBytes', 'source_size_bytes'],
  ['containers', 'containers'],
  ['runId', 'run_id'],
  ['completedAt', 'completed_at'],
];

export function markerRecord(metadata: Metadata, metadataText: string, completedAt: Date): MarkerRecord {
  return {
    artifactId: metadata.artifact_id,
    mode: metadata.mode,
    metadataUri: metadata.deployment.metadata_uri,
    metadataSha256: sha256Hex(metadataText),
    sourceUri: metadata.source.uri,
    sourceEtag: metadata.source.etag,
    sourceSizeBytes: metadata.source.size_bytes,
    containers: containersField(metadata.containers),
    runId: metadata.run.id,
    completedAt: completedAt.toISOString(),
  };
}

export function serialiseMarker(record: MarkerRecord): string {
  return `${FIELDS.map(([field, key]) => `${key}=${record[field]}`).join('\n')}\n`;
}

/** Reads a marker; undefined when it is not one this tool wrote (then it cannot vouch for it). */
export function parseMarker(text: string): MarkerRecord | undefined {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) values.set(line.slice(0, equals), line.slice(equals + 1).trim());
  }
  const record: Record<string, string | number> = {};
  for (const [field, key] of FIELDS) {
    const value = values.get(key);
    if (value === undefined) return undefined;
    record[field] = field === 'sourceSizeBytes' ? Number(value) : value;
  }
  return record as unknown as MarkerRecord;
}

/** The part of a staging that decides whether a re-run would produce the same thing. */
export interface SourceIdentity {
  /** A staging by reference holds none of the files a full one does: the mode is part of what was staged. */
  readonly mode: string;
  readonly sourceUri: string;
  readonly sourceEtag: string;
  readonly sourceSizeBytes: number;
  readonly containers: string;
}

export function sourceIdentity(metadata: Pick<Metadata, 'mode' | 'source' | 'containers'>): SourceIdentity {
  return {
    mode: metadata.mode,
    sourceUri: metadata.source.uri,
    sourceEtag: metadata.source.etag,
    sourceSizeBytes: metadata.source.size_bytes,
    containers: containersField(metadata.containers),
  };
}

/** What differs between a recorded and a current source, in words; empty when identical. */
export function sourceDifferences(recorded: SourceIdentity, current: SourceIdentity): string[] {
  const differences: string[] = [];
  if (recorded.mode !== current.mode) {
    differences.push(`mode ${recorded.mode} → ${current.mode}`);
  }
  if (recorded.sourceUri !== current.sourceUri) {
    differences.push(`archive ${recorded.sourceUri} → ${current.sourceUri}`);
  }
  if (recorded.sourceEtag !== current.sourceEtag) {
    differences.push(`archive ETag ${recorded.sourceEtag} → ${current.sourceEtag}`);
  }
  if (recorded.sourceSizeBytes !== current.sourceSizeBytes) {
    differences.push(`archive size ${recorded.sourceSizeBytes} → ${current.sourceSizeBytes} bytes`);
  }
  if (recorded.containers !== current.containers) {
    differences.push(`containers "${recorded.containers}" → "${current.containers}"`);
  }
  return differences;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function containersField(containers: Metadata['containers']): string {
  return containers.map((container) => `${container.uri}@${container.etag}`).join(',');
}
