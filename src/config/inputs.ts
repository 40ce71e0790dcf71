/**
 * Every input the action reads, with the environment variables it falls back to, in order.
 * Declared once so that no code can read an input `action.yml` does not declare (a test checks
 * the two agree).
 */
export const INPUTS = {
  mode: { input: 'mode', env: ['RIVA_STAGE_MODE'] },
  modelS3Uri: { input: 'model-s3-uri', env: ['RIVA_ASR_MODEL_S3_URI'] },
  bucket: { input: 'bucket', env: ['NVIDIA_DRIVERS_S3_BUCKET'] },
  modelName: { input: 'model-name', env: ['RIVA_ASR_MODEL_NAME'] },
  modelVersion: { input: 'model-version', env: ['MODEL_VERSION'] },
  environment: { input: 'environment', env: ['ENV'] },
  awsRegion: { input: 'aws-region', env: ['AWS_REGION', 'AWS_DEFAULT_REGION'] },
  containerS3Uri: { input: 'container-s3-uri', env: ['RIVA_CONTAINER_S3_URI'] },
  s3Endpoint: { input: 's3-endpoint', env: ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'] },
  timeout: { input: 'timeout', env: ['RIVA_STAGE_TIMEOUT'] },
  expectedSha256: { input: 'expected-sha256', env: ['RIVA_ASR_MODEL_SHA256'] },
  languageCode: { input: 'language-code', env: ['RIVA_ASR_LANGUAGE_CODE'] },
  architecture: { input: 'architecture', env: ['RIVA_ASR_ARCHITECTURE'] },
  artifactId: { input: 'artifact-id', env: ['RIVA_ARTIFACT_ID'] },
  maxAttempts: { input: 'max-attempts', env: ['RIVA_STAGE_MAX_ATTEMPTS'] },
  stallTimeout: { input: 'stall-timeout', env: ['RIVA_STAGE_STALL_TIMEOUT'] },
  leaseTtl: { input: 'lease-ttl', env: ['RIVA_STAGE_LEASE_TTL'] },
  stateFile: { input: 'state-file', env: ['RIVA_STAGE_STATE_FILE'] },
  cache: { input: 'cache', env: ['RIVA_STAGE_CACHE'] },
  cacheDir: { input: 'cache-dir', env: ['RIVA_STAGE_CACHE_DIR'] },
  maxInflatedBytes: { input: 'max-inflated-bytes', env: ['RIVA_STAGE_MAX_INFLATED_BYTES'] },
  deploymentJsonUri: { input: 'deployment-json-uri', env: ['RIVA_DEPLOYMENT_JSON_URI'] },
  deep: { input: 'deep', env: ['RIVA_VERIFY_DEEP'] },
  fromEnvironment: { input: 'from-environment', env: ['RIVA_PROMOTE_FROM_ENV'] },
  envFile: { input: 'env-file', env: [] },
  destination: { input: 'destination', env: ['RIVA_FETCH_DESTINATION'], flag: 'to' },
  deploymentJsonSha256: { input: 'deployment-json-sha256', env: ['RIVA_DEPLOYMENT_JSON_SHA256'] },
  extract: { input: 'extract', env: ['RIVA_FETCH_EXTRACT'] },
  dryRun: { input: 'dry-run', env: [] },
  force: { input: 'force', env: [] },
} as const satisfies Record<string, InputDefinition>;

export interface InputDefinition {
  readonly input: string;
  readonly env: readonly string[];
  /** The command line's flag, where it is not named as the input (`--to` for `destination`). */
  readonly flag?: string;
}

/** The command-line flag that sets an input, without its dashes. */
export function flagOf(key: InputKey): string {
  const definition: InputDefinition = INPUTS[key];
  return definition.flag ?? definition.input;
}

export type InputKey = keyof typeof INPUTS;

/** How an error message names an input: `model-version` (MODEL_VERSION). */
export function describeInput(key: InputKey): string {
  const { input, env } = INPUTS[key];
  return env.length > 0 ? `\`${input}\` (${env.join(' or ')})` : `\`${input}\``;
}
