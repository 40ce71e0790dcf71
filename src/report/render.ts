import type { OperationResult } from '../operations/index.ts';
import { plainTextDeleteSummary } from './delete-summary.ts';
import { plainTextFetchSummary } from './fetch-summary.ts';
import { plainTextListSummary } from './list-summary.ts';
import { plainTextSummary } from './summary.ts';
import { plainTextVerifySummary } from './verify-summary.ts';

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
