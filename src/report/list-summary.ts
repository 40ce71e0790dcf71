import { countOf, escapeHtml } from '../format.ts';
import type { ListedStaging, ListResult } from '../operations/list.ts';
import type { JobSummary } from './job-summary.ts';

const COLUMNS = ['Environment', 'Model', 'Version', 'Mode', 'Complete', 'Source', 'Staged at'] as const;

/** One staging as the table's cells. */
function cells(staging: ListedStaging): string[] {
  const promoted = staging.promotedFrom === null ? '' : ` (promoted from ${staging.promotedFrom.environment})`;
  return [
    staging.environment,
    staging.model,
    staging.version,
    staging.mode ?? 'unreadable metadata',
    staging.complete ? 'yes' : 'no',
    `${staging.source ?? ''}${promoted}`,
    staging.stagedAt ?? '',
  ];
}

function heading(result: ListResult): string {
  return `Riva stagings: ${countOf(result.stagings.length, 'staging')}`;
}

/** A table with aligned columns, for a terminal. */
export function plainTextListSummary(result: ListResult): string {
  if (result.stagings.length === 0) return `${heading(result)} under ${result.trees.join(' and ')}`;
  const rows = [[...COLUMNS], ...result.stagings.map(cells)];
  const widths = COLUMNS.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const lines = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
  return [heading(result), ...lines.map((line) => `  ${line}`)].join('\n');
}

export async function writeListJobSummary(summary: JobSummary, result: ListResult): Promise<void> {
  await summary
    .addHeading(heading(result), 2)
    .addTable([COLUMNS.map((column) => ({ data: column, header: true })), ...result.stagings.map((staging) => cells(staging).map(escapeHtml))])
    .write();
}
