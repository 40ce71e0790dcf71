import type { RunConfig } from '../config/config.ts';
import type { DeleteResult } from './delete.ts';
import type { FetchResult } from './fetch/fetch.ts';
import type { ListResult } from './list.ts';
import type { OperationDefinition } from './operation.ts';
import type { PromoteResult } from './promote.ts';
import type { StageResult } from './stage/stage.ts';
import type { VerifyResult } from './verify.ts';

/** The outcome of one run, one variant per operation: the entries render it, nothing else. */
export type OperationResult = StageResult | PromoteResult | VerifyResult | ListResult | DeleteResult | FetchResult;

export type OperationName = OperationResult['operation'];

type DefinitionOf<Name extends OperationName> = OperationDefinition<Extract<RunConfig, { operation: Name }>, Extract<OperationResult, { operation: Name }>>;

/**
 * Every operation, by the name its configuration carries: the one place an operation is
 * registered. Each is loaded when a run asks for it, so a run evaluates only its own operation's
 * code (a reference staging never the archive pipeline, fetch's extraction or lib-storage). Each
 * import is a chunk of the bundle: a run compiles only its own operation's code, too.
 */
const OPERATIONS = {
  stage: async () => (await import('./stage/stage.ts')).stageOperation,
  verify: async () => (await import('./verify.ts')).verifyOperation,
  promote: async () => (await import('./promote.ts')).promoteOperation,
  list: async () => (await import('./list.ts')).listOperation,
  delete: async () => (await import('./delete.ts')).deleteOperation,
  fetch: async () => (await import('./fetch/fetch.ts')).fetchOperation,
} satisfies { [Name in OperationName]: () => Promise<DefinitionOf<Name>> };

/** The operation a configuration asks for, loaded. */
export async function operationFor(config: RunConfig): Promise<OperationDefinition<RunConfig, OperationResult>> {
  // The table pairs each configuration with its own operation; TypeScript cannot follow the
  // pairing through a lookup by a union-typed key.
  return (await OPERATIONS[config.operation]()) as unknown as OperationDefinition<RunConfig, OperationResult>;
}
