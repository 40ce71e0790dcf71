import { countOf, escapeHtml } from '../format.ts';
import type { VerifyResult } from '../operations/verify.ts';
import { formatS3Uri } from '../s3/uri.ts';
import type { JobSummary } from './job-summary.ts';

export function verifyHeading(result: VerifyResult): string {
  const depth = result.deep ? ` (deep: ${deepWork(result.rehashed)})` : '';
  return result.mismatches.length === 0
    ? `Riva deployment verified${depth}`
    : `Riva deployment verification failed: ${result.mismatches.length} mismatch${result.mismatches.length === 1 ? '' : 'es'}${depth}`;
}

/** What a deep check re-hashed: a staging that records no SHA-256 (by reference, without `expected-sha256`) has nothing to re-hash against. */
function deepWork(rehashed: number): string {
  return rehashed === 0 ? 'no SHA-256 recorded to re-hash against' : `${countOf(rehashed, 'object')} re-hashed`;
}

export function plainTextVerifySummary(result: VerifyResult): string {
  const lines = [verifyHeading(result), `  Metadata  ${formatS3Uri(result.layout.metadata)}`];
  for (const mismatch of result.mismatches) {
    lines.push(`  MISMATCH  ${mismatch.what} ${mismatch.uri}: expected ${mismatch.expected}, found ${mismatch.found}`);
  }
  for (const object of result.checked) lines.push(`  ok        ${object.what} ${object.uri}: ${object.found}`);
  return lines.join('\n');
}

export async function writeVerifyJobSummary(summary: JobSummary, result: VerifyResult): Promise<void> {
  summary.addHeading(verifyHeading(result), 2).addRaw(`<p>${escapeHtml(formatS3Uri(result.layout.metadata))}</p>`);
  if (result.mismatches.length > 0) {
    summary.addHeading('Mismatches', 3).addTable([
      [
        { data: 'Object', header: true },
        { data: 'Expected', header: true },
        { data: 'Found', header: true },
      ],
      ...result.mismatches.map((mismatch) => [`${escapeHtml(mismatch.what)}<br>${escapeHtml(mismatch.uri)}`, escapeHtml(mismatch.expected), escapeHtml(mismatch.found)]),
    ]);
  }
  summary.addHeading('Checked', 3).addTable([
    [
      { data: 'Object', header: true },
      { data: 'Found', header: true },
    ],
    ...result.checked.map((object) => [`${escapeHtml(object.what)}<br>${escapeHtml(object.uri)}`, escapeHtml(object.found)]),
  ]);
  await summary.write();
}
