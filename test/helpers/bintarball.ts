import { ARCHIVE_NAME, CONTAINER_KEY, MODEL_KEY, makeModelArchive, type ModelArchive } from './fixtures.ts';
import type { S3Target } from './s3-target.ts';

/** A bucket holding the organised bintarball tree: a model archive and a container archive. */
export interface Bintarball {
  readonly bucket: string;
  readonly modelUri: string;
  readonly containerUri: string;
  readonly archive: ModelArchive;
}

export async function seedBintarball(target: S3Target, archive?: ModelArchive): Promise<Bintarball> {
  const bucket = await target.createBucket();
  const model = archive ?? (await makeModelArchive());
  await target.putObject(bucket, MODEL_KEY, model.bytes);
  await target.putObject(bucket, CONTAINER_KEY, Buffer.from('riva-speech container image layers'));
  return {
    bucket,
    modelUri: `s3://${bucket}/${MODEL_KEY}`,
    containerUri: `s3://${bucket}/${CONTAINER_KEY}`,
    archive: model,
  };
}

export const MODEL_NAME = 'parakeet-rnnt-en-us';
export const MODEL_VERSION = 'v2025.09';
export { ARCHIVE_NAME };

/** The inputs of a typical release workflow step for this bintarball. */
export function stagingInputs(
  target: Pick<S3Target, 'region'>,
  endpoint: string,
  tree: Bintarball,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    'model-s3-uri': tree.modelUri,
    bucket: tree.bucket,
    'model-name': MODEL_NAME,
    'model-version': MODEL_VERSION,
    environment: 'dev',
    'aws-region': target.region,
    's3-endpoint': endpoint,
    ...overrides,
  };
}

/**
 * The seed pipeline's variables for this bintarball, as a release script exports them before
 * running the command line (ENV names the environment to stage for).
 */
export function seedVariables(target: Pick<S3Target, 'accessKeyId' | 'secretAccessKey' | 'region' | 'endpoint'>, tree: Bintarball, environment = 'dev'): Record<string, string> {
  return {
    ...credentialsEnv(target),
    AWS_REGION: target.region,
    AWS_ENDPOINT_URL_S3: target.endpoint,
    RIVA_ASR_MODEL_S3_URI: tree.modelUri,
    RIVA_CONTAINER_S3_URI: tree.containerUri,
    NVIDIA_DRIVERS_S3_BUCKET: tree.bucket,
    RIVA_ASR_MODEL_NAME: MODEL_NAME,
    MODEL_VERSION,
    ENV: environment,
  };
}

/** Credentials for the action's process, as a workflow's `env:` would give them. */
export function credentialsEnv(target: Pick<S3Target, 'accessKeyId' | 'secretAccessKey'>): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: target.accessKeyId, AWS_SECRET_ACCESS_KEY: target.secretAccessKey };
}
