import { describe, expect, it } from 'vitest';
import { mergeSources, resolveConfig, withoutUserinfo, type ConfigSources } from '../../src/config/config.ts';
import { describeInput, type InputKey } from '../../src/config/inputs.ts';
import { COMMAND_LINE_SPELLING } from '../../src/config/spelling.ts';
import { complete, configError, MODEL_URI, sources } from './config-fixtures.ts';

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
      '`max-inflated-bytes` belongs to mode bintarball-reference, mode reference-only or mode full, not to mode verify',
    );
  });

  it('reads booleans the way the Actions toolkit does', () => {
    expect(resolveConfig(sources({ ...complete, dryRun: 'True', force: 'FALSE' }))).toMatchObject({ dryRun: true, force: false });
  });
});

describe('control characters', () => {
  const CONTROLS = [
    ['newline', '\n', '\\n'],
    ['carriage return', '\r', '\\r'],
    ['tab', '\t', '\\t'],
    ['NUL', '\u0000', '\\u0000'],
    ['DEL', '\u007f', '\\u007f'],
    ['C1 NEL', '\u0085', '\\u0085'],
    ['line separator', '\u2028', '\\u2028'],
  ] as const;
  const VALUES: ReadonlyArray<[InputKey, string]> = [
    ['modelS3Uri', MODEL_URI],
    ['containerS3Uri', 's3://models/bintarball/riva-containers/riva-speech-2.15.0.tar.gz'],
    ['deploymentJsonUri', 's3://deployments/prod/m/v1/artifact.json'],
    ['bucket', 'deployments'],
    ['modelName', 'parakeet-rnnt-en-us'],
    ['modelVersion', 'v2025.09'],
    ['environment', 'prod'],
    ['artifactId', 'parakeet-v1'],
    ['fromEnvironment', 'dev'],
    ['languageCode', 'en-US'],
    ['architecture', 'rnnt'],
    ['s3Endpoint', 'http://127.0.0.1:9000'],
    ['awsRegion', 'us-east-1'],
    ['stateFile', '/tmp/state.json'],
  ];

  it.each(VALUES.flatMap(([key, value]) => CONTROLS.map(([name, character, escaped]) => [key, name, value, character, escaped] as const)))(
    '%s with a %s inside is refused, naming the input, its variable and the character',
    (key, _name, value, character, escaped) => {
      const middle = Math.floor(value.length / 2);
      const bad = `${value.slice(0, middle)}${character}${value.slice(middle)}`;
      const message = configError(sources({ ...complete, [key]: bad }));
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toContain(`${describeInput(key)} must not contain a control character`);
      expect(message).toContain(`U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at character ${middle + 1}`);
      expect(message).toContain(`got "${value.slice(0, middle)}${escaped}${value.slice(middle)}"`);
      expect(message).not.toContain(character);
    },
  );

  it('is refused from the environment and .env too, naming the variable', () => {
    const message = configError(sources({ ...complete, modelName: undefined }, { RIVA_ASR_MODEL_NAME: 'a\u0085b' }));
    expect(message).toContain('`model-name` (RIVA_ASR_MODEL_NAME) must not contain a control character');
    expect(configError(sources({ ...complete, environment: undefined }, {}, { ENV: 'pr\nod' }))).toContain('`environment` (ENV)');
  });

  it('leaves leading and trailing whitespace to trimming (a .env file with CRLF line ends)', () => {
    expect(resolveConfig(sources({ ...complete, environment: 'prod\r\n', modelS3Uri: `\t${MODEL_URI}\n` }))).toMatchObject({ environment: 'prod' });
  });

  it('reports every other problem with it, one line each', () => {
    const message = configError(sources({ ...complete, bucket: 'de\nployments', modelVersion: 'v/1', timeout: 'soon' }));
    expect(message.split('\n')).toHaveLength(3);
  });
});

describe('credentials in s3-endpoint', () => {
  const SECRET = 's3cr3tPassw0rd';

  it.each([
    `http://AKIAEXAMPLE:${SECRET}@127.0.0.1:9000`,
    `https://${SECRET}@s3.example.com`,
    `https://user:${SECRET}@s3.example.com/path`,
    `ftp://user:${SECRET}@s3.example.com`,
    `https://user:${SECRET.slice(0, 4)}/${SECRET.slice(4)}@s3.example.com`,
    `http://user:${SECRET}@host\nX-Injected: 1`,
  ])('%j is refused without the secret in the message', (endpoint) => {
    const message = configError(sources({ ...complete, s3Endpoint: endpoint }));
    expect(message).toContain('`s3-endpoint` (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL)');
    expect(message).toContain('***@');
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain(SECRET.slice(4));
    expect(message.split('\n')).toHaveLength(1);
  });

  it('says why: S3 signs with the AWS credentials, never a password in the URL', () => {
    const message = configError(sources({ ...complete }, { AWS_ENDPOINT_URL_S3: `http://user:${SECRET}@127.0.0.1:9000` }));
    expect(message).toBe(
      '`s3-endpoint` (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL) must not carry credentials (user:password@): S3 requests are signed with ' +
        'the AWS credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE or a role), never with a password in the URL; ' +
        'remove them from the URL; got "http://***@127.0.0.1:9000".',
    );
  });

  it('masks userinfo by the last @, whatever follows', () => {
    expect(withoutUserinfo('https://a:b@c@host:1/x')).toBe('https://***@host:1/x');
    expect(withoutUserinfo('user:pass@host')).toBe('***@host');
    expect(withoutUserinfo('http://127.0.0.1:9000')).toBe('http://127.0.0.1:9000');
  });
});

describe('key lengths', () => {
  it('refuses a model-s3-uri whose key is longer than S3 allows, counting UTF-8 bytes', () => {
    // 513 two-byte characters: 1026 bytes in 513 characters, 1056 bytes with the rest of the key.
    const message = configError(sources({ ...complete, modelS3Uri: `s3://models/riva-models/${'é'.repeat(513)}-en-us-rnnt.tar.gz` }));
    expect(message).toMatch(/^`model-s3-uri` \(RIVA_ASR_MODEL_S3_URI\) has a key that is 1056 bytes long \(UTF-8\); S3 allows at most 1024/);
  });

  it('refuses a staging whose fixed keys would be longer than S3 allows, before any request', () => {
    // A deep bintarball root: the archive's own key fits, the metadata's beside the tree does not.
    const deepRoot = `${'folder/'.repeat(140)}riva-models/x-en-us-rnnt.tar.gz`;
    expect(deepRoot.length).toBeLessThanOrEqual(1024);
    const deep = configError(sources({ ...complete, modelS3Uri: `s3://models/${deepRoot}` }));
    expect(deep).toMatch(/^The staging's key s3:\/\/deployments\/folder\/folder\/.*… is \d+ bytes long \(UTF-8\); S3 allows at most 1024\. Shorten/);
    expect(resolveConfig(sources({ ...complete, mode: 'reference-only', modelS3Uri: `s3://models/${deepRoot}` }))).toMatchObject({ mode: 'reference-only' });

    // A long archive name: fine to reference, too long to copy under source/.
    const longName = `riva-models/${'n'.repeat(990)}-en-us-rnnt.tar.gz`;
    expect(resolveConfig(sources({ ...complete, mode: 'reference-only', modelS3Uri: `s3://models/${longName}` }))).toMatchObject({ mode: 'reference-only' });
    expect(configError(sources({ ...complete, mode: 'full', modelS3Uri: `s3://models/${longName}` }))).toContain('/source/nnnn');
  });
});

describe('inputs of another mode', () => {
  it.each([
    ['fromEnvironment', 'full', '`from-environment` belongs to mode promote, not to mode full: remove it, or set `mode` to promote.'],
    ['deep', 'list', '`deep` belongs to mode verify or mode promote, not to mode list: remove it, or set `mode` to one of those.'],
    ['deploymentJsonUri', 'promote', '`deployment-json-uri` belongs to mode verify or mode fetch, not to mode promote: remove it, or set `mode` to one of those.'],
    [
      'dryRun',
      'verify',
      '`dry-run` belongs to mode bintarball-reference, mode reference-only, mode full, mode promote or mode delete, not to mode verify: remove it, or set `mode` to one of those.',
    ],
    ['containerS3Uri', 'delete', '`container-s3-uri` belongs to mode bintarball-reference, mode reference-only or mode full, not to mode delete: remove it, or set `mode` to one of those.'],
  ] as const)('the action names input %s given to mode %s by its input name, and the modes it belongs to', (key, mode, expected) => {
    const value = key === 'deploymentJsonUri' ? 's3://deployments/prod/m/v1/artifact.json' : key === 'containerS3Uri' ? MODEL_URI : key === 'fromEnvironment' ? 'dev' : 'true';
    const promote = mode === 'promote' ? { fromEnvironment: 'dev' } : {};
    expect(configError(sources({ ...complete, ...promote, mode, [key]: value }))).toBe(expected);
  });

  it('the command line names flags, judged on the mode the run resolved to', () => {
    const cli = (inputs: ConfigSources['inputs'], env: ConfigSources['env'] = {}) =>
      configError({ ...sources({ ...complete, ...inputs }, env), spelling: COMMAND_LINE_SPELLING });
    expect(cli({ fromEnvironment: 'dev' })).toBe(
      '`--from-environment` belongs to --promote, not to mode bintarball-reference (the default): remove it, or add --promote.',
    );
    expect(cli({ deep: 'true', mode: 'full' })).toBe('`--deep` belongs to --verify or --promote, not to --full: remove it, or use one of those.');
    expect(cli({ force: 'true' }, { RIVA_STAGE_MODE: 'verify' })).toBe(
      '`--force` belongs to --bintarball-reference, --reference-only, --full, --promote or --delete, not to mode verify (from RIVA_STAGE_MODE): remove it, or use one of those.',
    );
    // The same flags with the mode they belong to are fine.
    expect(resolveConfig({ ...sources({ ...complete, mode: 'promote', fromEnvironment: 'dev', deep: 'true' }), spelling: COMMAND_LINE_SPELLING })).toMatchObject({
      operation: 'promote',
      deep: true,
    });
  });

  it('ignores variables of other modes: pipelines export every variable for every step', () => {
    expect(resolveConfig(sources(complete, { RIVA_PROMOTE_FROM_ENV: 'dev', RIVA_VERIFY_DEEP: 'true' }))).toMatchObject({ operation: 'stage' });
  });
});
