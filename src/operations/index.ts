import type { RunConfig } from '../config/config.ts';
import { deleteOperation, type DeleteResult } from './delete.ts';
import { fetchOperation, type FetchResult } from './fetch/fetch.ts';
import { listOperation, type ListResult } from './list.ts';
import type { OperationDefinition } from './operation.ts';
import { promoteOperation, type PromoteResult } from './promote.ts';
import { stageOperation, type StageResult } from './stage/stage.ts';
import { verifyOperation, type VerifyResult } from './verify.ts';

/** The outcome of one run, one variant per operation: the entries render it, nothing else. */
export type OperationResult = StageResult | PromoteResult | VerifyResult | ListResult | DeleteResult | FetchResult;

export type OperationName = OperationResult['operation'];

/** Every operation, by the name its configuration carries: the one place an operation is registered. */
const OPERATIONS = {
  stage: stageOperation,
  verify: verifyOperation,
  promote: promoteOperation,
  list: listOperation,
  delete: deleteOperation,
  fetch: fetchOperation,
} satisfies { [Name in OperationName]: OperationDefinition<Extract<RunConfig, { operation: Name }>, Extract<OperationResult, { operation: Name }>> };

/** The operation a configuration asks for. */
export function operationFor(config: RunConfig): OperationDefinition<RunConfig, OperationResult> {
  // The table pairs each configuration with its own operation; TypeScript cannot follow the
  // pairing through a lookup by a union-typed key.
  return OPERATIONS[config.operation] as unknown as OperationDefinition<RunConfig, OperationResult>;
}
