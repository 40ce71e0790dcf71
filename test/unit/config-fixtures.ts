import { expect } from 'vitest';
import { resolveConfig, type ConfigSources } from '../../src/config/config.ts';
import { ConfigurationError } from '../../src/errors.ts';

// What the configuration tests share: one valid set of inputs to vary, and one way to read the
// ConfigurationError a bad variation must throw.

export const MODEL_URI = 's3://models/bintarball/riva-models/parakeet/parakeet-rnnt-riva-1-1b-en-us-deployable_v8.1.tar.gz';

/** The inputs every staging needs, valid together: a test changes one and sees what breaks. */
export const complete = {
  modelS3Uri: MODEL_URI,
  bucket: 'deployments',
  modelName: 'parakeet-rnnt-en-us',
  modelVersion: 'v2025.09',
  environment: 'prod',
  awsRegion: 'us-east-1',
};

export const sources = (
  inputs: ConfigSources['inputs'],
  env: ConfigSources['env'] = {},
  envFile: ConfigSources['envFile'] = {},
): ConfigSources => ({ inputs, env, envFile });

/** The message of the ConfigurationError `fails` throws; any other outcome fails the test. */
export function configurationErrorOf(fails: () => unknown): string {
  try {
    fails();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  return expect.fail('expected a ConfigurationError');
}

/** The message of the ConfigurationError resolving `source` throws. */
export const configError = (source: ConfigSources): string => configurationErrorOf(() => resolveConfig(source));
