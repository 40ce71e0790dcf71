import { describe, expect, it } from 'vitest';
import { resolveConfig, type ConfigSources } from '../../src/config/config.ts';
import { COMMAND_LINE_SPELLING } from '../../src/config/spelling.ts';
import { configError } from './config-fixtures.ts';

const NAMED = { bucket: 'deployments', modelName: 'parakeet-rnnt-en-us', modelVersion: 'v2025.09', environment: 'prod', awsRegion: 'us-east-1' };

const problem = (sources: Partial<ConfigSources>): string => configError({ inputs: {}, env: {}, envFile: {}, ...sources });

describe('fetch configuration', () => {
  it('finds the staging by name or by deployment-json-uri, with the destination from RIVA_FETCH_DESTINATION', () => {
    const byName = resolveConfig({ inputs: { mode: 'fetch', ...NAMED }, env: { RIVA_FETCH_DESTINATION: 'models' }, envFile: {} });
    const byUri = resolveConfig({
      inputs: { mode: 'fetch', awsRegion: 'us-east-1', deploymentJsonUri: 's3://deployments/prod/m/v/artifact.json', destination: '/srv/models', extract: 'true' },
      env: { RIVA_DEPLOYMENT_JSON_SHA256: 'A'.repeat(64) },
      envFile: {},
    });

    expect(byName).toMatchObject({ operation: 'fetch', destination: 'models', extract: false, expectedMetadataSha256: undefined, target: { environment: 'prod' } });
    expect(byUri).toMatchObject({ destination: '/srv/models', extract: true, expectedMetadataSha256: 'a'.repeat(64), target: { metadata: { bucket: 'deployments', key: 'prod/m/v/artifact.json' } } });
  });

  it('requires a destination, naming the input or the command-line flag and its variable', () => {
    expect(problem({ inputs: { mode: 'fetch', ...NAMED } })).toBe(
      '`destination` (RIVA_FETCH_DESTINATION) is required: set the `destination` input or RIVA_FETCH_DESTINATION.',
    );
    expect(problem({ inputs: { mode: 'fetch', ...NAMED }, spelling: COMMAND_LINE_SPELLING })).toBe(
      '`--to` (RIVA_FETCH_DESTINATION) is required: pass `--to` or set RIVA_FETCH_DESTINATION.',
    );
  });

  it('refuses a deployment-json-sha256 that is no SHA-256', () => {
    expect(problem({ inputs: { mode: 'fetch', ...NAMED, destination: 'd', deploymentJsonSha256: 'abc' } })).toBe(
      '`deployment-json-sha256` (RIVA_DEPLOYMENT_JSON_SHA256) must be 64 hexadecimal characters (a SHA-256); got "abc".',
    );
  });

  it('names --to as the flag of another mode on the command line', () => {
    expect(problem({ inputs: { ...NAMED, modelS3Uri: 's3://deployments/bintarball/riva-models/p/parakeet-rnnt-riva-1-1b-en-us-deployable_v8.1.tar.gz', destination: 'd' }, spelling: COMMAND_LINE_SPELLING })).toBe(
      '`--to` belongs to --fetch, not to mode bintarball-reference (the default): remove it, or add --fetch.',
    );
  });
});
