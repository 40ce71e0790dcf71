import type { ListConfig } from '../config/config.ts';
import { bintarballRootOrDefault, layoutInTree, narrowedPrefix, stagingOfKey, stagingTrees, type StagingLayout, type StagingTarget } from '../layout.ts';
import { sha256Hex } from '../marker.ts';
import type { ObjectStore } from '../s3/object-store.ts';
import { formatS3Uri } from '../s3/uri.ts';
import type { OperationDefinition } from './operation.ts';
import { findMetadata, readMarker } from './stored-documents.ts';

/** One staging found, as `list` shows it. */
export interface ListedStaging {
  readonly environment: string;
  readonly model: string;
  readonly version: string;
  /** The mode its metadata records; null when the document is missing or invalid. */
  readonly mode: string | null;
  /** A marker this tool wrote, vouching for the metadata document as it is. */
  readonly complete: boolean;
  readonly source: string | null;
  /** When the run that wrote it finished. */
  readonly stagedAt: string | null;
  /** The staging it was promoted from, when it was. */
  readonly promotedFrom: { readonly environment: string; readonly metadataUri: string } | null;
  readonly metadataUri: string;
}

export interface ListResult {
  readonly operation: 'list';
  /** The folders that were listed: the bintarball metadata tree and the staging areas. */
  readonly trees: readonly string[];
  readonly stagings: readonly ListedStaging[];
}

export const listOperation: OperationDefinition<ListConfig, ListResult> = {
  stateFile: (config) => ({ name: `list-${config.bucket}`, fields: {} }),
  async run(config, deps) {
    const result = await deps.state.phase('discover', () => listStagings(config, deps.store));
    deps.state.record({ status: 'listed' });
    deps.log(`Found ${result.stagings.length} staging(s) in s3://${config.bucket}/.`);
    return result;
  },
  outputs: (result) => ({ mode: 'list', status: 'listed', stagings: JSON.stringify(result.stagings) }),
  failure: () => undefined,
  warnings: () => [],
};

type Narrowing = Pick<ListConfig, 'environment' | 'modelName' | 'modelVersion'>;

/**
 * Every staging in both trees of the bucket, narrowed to the environment, model and version
 * given. Each tree (or the narrowed part of it) is listed in full and its stagings are the
 * folders that hold a metadata document or a marker: servers differ in how well they roll
 * nested keys up into delimiter prefixes (the embedded test server drops those more than one
 * folder deep), while a plain prefix listing is the same everywhere. Read-only; sorted by
 * environment, model and version, the bintarball tree first.
 */
export async function listStagings(config: Pick<ListConfig, 'bucket' | 'bintarballKey'> & Narrowing, store: ObjectStore): Promise<ListResult> {
  const root = bintarballRootOrDefault(config.bintarballKey);
  const trees = stagingTrees(config.bucket, root);
  const narrowing = { environment: config.environment, modelName: config.modelName, modelVersion: config.modelVersion };
  const found: ListedStaging[] = [];
  for (const tree of [trees.bintarball, trees.stagingArea]) {
    const prefix = narrowedPrefix(tree, narrowing);
    const { objects } = await store.list(prefix, `the stagings under ${formatS3Uri(prefix)}`);
    const targets = new Map<string, StagingTarget>();
    for (const object of objects) {
      const target = stagingOfKey(tree, object.key, root);
      if (target !== undefined && matches(target, narrowing)) targets.set(`${target.environment}/${target.modelName}/${target.modelVersion}`, target);
    }
    for (const [, target] of [...targets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const staging = await describeStaging(layoutInTree(tree, target, root), store);
      found.push({ environment: target.environment, model: target.modelName, version: target.modelVersion, ...staging });
    }
  }
  return { operation: 'list', trees: [formatS3Uri(trees.bintarball), formatS3Uri(trees.stagingArea)], stagings: found };
}

function matches(target: StagingTarget, narrowing: Partial<StagingTarget>): boolean {
  return (
    (narrowing.environment === undefined || narrowing.environment === target.environment) &&
    (narrowing.modelName === undefined || narrowing.modelName === target.modelName) &&
    (narrowing.modelVersion === undefined || narrowing.modelVersion === target.modelVersion)
  );
}

/** A staging's documents as found in its folder. */
async function describeStaging(layout: StagingLayout, store: ObjectStore): Promise<Omit<ListedStaging, 'environment' | 'model' | 'version'>> {
  const [marker, stored] = await Promise.all([readMarker(layout, store), findMetadata(layout.metadata, store)]);
  const metadata = stored.state === 'valid' ? stored.metadata : undefined;
  const vouched = marker.state === 'ours' && stored.state !== 'absent' && marker.record.metadataSha256 === sha256Hex(stored.text);
  return {
    mode: metadata?.mode ?? null,
    complete: vouched && metadata !== undefined,
    source: metadata?.source.uri ?? null,
    stagedAt: metadata?.run.finished_at ?? null,
    promotedFrom: metadata?.promoted_from ? { environment: metadata.promoted_from.environment, metadataUri: metadata.promoted_from.metadata_uri } : null,
    metadataUri: formatS3Uri(layout.metadata),
  };
}
