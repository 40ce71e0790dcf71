import { countOf, escapeHtml, formatBytes } from '../format.ts';
import type { FetchResult } from '../operations/fetch/fetch.ts';
import { formatS3Uri } from '../s3/uri.ts';
import type { JobSummary } from './job-summary.ts';

export function fetchHeading(result: FetchResult): string {
  return `Riva staging fetched: ${countOf(result.files.length, 'file')}, ${formatBytes(result.bytesDownloaded)} downloaded`;
}

function details(result: FetchResult): Array<[string, string]> {
  return [
    ['Metadata', `${formatS3Uri(result.layout.metadata)} (sha256 ${result.metadataSha256})`],
    ['Directory', result.directory],
    ['Manifest', result.manifestPath],
  ];
}

export function plainTextFetchSummary(result: FetchResult): string {
  return [
    fetchHeading(result),
    ...details(result).map(([name, value]) => `  ${name.padEnd(9)} ${value}`),
    ...result.files.map((file) => `  ${file.how.padEnd(11)}${file.path}  ${formatBytes(file.size_bytes)}  sha256 ${file.sha256}`),
  ].join('\n');
}

export async function writeFetchJobSummary(summary: JobSummary, result: FetchResult): Promise<void> {
  await summary
    .addHeading(fetchHeading(result), 2)
    .addTable(details(result).map(([name, value]) => [name, escapeHtml(value)]))
    .addTable([
      [
        { data: 'File', header: true },
        { data: 'Size', header: true },
        { data: 'SHA-256', header: true },
        { data: 'How', header: true },
      ],
      ...result.files.map((file) => [escapeHtml(file.path), formatBytes(file.size_bytes), file.sha256, file.how]),
    ])
    .write();
}
