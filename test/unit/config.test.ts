import { describe, expect, it } from 'vitest';
import { mergeSources, resolveConfig, type ConfigSources } from '../../src/config/config.ts';
import { ConfigurationError } from '../../src/errors.ts';

const MODEL_URI = 's3://models/bintarball/riva-models/parakeet/parakeet-rnnt-riva-1-1b-en-us-deployable_v8.1.tar.gz';

const complete = {
  modelS3Uri: MODEL_URI,
  bucket: 'deployments',
  modelName: 'parakeet-rnnt-en-us',
  modelVersion: 'v2025.09',
  environment: 'prod',
  awsRegion: 'us-east-1',
};

const sources = (inputs: ConfigSources['inputs'], env: ConfigSources['env'] = {}, envFile: ConfigSources['envFile'] = {}) => ({
  inputs,
  env,
  envFile,
});

function configError(source: ConfigSources): string {
  try {
    resolveConfig(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigurationError');
}

describe('resolveConfig', () => {
  it('applies the defaults and infers language and architecture from the archive name', () => {
    const config = resolveConfig(sources(complete));
    expect(config).toMatchObject({
      mode: 'bintarball-reference',
      model: { bucket: 'models', key: 'bintarball/riva-models/parakeet/parakeet-rnnt-riva-1-1b-en-us-deployable_v8.1.tar.gz' },
      container: undefined,
      languageCode: 'en-US',
      architecture: 'rnnt',
      artifactId: 'parakeet-rnnt-en-us-v2025.09',
      connection: { maxAttempts: 5, timeoutSeconds: undefined },
      dryRun: false,
      force: false,
    });
  });

  it('prefers an input to the environment, and the environment to the .env file', () => {
    const merged = mergeSources(
      sources({ environment: 'prod' }, { ENV: 'staging', MODEL_VERSION: 'v2' }, { ENV: 'dev', MODEL_VERSION: 'v1', RIVA_ASR_MODEL_NAME: 'm' }),
    );
    expect(merged).toMatchObject({ environment: 'prod', modelVersion: 'v2', modelName: 'm' });
  });

  it('falls back from AWS_REGION to AWS_DEFAULT_REGION, in the environment before .env', () => {
    expect(mergeSources(sources({}, { AWS_DEFAULT_REGION: 'eu-west-1' }, { AWS_REGION: 'us-west-2' })).awsRegion).toBe('eu-west-1');
    expect(mergeSources(sources({}, { AWS_REGION: 'eu-west-2', AWS_DEFAULT_REGION: 'eu-west-1' })).awsRegion).toBe('eu-west-2');
  });

  it('treats empty and blank values as unset', () => {
    expect(mergeSources(sources({ environment: '  ' }, { ENV: '' }, { ENV: 'dev' })).environment).toBe('dev');
  });

  it('reads the seed pipeline variables', () => {
    const config = resolveConfig(
      sources({}, {
        RIVA_STAGE_MODE: 'reference-only',
        RIVA_ASR_MODEL_S3_URI: MODEL_URI,
        NVIDIA_DRIVERS_S3_BUCKET: 'deployments',
        RIVA_ASR_MODEL_NAME: 'parakeet-rnnt-en-us',
        MODEL_VERSION: 'v2025.09',
        ENV: 'staging',
        AWS_REGION: 'us-west-2',
        RIVA_CONTAINER_S3_URI: 's3://models/bintarball/riva-containers/riva-speech-2.15.0.tar.gz',
        AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000',
        RIVA_STAGE_TIMEOUT: '900',
        RIVA_ASR_MODEL_SHA256: 'A'.repeat(64),
      }),
    );
    expect(config).toMatchObject({
      mode: 'reference-only',
      environment: 'staging',
      connection: { region: 'us-west-2', endpoint: 'http://127.0.0.1:9000', timeoutSeconds: 900 },
      container: { bucket: 'models', key: 'bintarball/riva-containers/riva-speech-2.15.0.tar.gz' },
      expectedSha256: 'a'.repeat(64),
    });
  });

  it('names every missing required input and its variables', () => {
    const message = configError(sources({}));
    expect(message.split('\n')).toEqual([
      '`model-s3-uri` (RIVA_ASR_MODEL_S3_URI) is required: set the `model-s3-uri` input or RIVA_ASR_MODEL_S3_URI.',
      '`bucket` (NVIDIA_DRIVERS_S3_BUCKET) is required: set the `bucket` input or NVIDIA_DRIVERS_S3_BUCKET.',
      '`model-name` (RIVA_ASR_MODEL_NAME) is required: set the `model-name` input or RIVA_ASR_MODEL_NAME.',
      '`model-version` (MODEL_VERSION) is required: set the `model-version` input or MODEL_VERSION.',
      '`environment` (ENV) is required: set the `environment` input or ENV.',
      '`aws-region` (AWS_REGION or AWS_DEFAULT_REGION) is required: set the `aws-region` input or AWS_REGION or AWS_DEFAULT_REGION.',
    ]);
  });

  it.each([
    ['modelVersion', 'v1/../prod', '`model-version` (MODEL_VERSION)'],
    ['modelVersion', '..', '`model-version` (MODEL_VERSION)'],
    ['modelVersion', 'v1..2', '`model-version` (MODEL_VERSION)'],
    ['modelName', 'parakeet/rnnt', '`model-name` (RIVA_ASR_MODEL_NAME)'],
    ['environment', '-prod', '`environment` (ENV)'],
    ['environment', 'prod env', '`environment` (ENV)'],
    ['modelS3Uri', 'https://example.com/x.tar.gz', '`model-s3-uri` (RIVA_ASR_MODEL_S3_URI)'],
    ['modelS3Uri', 's3://bucket-only', '`model-s3-uri` (RIVA_ASR_MODEL_S3_URI)'],
    ['modelS3Uri', 's3://Bad_Bucket/key.tar.gz', '`model-s3-uri` (RIVA_ASR_MODEL_S3_URI)'],
    ['bucket', 'no', '`bucket` (NVIDIA_DRIVERS_S3_BUCKET)'],
    ['awsRegion', 'moon', '`aws-region` (AWS_REGION or AWS_DEFAULT_REGION)'],
    ['mode', 'copy-everything', '`mode` (RIVA_STAGE_MODE)'],
    ['timeout', 'ten', '`timeout` (RIVA_STAGE_TIMEOUT)'],
    ['timeout', '0', '`timeout` (RIVA_STAGE_TIMEOUT)'],
    ['expectedSha256', 'abc', '`expected-sha256` (RIVA_ASR_MODEL_SHA256)'],
    ['s3Endpoint', 'ftp://host', '`s3-endpoint` (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL)'],
    ['dryRun', 'yes', '`dry-run`'],
    ['maxAttempts', '50', '`max-attempts` (RIVA_STAGE_MAX_ATTEMPTS)'],
    ['maxInflatedBytes', 'lots', '`max-inflated-bytes` (RIVA_STAGE_MAX_INFLATED_BYTES)'],
    ['maxInflatedBytes', '8', '`max-inflated-bytes` (RIVA_STAGE_MAX_INFLATED_BYTES)'],
    ['maxInflatedBytes', '8 PB', '`max-inflated-bytes` (RIVA_STAGE_MAX_INFLATED_BYTES)'],
  ] as const)('rejects %s = %j, naming %s and the value', (key, value, named) => {
    const message = configError(sources({ ...complete, [key]: value }));
    expect(message).toContain(named);
    expect(message).toContain(`got "${value}"`);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('asks for language and architecture when the archive name does not tell them', () => {
    const message = configError(sources({ ...complete, modelS3Uri: 's3://models/riva-models/model.tar.gz' }));
    expect(message).toContain('`language-code` (RIVA_ASR_LANGUAGE_CODE) is required');
    expect(message).toContain('`architecture` (RIVA_ASR_ARCHITECTURE) is required');
    expect(resolveConfig(sources({ ...complete, modelS3Uri: 's3://models/riva-models/model.tar.gz', languageCode: 'de_de', architecture: 'ctc' })))
      .toMatchObject({ languageCode: 'de-DE', architecture: 'ctc' });
  });

  it('reads max-inflated-bytes in bytes or with a unit, and leaves the default to the archive size', () => {
    const limit = (value: string | undefined, env: Record<string, string> = {}) => {
      const config = resolveConfig(sources({ ...complete, mode: 'full', ...(value === undefined ? {} : { maxInflatedBytes: value }) }, env));
      return config.operation === 'stage' ? config.maxInflatedBytes : 'not a staging';
    };
    expect(limit(undefined)).toBeUndefined();
    expect(limit('1073741824')).toBe(1024 ** 3);
    expect(limit('8GiB')).toBe(8 * 1024 ** 3);
    expect(limit('2 TiB')).toBe(2 * 1024 ** 4);
    expect(limit('1.5gb')).toBe(1.5e9);
    expect(limit(undefined, { RIVA_STAGE_MAX_INFLATED_BYTES: '512MiB' })).toBe(512 * 1024 ** 2);
    expect(configError(sources({ ...complete, mode: 'full', maxInflatedBytes: '0.5MiB' }))).toBe(
      '`max-inflated-bytes` (RIVA_STAGE_MAX_INFLATED_BYTES) must be a number of bytes of at least 1 MiB, optionally with a unit: ' +
        'KiB, MiB, GiB, TiB (or KB, MB, GB, TB), such as 8GiB; got "0.5MiB".',
    );
    expect(configError(sources({ ...complete, mode: 'verify', maxInflatedBytes: '8GiB' }))).toContain(
      '`max-inflated-bytes` (RIVA_STAGE_MAX_INFLATED_BYTES) does not apply to mode verify',
    );
  });

  it('reads booleans the way the Actions toolkit does', () => {
    expect(resolveConfig(sources({ ...complete, dryRun: 'True', force: 'FALSE' }))).toMatchObject({ dryRun: true, force: false });
  });
});
