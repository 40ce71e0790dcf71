import { ConflictError } from '../../errors.ts';
import { sourceDifferences, sourceIdentity, type MarkerRecord } from '../../marker.ts';
import type { Metadata, StoredMetadataDocument } from '../../metadata.ts';
import type { PinnedObjectDifference } from './pin.ts';

/** A complete staging found at the target (its marker is ours), and what was found of it. */
export interface ExistingStaging {
  readonly marker: MarkerRecord;
  /** Its metadata document, when it is there, valid and the one the marker records. */
  readonly metadata: StoredMetadataDocument | undefined;
  /** Why the metadata cannot be trusted, when it cannot. */
  readonly metadataProblem: string | undefined;
  /** Pinned objects that are missing or changed. */
  readonly objectDifferences: readonly PinnedObjectDifference[];
}

/**
 * The already-staged decision. A complete staging is the one this run would make only when
 * mode and source match, its metadata is the document the marker records, `expected-sha256`
 * (when given) is the SHA-256 it records, and every object it pins is still there unchanged.
 * Anything else is refused, naming each difference: a staged version must not silently change
 * under the steps that trust it, nor be answered "already staged" when it is not. `force`
 * re-stages either way.
 */
export function completeStagingOfSameSource(
  existing: ExistingStaging | undefined,
  planned: Metadata,
  options: { readonly force: boolean; readonly expectedSha256: string | undefined },
): MarkerRecord | undefined {
  if (existing === undefined || options.force) return undefined;
  const sourceChanges = sourceDifferences(existing.marker, sourceIdentity(planned));
  if (sourceChanges.length > 0) {
    throw new ConflictError(
      `${planned.deployment.marker_uri} already marks a complete staging of a different source ` +
        `(${sourceChanges.join('; ')}). Stage it under a new \`model-version\` (MODEL_VERSION), or set \`force\` to replace it.`,
    );
  }
  const problems = stagingProblems(existing, options.expectedSha256);
  if (problems.length === 0) return existing.marker;
  throw new ConflictError(
    [
      `${planned.deployment.marker_uri} marks a complete staging of this source, but it is not what this run would stage:`,
      ...problems.map((problem) => `- ${problem}`),
      'Set `force` to re-stage it.',
    ].join('\n'),
  );
}

function stagingProblems(existing: ExistingStaging, expectedSha256: string | undefined): string[] {
  if (existing.metadata === undefined) return [`its metadata document ${existing.metadataProblem ?? 'cannot be read'}`];
  const recorded = existing.metadata.source.sha256;
  const hashProblem =
    expectedSha256 !== undefined && recorded !== null && recorded !== expectedSha256
      ? [`it records the archive's SHA-256 as ${recorded}, not the expected ${expectedSha256} (\`expected-sha256\` / RIVA_ASR_MODEL_SHA256)`]
      : [];
  return [...hashProblem, ...existing.objectDifferences.map((difference) => `${difference.uri} ${difference.problem}`)];
}
