import { ConflictError } from '../../errors.ts';
import { sourceDifferences, sourceIdentity, type MarkerRecord } from '../../marker.ts';
import type { Metadata } from '../../metadata.ts';

/**
 * The already-staged decision: the marker of a complete staging of the same source, which needs
 * nothing written; one of a different source is a conflict: a staged version must not silently
 * change under the steps that trust it. `force` re-stages either way.
 */
export function completeStagingOfSameSource(
  marker: MarkerRecord | undefined,
  planned: Metadata,
  force: boolean,
): MarkerRecord | undefined {
  if (marker === undefined || force) return undefined;
  const differences = sourceDifferences(marker, sourceIdentity(planned));
  if (differences.length === 0) return marker;
  throw new ConflictError(
    `${planned.deployment.marker_uri} already marks a complete staging of a different source ` +
      `(${differences.join('; ')}). Stage it under a new \`model-version\` (MODEL_VERSION), or set \`force\` to replace it.`,
  );
}
