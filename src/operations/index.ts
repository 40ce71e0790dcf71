import type { RunConfig } from '../config/config.ts';
import { deleteOperation } from './delete.ts';
import { listOperation } from './list.ts';
import type { OperationDefinition, OperationName, OperationResult } from './operation.ts';
import { promoteOperation } from './promote.ts';
import { stageOperation } from './stage/stage.ts';
import { verifyOperation } from './verify.ts';

/** Every operation, by the name its configuration carries: the one place an operation is registered. */
const OPERATIONS = {
  stage: stageOperation,
  verify: verifyOperation,
  promote: promoteOperation,
  list: listOperation,
  delete: deleteOperation,
} satisfies { [Name in OperationName]: OperationDefinition<Extract<RunConfig, { operation: Name }>, Extract<OperationResult, { operation: Name }>> };

/** The operation a configuration asks for. */
export function operationFor(config: RunConfig): OperationDefinition<RunConfig, OperationResult> {
  // The table pairs each configuration with its own operation; TypeScript cannot follow the
  // pairing through a lookup by a union-typed key.
  return OPERATIONS[config.operation] as unknown as OperationDefinition<RunConfig, OperationResult>;
}
