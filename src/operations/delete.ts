import type { DeleteConfig } from '../config/config.ts';
import { ConflictError } from '../errors.ts';
import { bintarballRootOrDefault, candidateLayouts, leaseRecord, relativeToPrefix, type StagingLayout } from '../layout.ts';
import type { ObjectStore } from '../s3/object-store.ts';
import { formatS3Uri, type S3Location } from '../s3/uri.ts';
import { leaseOptions, leaseOwner, StagingLease } from './lease.ts';
import { listStagings } from './list.ts';
import type { OperationDefinition, OperationDependencies } from './operation.ts';

export type DeleteStatus = 'deleted' | 'planned' | 'absent';

export interface DeleteResult {
  readonly operation: 'delete';
  readonly status: DeleteStatus;
  /** The layouts that held documents of this staging (none when it was absent). */
  readonly layouts: readonly StagingLayout[];
  /** Every object removed (or, in a dry run, to remove), in the order of removal. */
  readonly removed: readonly string[];
}

export const deleteOperation: OperationDefinition<DeleteConfig, DeleteResult> = {
  stateFile: (config) => ({
    name: `delete-${config.environment}-${config.modelName}-${config.modelVersion}`,
    fields: { environment: config.environment },
  }),
  run: (config, deps) => deleteStaging(config, deps),
  outputs: (result) => ({
    'deployment-json-uri': result.layouts[0] === undefined ? '' : formatS3Uri(result.layouts[0].metadata),
    'marker-uri': result.layouts[0] === undefined ? '' : formatS3Uri(result.layouts[0].marker),
    mode: 'delete',
    status: result.status,
  }),
  failure: () => undefined,
  warnings: () => [],
};

/**
 * Removes one staging (the documents of either layout, its staged objects and records), marker
 * first, so that nothing looks complete while it goes, and the metadata last, so that an
 * interrupted delete leaves what a re-run of delete (or a new staging) finds and replaces. A
 * staging that a later environment was promoted from is kept unless `force`. Each layout is
 * removed under its staging lease, like any other write to it: a run staging or promoting the
 * same version at that moment makes the delete fail instead of losing its objects under it.
 */
export async function deleteStaging(config: DeleteConfig, deps: OperationDependencies): Promise<DeleteResult> {
  const { store, log, state } = deps;
  const found = await state.phase('discover', () => stagingObjects(config, store));
  const layouts = found.map(({ layout }) => layout);
  if (found.length === 0) {
    log(`No staging of ${config.modelName} ${config.modelVersion} for ${config.environment}: nothing to delete.`);
    state.record({ status: 'absent' });
    return { operation: 'delete', status: 'absent', layouts, removed: [] };
  }
  const order = await state.phase('plan', async () => {
    await refuseWhenPromotedFrom(config, layouts, store);
    return found.map((staging) => ({ layout: staging.layout, order: removalOrder(staging) }));
  });
  const removed = order.flatMap(({ order }) => order.map(({ location }) => formatS3Uri(location)));
  if (config.dryRun) {
    for (const uri of removed) log(`Dry run: would delete ${uri}`);
    state.record({ status: 'planned' });
    return { operation: 'delete', status: 'planned', layouts, removed };
  }
  for (const { layout, order: objects } of order) {
    const lease = await state.phase('lease', () => StagingLease.acquire(store, layout, leaseOwner(deps), leaseOptions(config, deps)));
    try {
      await state.phase('write', async () => {
        for (const { location, what } of objects) {
          await store.delete(location, what);
          log(`Deleted ${formatS3Uri(location)}`);
        }
      });
    } finally {
      // Releasing deletes the lease record: the last object of the staging's folder to go.
      await lease.release();
    }
  }
  state.record({ status: 'deleted', removed });
  return { operation: 'delete', status: 'deleted', layouts, removed };
}

interface FoundStaging {
  readonly layout: StagingLayout;
  /** Every key under the staging's folder. */
  readonly keys: readonly string[];
}

/** The layouts of this staging that hold anything, with what they hold. */
async function stagingObjects(config: DeleteConfig, store: ObjectStore): Promise<FoundStaging[]> {
  const candidates = candidateLayouts(config.bucket, config, bintarballRootOrDefault(config.bintarballKey));
  const found = await Promise.all(
    candidates.map(async (layout) => {
      const { objects } = await store.list(layout.prefix, `the staging ${formatS3Uri(layout.prefix)}`);
      return { layout, keys: objects.map((object) => object.key) };
    }),
  );
  return found.filter(({ layout, keys }) => keys.includes(layout.metadata.key) || keys.includes(layout.marker.key));
}

/**
 * One staging's objects in the order they go: the marker first, then everything else, then the
 * metadata document. The lease record is left out: the delete takes that lease itself, and an
 * expired one it takes over is removed on release.
 */
function removalOrder({ layout, keys }: FoundStaging): Array<{ location: S3Location; what: string }> {
  const marker = keys.includes(layout.marker.key) ? [{ location: layout.marker, what: 'the completion marker' }] : [];
  const document = keys.includes(layout.metadata.key) ? [{ location: layout.metadata, what: 'the metadata document' }] : [];
  const special = new Set([layout.marker.key, layout.metadata.key, leaseRecord(layout).key]);
  const rest = keys
    .filter((key) => !special.has(key))
    .map((key) => {
      const location = { bucket: layout.prefix.bucket, key };
      return { location, what: relativeToPrefix(layout, location) };
    });
  return [...marker, ...rest, ...document];
}

/** A staging another environment was promoted from is still the record of where that one came from. */
async function refuseWhenPromotedFrom(config: DeleteConfig, layouts: readonly StagingLayout[], store: ObjectStore): Promise<void> {
  if (config.force) return;
  const uris = new Set(layouts.map((layout) => formatS3Uri(layout.metadata)));
  const { stagings } = await listStagings({ ...config, environment: undefined }, store);
  const dependants = stagings
    .filter((staging) => staging.promotedFrom !== null && uris.has(staging.promotedFrom.metadataUri))
    .map((staging) => staging.metadataUri);
  if (dependants.length > 0) {
    throw new ConflictError(
      `${[...uris].join(' and ')} was promoted to ${dependants.join(', ')}. Delete those first, or set \`force\` to delete it anyway.`,
    );
  }
}
