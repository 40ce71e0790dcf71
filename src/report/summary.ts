import { countOf, escapeHtml, formatBytes, formatDuration } from '../format.ts';
import type { PromoteResult } from '../operations/promote.ts';
import type { CacheReport, ModeContent, StagedObject } from '../operations/stage/content.ts';
import type { StageResult } from '../operations/stage/stage.ts';
import { formatTimeline } from '../timeline.ts';
import type { JobSummary } from './job-summary.ts';

/** A run that wrote (or would write) a staging: staging itself, or promote. */
export type StagingResult = StageResult | PromoteResult;

const HEADINGS: Record<StageResult['status'], string> = {
  staged: 'Riva model staged',
  'already-staged': 'Riva model already staged',
  planned: 'Riva model staging planned (dry run: nothing written)',
};

export function summaryHeading(result: StagingResult): string {
  return HEADINGS[result.status];
}

/** Objects moved besides the documents: staged by transfer, or copied by promote. */
function transferredObjects(result: StagingResult): readonly StagedObject[] {
  return result.operation === 'promote' ? result.copied : (result.content?.objects ?? []);
}

/** Bytes the staging refers to instead of copying: the referenced archives (promote: as its source staging did). */
function duplicationAvoided(result: StagingResult): number {
  if (result.operation === 'stage') return result.bytesDuplicationAvoided;
  return result.metadata.mode === 'full' ? 0 : result.metadata.source.size_bytes;
}

/** What happened, as label/value rows: the content of the job summary's table. */
export function summaryRows(result: StagingResult): Array<[string, string]> {
  const { metadata } = result;
  const objects = transferredObjects(result);
  const documentBytes = result.writes.reduce((sum, write) => sum + Buffer.byteLength(write.body), 0);
  const objectBytes = objects.reduce((sum, object) => sum + object.sizeBytes, 0);
  const objectsWritten = result.writes.length + objects.length;
  const phases = Object.entries(result.durations)
    .map(([phase, milliseconds]) => `${phase} ${formatDuration(milliseconds)}`)
    .join(', ');
  const rows: Array<[string, string]> = [
    ['Status', result.status],
    ['Mode', metadata.mode],
    ['Artifact id', metadata.artifact_id],
    ['Model', `${metadata.model.name} ${metadata.model.version} (${metadata.model.language_code}, ${metadata.model.architecture})`],
    ['Environment', metadata.deployment.environment],
    ['Source', metadata.source.uri],
    ['Source size', `${formatBytes(metadata.source.size_bytes)} (${metadata.source.size_bytes} bytes)`],
    ['Source ETag', metadata.source.etag],
    ['Source SHA-256', metadata.source.sha256 ?? 'not known (S3 holds no full-object checksum)'],
    ...(metadata.promoted_from
      ? [['Promoted from', `${metadata.promoted_from.environment}: ${metadata.promoted_from.metadata_uri} (sha256 ${metadata.promoted_from.metadata_sha256})`] as [string, string]]
      : []),
    ...metadata.containers.map((container): [string, string] => [
      'Container',
      `${container.uri} (${formatBytes(container.size_bytes)}, ETag ${container.etag})`,
    ]),
    ...fullModeRows(result),
    ...plannedCopyRows(result),
    ['Metadata', metadata.deployment.metadata_uri],
    ['Completion marker', metadata.deployment.marker_uri],
    [result.status === 'planned' ? 'Would write' : 'Written', `${countOf(objectsWritten, 'object')}, ${formatBytes(documentBytes + objectBytes)}`],
    ['Duplication avoided', formatBytes(duplicationAvoided(result))],
    ['Verified', countOf(result.verified.length, 'object')],
    ['Retries', String(result.retries)],
    ['Time per phase', phases],
    ...timelineRows(result),
  ];
  return rows;
}

/** When a staging's bytes moved and its documents landed: where its time went, beside the phases. */
function timelineRows(result: StagingResult): Array<[string, string]> {
  if (result.operation !== 'stage' || result.timeline.length === 0) return [];
  return [['Timeline', formatTimeline(result.timeline)]];
}

/** A promote dry run: the copies it would make. */
function plannedCopyRows(result: StagingResult): Array<[string, string]> {
  if (result.operation !== 'promote' || result.status !== 'planned' || result.plannedCopies.length === 0) return [];
  return [['Would copy', `${countOf(result.plannedCopies.length, 'object')} server-side`]];
}

/** How a full-mode staging's bytes moved: what the summary shows besides its files. */
type MovedBytes = Pick<ModeContent, 'cache' | 'reused' | 'skippedEntries' | 'transfer'>;

/** Staging says how its bytes moved; a promotion moved them by server-side copies only. */
function movedBytes(result: StagingResult): MovedBytes | undefined {
  if (result.operation === 'stage') return result.content;
  const bytesCopiedServerSide = result.copied.reduce((sum, object) => sum + object.sizeBytes, 0);
  return { reused: [], skippedEntries: [], transfer: { bytesDownloaded: 0, bytesUploaded: 0, bytesCopiedServerSide } };
}

/** What full mode moved: files staged, entries skipped, bytes through the runner and inside S3. */
function fullModeRows(result: StagingResult): Array<[string, string]> {
  const { metadata } = result;
  const content = movedBytes(result);
  if (metadata.mode !== 'full' || content === undefined) return [];
  const stagedBytes = metadata.files.reduce((sum, file) => sum + file.size_bytes, 0);
  const rows: Array<[string, string]> = [
    ['Staged files', `${countOf(metadata.files.length, '.riva file')}, ${formatBytes(stagedBytes)}`],
    ...metadata.files.map((file): [string, string] => ['Staged file', `${file.path} (${formatBytes(file.size_bytes)}, sha256 ${file.sha256})`]),
  ];
  if (content.cache !== undefined) rows.push(['Archive cache', cacheText(content.cache)]);
  if (content.reused.length > 0) rows.push(['Reused (staged by an earlier run)', content.reused.join(', ')]);
  if (content.skippedEntries.length > 0) rows.push(['Skipped (not .riva)', content.skippedEntries.join(', ')]);
  const { bytesDownloaded, bytesUploaded, bytesCopiedServerSide } = content.transfer;
  rows.push([
    'Bytes moved',
    `downloaded ${formatBytes(bytesDownloaded)}, uploaded ${formatBytes(bytesUploaded)}, copied server-side ${formatBytes(bytesCopiedServerSide)}`,
  ]);
  return rows;
}

function cacheText(cache: CacheReport): string {
  if (cache.outcome === 'off') return 'off';
  if (cache.outcome === 'hit') return `hit (${cache.description}): ${formatBytes(cache.bytesNotDownloaded)} not downloaded`;
  if (cache.outcome === 'unsaved') return `miss (${cache.description}): could not be saved for the next run (see the warning)`;
  return `miss (${cache.description}): saved for the next run`;
}

/** The GitHub job summary: a heading, the table, and any warnings. */
export async function writeJobSummary(summary: JobSummary, result: StagingResult): Promise<void> {
  summary
    .addHeading(summaryHeading(result), 2)
    .addTable([
      [
        { data: 'Item', header: true },
        { data: 'Value', header: true },
      ],
      ...summaryRows(result).map(([label, value]) => [label, escapeHtml(value)]),
    ]);
  const warnings = warningsOf(result);
  if (warnings.length > 0) summary.addHeading('Warnings', 3).addList(warnings.map(escapeHtml));
  await summary.write();
}

/** The same content for a terminal or a raw log: a heading and aligned label/value lines. */
export function plainTextSummary(result: StagingResult): string {
  const rows = summaryRows(result);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [summaryHeading(result), ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)];
  for (const warning of warningsOf(result)) lines.push(`  warning: ${warning}`);
  return lines.join('\n');
}

function warningsOf(result: StagingResult): readonly string[] {
  return result.operation === 'stage' ? result.warnings : [];
}
