import type { Mode, StageConfig } from './config/config.ts';
import { ConfigurationError } from './errors.ts';
import type { S3Location } from './s3/uri.ts';

/** Where a mode writes: the one place that decides every key of a staging. */
export interface StagingLayout {
  readonly mode: Mode;
  /** The folder that holds this staging's metadata (and, in full mode, its files). */
  readonly prefix: S3Location;
  readonly metadata: S3Location;
  /** Written last: its presence means the staging is complete. */
  readonly marker: S3Location;
}

const BINTARBALL_MODELS_FOLDER = 'riva-models';

type LayoutConfig = Pick<StageConfig, 'mode' | 'model' | 'bucket' | 'environment' | 'modelName' | 'modelVersion'>;

export function stagingLayout(config: LayoutConfig): StagingLayout {
  const target = `${config.environment}/${config.modelName}/${config.modelVersion}/`;
  if (config.mode === 'bintarball-reference') {
    const prefix = `${bintarballRoot(config.model.key)}deployment-metadata/${target}`;
    return {
      mode: config.mode,
      prefix: { bucket: config.bucket, key: prefix },
      metadata: { bucket: config.bucket, key: `${prefix}deployment.json` },
      marker: { bucket: config.bucket, key: `${prefix}deployment_ready.txt` },
    };
  }
  return {
    mode: config.mode,
    prefix: { bucket: config.bucket, key: target },
    metadata: { bucket: config.bucket, key: `${target}artifact.json` },
    marker: { bucket: config.bucket, key: `${target}staging_complete.txt` },
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
