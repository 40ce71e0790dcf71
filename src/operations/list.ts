import type { ListConfig } from '../config/config.ts';
import { bintarballRootOrDefault, candidateLayouts, folderName, stagingTrees, subfolder, type StagingLayout } from '../layout.ts';
import { sha256Hex } from '../marker.ts';
import type { ObjectStore } from '../s3/object-store.ts';
import { formatS3Uri, type S3Location } from '../s3/uri.ts';
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
 * Every staging in both trees of the bucket, found with delimiter listings
 * (`<environment>/<model>/<version>/`), narrowed to the environment, model and version given.
 * Read-only; sorted by environment, model, version, bintarball layout first.
 */
export async function listStagings(config: Pick<ListConfig, 'bucket' | 'bintarballKey'> & Narrowing, store: ObjectStore): Promise<ListResult> {
  const root = bintarballRootOrDefault(config.bintarballKey);
  const trees = stagingTrees(config.bucket, root);
  const found: ListedStaging[] = [];
  for (const [tree, pick] of [
    [trees.bintarball, 0],
    [trees.stagingArea, 1],
  ] as const) {
    for (const environment of await folders(store, tree, config.environment)) {
      const environmentFolder = subfolder(tree, environment);
      for (const model of await folders(store, environmentFolder, config.modelName)) {
        const modelFolder = subfolder(environmentFolder, model);
        for (const version of await folders(store, modelFolder, config.modelVersion)) {
          const layout = candidateLayouts(config.bucket, { environment, modelName: model, modelVersion: version }, root)[pick];
          const staging = await describeStaging(layout, store);
          if (staging !== undefined) found.push({ environment, model, version, ...staging });
        }
      }
    }
  }
  return { operation: 'list', trees: [formatS3Uri(trees.bintarball), formatS3Uri(trees.stagingArea)], stagings: found };
}

/** The names of the folders directly under `parent`, or just `only` when it is one of them. */
async function folders(store: ObjectStore, parent: S3Location, only: string | undefined): Promise<string[]> {
  const { prefixes } = await store.list(parent, `the folders under ${formatS3Uri(parent)}`, { delimiter: '/' });
  const names = prefixes.map((prefix) => folderName(parent, prefix)).filter((name) => name !== '');
  return only === undefined ? names.sort() : names.filter((name) => name === only);
}

/** A staging's documents as found in its folder; undefined when the folder holds neither. */
async function describeStaging(layout: StagingLayout, store: ObjectStore): Promise<Omit<ListedStaging, 'environment' | 'model' | 'version'> | undefined> {
  const { objects } = await store.list(layout.prefix, `the staging ${formatS3Uri(layout.prefix)}`, { delimiter: '/' });
  const keys = new Set(objects.map((object) => object.key));
  if (!keys.has(layout.metadata.key) && !keys.has(layout.marker.key)) return undefined;
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
