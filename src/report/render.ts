import type { OperationResult } from '../operations/index.ts';
import { plainTextDeleteSummary, writeDeleteJobSummary } from './delete-summary.ts';
import { plainTextFetchSummary, writeFetchJobSummary } from './fetch-summary.ts';
import { plainTextListSummary, writeListJobSummary } from './list-summary.ts';
import { plainTextSummary, writeJobSummary } from './summary.ts';
import { plainTextVerifySummary, writeVerifyJobSummary } from './verify-summary.ts';

/** A result for a terminal or a raw log. */
export function plainText(result: OperationResult): string {
  switch (result.operation) {
    case 'stage':
    case 'promote':
      return plainTextSummary(result);
    case 'verify':
      return plainTextVerifySummary(result);
    case 'list':
      return plainTextListSummary(result);
    case 'delete':
      return plainTextDeleteSummary(result);
    case 'fetch':
      return plainTextFetchSummary(result);
  }
}

/** A result as the GitHub job summary. */
export async function writeSummary(result: OperationResult): Promise<void> {
  switch (result.operation) {
    case 'stage':
    case 'promote':
      return writeJobSummary(result);
    case 'verify':
      return writeVerifyJobSummary(result);
    case 'list':
      return writeListJobSummary(result);
    case 'delete':
      return writeDeleteJobSummary(result);
    case 'fetch':
      return writeFetchJobSummary(result);
  }
}

/** What `--json` adds to the outputs: the document a staging wrote, verify's mismatches, list's stagings. */
export function jsonDetails(result: OperationResult): Record<string, unknown> {
  switch (result.operation) {
    case 'stage':
    case 'promote':
      return { metadata: result.metadata };
    case 'verify':
      return { mismatches: result.mismatches };
    case 'list':
      return { stagings: result.stagings };
    case 'delete':
      return { removed: result.removed };
    case 'fetch':
      return { files: result.files };
  }
}
