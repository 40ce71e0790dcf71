import type { Mode, StageConfig } from './config/config.ts';
import { ConfigurationError } from './errors.ts';
import { baseName, type S3Location } from './s3/uri.ts';

/** Where a mode writes: the one place that decides every key of a staging. */
export interface StagingLayout {
  readonly mode: Mode;
  /** The folder that holds this staging's metadata (and, in full mode, its files). */
  readonly prefix: S3Location;
  readonly metadata: S3Location;
  /** Written last: its presence means the staging is complete. */
  readonly marker: S3Location;
  /** Full mode: the archive's copy, `source/<archive name>`. */
  readonly sourceCopy: S3Location | undefined;
  /** Full mode: `checksums.sha256`. */
  readonly checksums: S3Location | undefined;
}

/** Full mode: where a `.riva` file of the archive is staged, and its path in the metadata. */
export function stagedModelFile(layout: StagingLayout, archivePath: string): { path: string; location: S3Location } {
  const path = `models/${archivePath}`;
  return { path, location: { bucket: layout.prefix.bucket, key: `${layout.prefix.key}${path}` } };
}

/** A key's path relative to the staging prefix, as `checksums.sha256` lists it. */
export function relativeToPrefix(layout: StagingLayout, location: S3Location): string {
  return location.key.slice(layout.prefix.key.length);
}

const BINTARBALL_MODELS_FOLDER = 'riva-models';

type LayoutConfig = Pick<StageConfig, 'mode' | 'model' | 'bucket' | 'environment' | 'modelName' | 'modelVersion'>;

export function stagingLayout(config: LayoutConfig): StagingLayout {
  const target = targetFolder(config);
  if (config.mode === 'bintarball-reference') {
    return bintarballLayout(config.bucket, `${bintarballRoot(config.model.key)}deployment-metadata/${target}`);
  }
  return stagingAreaLayout(config.mode, config.bucket, target, baseName(config.model.key));
}

/** Both places a staging of this model can be, bintarball layout first (for `verify`). */
export function candidateLayouts(
  bucket: string,
  target: { environment: string; modelName: string; modelVersion: string },
  root: string,
): StagingLayout[] {
  const folder = targetFolder(target);
  return [bintarballLayout(bucket, `${root}deployment-metadata/${folder}`), stagingAreaLayout('reference-only', bucket, folder, undefined)];
}

/** The layout a metadata document belongs to, from its URI (deployment.json or artifact.json). */
export function layoutOfMetadata(metadata: S3Location): StagingLayout | undefined {
  const name = baseName(metadata.key);
  const prefix = metadata.key.slice(0, metadata.key.length - name.length);
  if (name === 'deployment.json') return bintarballLayout(metadata.bucket, prefix);
  if (name === 'artifact.json') return stagingAreaLayout('reference-only', metadata.bucket, prefix, undefined);
  return undefined;
}

/** Full mode's layout for a staging area whose archive name is now known. */
export function withArchive(layout: StagingLayout, archiveName: string): StagingLayout {
  return stagingAreaLayout('full', layout.prefix.bucket, layout.prefix.key, archiveName);
}

function targetFolder(target: { environment: string; modelName: string; modelVersion: string }): string {
  return `${target.environment}/${target.modelName}/${target.modelVersion}/`;
}

function bintarballLayout(bucket: string, prefix: string): StagingLayout {
  return {
    mode: 'bintarball-reference',
    prefix: { bucket, key: prefix },
    metadata: { bucket, key: `${prefix}deployment.json` },
    marker: { bucket, key: `${prefix}deployment_ready.txt` },
    sourceCopy: undefined,
    checksums: undefined,
  };
}

function stagingAreaLayout(mode: Mode, bucket: string, prefix: string, archiveName: string | undefined): StagingLayout {
  const full = mode === 'full' && archiveName !== undefined;
  return {
    mode,
    prefix: { bucket, key: prefix },
    metadata: { bucket, key: `${prefix}artifact.json` },
    marker: { bucket, key: `${prefix}staging_complete.txt` },
    sourceCopy: full ? { bucket, key: `${prefix}source/${archiveName}` } : undefined,
    checksums: full ? { bucket, key: `${prefix}checksums.sha256` } : undefined,
  };
}

/**
 * The root of the bintarball tree: the part of the archive key before its `riva-models/`
 * folder (`bintarball/riva-models/parakeet/x.tar.gz` → `bintarball/`).
 */
export function bintarballRoot(archiveKey: string): string {
  const segments = archiveKey.split('/');
  const index = segments.lastIndexOf(BINTARBALL_MODELS_FOLDER, segments.length - 2);
  if (index < 0) {
    throw new ConfigurationError(
      `\`model-s3-uri\` (RIVA_ASR_MODEL_S3_URI): mode bintarball-reference needs the archive inside a ` +
        `"${BINTARBALL_MODELS_FOLDER}/" folder of the bintarball tree; got key "${archiveKey}". ` +
        'Move the archive there, or use mode reference-only.',
    );
  }
  return segments.slice(0, index).map((segment) => `${segment}/`).join('');
}
