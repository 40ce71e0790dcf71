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
  awsRegion: { input: 'aws-region', env: ['AWS_REGION', 'AWS_DEFAULT_REGION'], flag: { aliases: ['region'] } },
  containerS3Uri: { input: 'container-s3-uri', env: ['RIVA_CONTAINER_S3_URI'] },
  s3Endpoint: { input: 's3-endpoint', env: ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'], flag: { aliases: ['endpoint-url'] } },
  timeout: { input: 'timeout', env: ['RIVA_STAGE_TIMEOUT'], flag: { value: 'SECONDS' } },
  expectedSha256: { input: 'expected-sha256', env: ['RIVA_ASR_MODEL_SHA256'] },
  languageCode: { input: 'language-code', env: ['RIVA_ASR_LANGUAGE_CODE'] },
  architecture: { input: 'architecture', env: ['RIVA_ASR_ARCHITECTURE'] },
  artifactId: { input: 'artifact-id', env: ['RIVA_ARTIFACT_ID'] },
  maxAttempts: { input: 'max-attempts', env: ['RIVA_STAGE_MAX_ATTEMPTS'] },
  stallTimeout: { input: 'stall-timeout', env: ['RIVA_STAGE_STALL_TIMEOUT'] },
  leaseTtl: { input: 'lease-ttl', env: ['RIVA_STAGE_LEASE_TTL'] },
  stateFile: { input: 'state-file', env: ['RIVA_STAGE_STATE_FILE'] },
  cache: { input: 'cache', env: ['RIVA_STAGE_CACHE'], flag: { switch: true } },
  cacheDir: { input: 'cache-dir', env: ['RIVA_STAGE_CACHE_DIR'] },
  maxInflatedBytes: { input: 'max-inflated-bytes', env: ['RIVA_STAGE_MAX_INFLATED_BYTES'], flag: { value: 'SIZE' } },
  deploymentJsonUri: { input: 'deployment-json-uri', env: ['RIVA_DEPLOYMENT_JSON_URI'] },
  deep: { input: 'deep', env: ['RIVA_VERIFY_DEEP'], flag: { switch: true } },
  fromEnvironment: { input: 'from-environment', env: ['RIVA_PROMOTE_FROM_ENV'], flag: { value: 'ENV' } },
  envFile: { input: 'env-file', env: [], flag: { value: 'PATH' } },
  dryRun: { input: 'dry-run', env: [], flag: { switch: true } },
  force: { input: 'force', env: [], flag: { switch: true } },
  httpProxy: { input: 'http-proxy', env: ['RIVA_STAGE_HTTP_PROXY'], flag: { value: 'URL' } },
  toBucket: { input: 'to-bucket', env: ['RIVA_PROMOTE_TO_BUCKET'], flag: { value: 'BUCKET' } },
  sse: { input: 'sse', env: ['RIVA_STAGE_SSE'], flag: { value: 'AES256|aws:kms' } },
  sseKmsKeyId: { input: 'sse-kms-key-id', env: ['RIVA_STAGE_SSE_KMS_KEY_ID'], flag: { value: 'KEY' } },
  sseBucketKey: { input: 'sse-bucket-key', env: ['RIVA_STAGE_SSE_BUCKET_KEY'], flag: { switch: true } },
  acl: { input: 'acl', env: ['RIVA_STAGE_ACL'], flag: { value: 'ACL' } },
  storageClass: { input: 'storage-class', env: ['RIVA_STAGE_STORAGE_CLASS'], flag: { value: 'CLASS' } },
  tags: { input: 'tags', env: ['RIVA_STAGE_TAGS'], flag: { value: 'K=V&...' } },
  checksumAlgorithm: { input: 'checksum-algorithm', env: ['RIVA_STAGE_CHECKSUM_ALGORITHM'], flag: { value: 'ALGORITHM' } },
  destination: { input: 'destination', env: ['RIVA_FETCH_DESTINATION'], flag: { name: 'to', aliases: ['destination'], value: 'DIR' } },
  deploymentJsonSha256: { input: 'deployment-json-sha256', env: ['RIVA_DEPLOYMENT_JSON_SHA256'], flag: { value: 'SHA256' } },
  extract: { input: 'extract', env: ['RIVA_FETCH_EXTRACT'], flag: { switch: true } },
} as const satisfies Record<string, InputDefinition>;

export interface InputDefinition {
  readonly input: string;
  readonly env: readonly string[];
  /** How the command line takes it: `--<input>=VALUE` unless this says otherwise. */
  readonly flag?: FlagDefinition;
}

/**
 * The command line derives a flag from every input (`--model-s3-uri=URI`); an entry says only
 * what differs from that default.
 */
export interface FlagDefinition {
  /** The flag's name where the command line has a shorter one than the input (`--to` for `destination`). */
  readonly name?: string;
  /** Other names for the same flag (`--region` for `--aws-region`, as `aws` users type it). */
  readonly aliases?: readonly string[];
  /** A switch: `--force` sets true and `--no-force` false, instead of `--force=true`. */
  readonly switch?: true;
  /** What `--help` shows for the value (default: the input name's last word, `--model-name=NAME`). */
  readonly value?: string;
}

export type InputKey = keyof typeof INPUTS;

/** The command-line flag that sets an input, without its dashes. */
export function flagName(key: InputKey): string {
  const definition: InputDefinition = INPUTS[key];
  return definition.flag?.name ?? definition.input;
}

/** How an error message names an input: `model-version` (MODEL_VERSION). */
export function describeInput(key: InputKey): string {
  const { input, env } = INPUTS[key];
  return env.length > 0 ? `\`${input}\` (${env.join(' or ')})` : `\`${input}\``;
}
