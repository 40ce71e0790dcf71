import type { ArchiveCache } from '../cache/archive-cache.ts';
import type { RunConfig } from '../config/config.ts';
import type { GithubRun } from '../metadata.ts';
import type { ObjectStore } from '../s3/object-store.ts';
import type { StateFile } from '../state-file.ts';
import type { ProgressDisplay } from '../transfer-progress.ts';

/** What every operation is given by the run that starts it; nothing here knows the entry point. */
export interface OperationDependencies {
  readonly store: ObjectStore;
  readonly state: StateFile;
  readonly runId: string;
  readonly toolVersion: string;
  readonly github: GithubRun | null;
  readonly now: () => Date;
  readonly log: (message: string) => void;
  /** Shown as a warning at once: what a failing run could not clean up, which must not wait for a result. */
  readonly warn: (message: string) => void;
  /** Where transfer progress goes, and how often it is worth showing. */
  readonly progress: ProgressDisplay;
  /** Full mode: where archives are kept between runs, when caching is on. */
  readonly cache?: ArchiveCache | undefined;
}

/**
 * One operation (stage, verify, promote, list, delete …): a peer of the others, looked up by
 * name in `operations/index.ts`. Adding one means one file here, one table entry, its inputs in
 * `config/` and action.yml, and its renderer in `report/`.
 */
export interface OperationDefinition<Config extends RunConfig, Result extends { readonly operation: string }> {
  /** The state file's name (without folder and extension) and the fields it starts with. */
  stateFile(config: Config): { readonly name: string; readonly fields: Record<string, unknown> };
  run(config: Config, deps: OperationDependencies): Promise<Result>;
  /** The action's outputs (and the command line's `--json`), by output name. */
  outputs(result: Result): Record<string, string>;
  /** Why a run that completed still failed (verify's mismatches), or undefined when it did not. */
  failure(result: Result): string | undefined;
  /** Warnings to show once the run is over. */
  warnings(result: Result): readonly string[];
}
