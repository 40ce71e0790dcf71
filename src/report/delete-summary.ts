import { countOf, escapeHtml } from '../format.ts';
import type { DeleteResult } from '../operations/delete.ts';
import { formatS3Uri } from '../s3/uri.ts';
import type { JobSummary } from './job-summary.ts';

const HEADINGS: Record<DeleteResult['status'], string> = {
  deleted: 'Riva staging deleted',
  planned: 'Riva staging deletion planned (dry run: nothing deleted)',
  absent: 'No Riva staging to delete',
};

function lines(result: DeleteResult): string[] {
  const verb = result.status === 'planned' ? 'Would delete' : 'Deleted';
  return [
    ...result.layouts.map((layout) => `Metadata  ${formatS3Uri(layout.metadata)}`),
    `${verb}  ${countOf(result.removed.length, 'object')}`,
    ...result.removed.map((uri) => `  ${uri}`),
  ];
}

export function plainTextDeleteSummary(result: DeleteResult): string {
  return [HEADINGS[result.status], ...lines(result).map((line) => `  ${line}`)].join('\n');
}

export async function writeDeleteJobSummary(summary: JobSummary, result: DeleteResult): Promise<void> {
  summary.addHeading(HEADINGS[result.status], 2);
  if (result.removed.length > 0) summary.addList(result.removed.map(escapeHtml));
  await summary.write();
}
