import { summary } from '@actions/core';
import type { OperationResult } from '../operations/index.ts';
import { writeDeleteJobSummary } from './delete-summary.ts';
import { writeFetchJobSummary } from './fetch-summary.ts';
import { writeListJobSummary } from './list-summary.ts';
import { writeJobSummary } from './summary.ts';
import { writeVerifyJobSummary } from './verify-summary.ts';

/** The buffer the GitHub job summary is built in (@actions/core's); each operation adds its own markup to it. */
export type JobSummary = typeof summary;

/**
 * A result as the GitHub job summary. Only the action imports this module: the command line's
 * bundle then holds no @actions/core, nor the HTTP client (undici) that comes with it.
 */
export async function writeSummary(result: OperationResult): Promise<void> {
  switch (result.operation) {
    case 'stage':
    case 'promote':
      return writeJobSummary(summary, result);
    case 'verify':
      return writeVerifyJobSummary(summary, result);
    case 'list':
      return writeListJobSummary(summary, result);
    case 'delete':
      return writeDeleteJobSummary(summary, result);
    case 'fetch':
      return writeFetchJobSummary(summary, result);
  }
}
