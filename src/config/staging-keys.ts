import { printable } from '../format.ts';
import {
  bintarballRootOrDefault,
  candidateLayouts,
  leaseRecord,
  modelFilesFolder,
  progressRecord,
  stagingLayout,
  type StagingLayout,
} from '../layout.ts';
import { formatS3Uri, keyProblem, type S3Location } from '../s3/uri.ts';
import type { RunConfig } from './config.ts';

/**
 * The keys a staging always writes (metadata, marker, lease, progress record; in full mode the
 * archive's copy, the checksums file and the `models/` folder) must fit S3's limit before any
 * request: a deep bintarball root or a long archive name can push them over 1024 bytes, and S3
 * would refuse them only part-way through a run. Each `.riva` file's own key is checked as its
 * entry is reached (`stagedModelFile`). Undefined when every key fits, or the operation writes none.
 */
export function stagingKeysProblem(config: RunConfig): string | undefined {
  const layouts = writtenLayouts(config);
  for (const location of layouts.flatMap(fixedKeys)) {
    const problem = keyProblem(location.key);
    if (problem !== undefined) {
      return (
        `The staging's key ${printable(formatS3Uri(location))} ${problem}. Shorten the folders or the archive name of ` +
        '`model-s3-uri` (RIVA_ASR_MODEL_S3_URI), or `environment`, `model-name` or `model-version`.'
      );
    }
  }
  return undefined;
}

/** Where the operation writes a staging: staging's own layout, or either layout promote may copy into. */
function writtenLayouts(config: RunConfig): StagingLayout[] {
  if (config.operation === 'stage') return [stagingLayout(config)];
  if (config.operation === 'promote') return candidateLayouts(config.bucket, config, bintarballRootOrDefault(config.bintarballKey));
  return [];
}

function fixedKeys(layout: StagingLayout): S3Location[] {
  const always = [layout.metadata, layout.marker, leaseRecord(layout), progressRecord(layout)];
  // The folder with one character after it: the shortest key a `.riva` file can have.
  if (layout.mode === 'full') return [...always, layout.sourceCopy, layout.checksums, { ...modelFilesFolder(layout), key: `${modelFilesFolder(layout).key}x` }];
  return always;
}
