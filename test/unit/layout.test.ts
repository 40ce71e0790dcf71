import { describe, expect, it } from 'vitest';
import { bintarballRoot, stagingLayout } from '../../src/layout.ts';
import { ConfigurationError } from '../../src/errors.ts';

const base = {
  bucket: 'deployments',
  environment: 'prod',
  modelName: 'parakeet-rnnt-en-us',
  modelVersion: 'v2025.09',
  model: { bucket: 'models', key: 'bintarball/riva-models/parakeet/x-en-us-rnnt.tar.gz' },
};

describe('stagingLayout', () => {
  it('puts bintarball-reference metadata under deployment-metadata beside the tree', () => {
    const layout = stagingLayout({ ...base, mode: 'bintarball-reference' });
    expect(layout).toEqual({
      mode: 'bintarball-reference',
      prefix: { bucket: 'deployments', key: 'bintarball/deployment-metadata/prod/parakeet-rnnt-en-us/v2025.09/' },
      metadata: { bucket: 'deployments', key: 'bintarball/deployment-metadata/prod/parakeet-rnnt-en-us/v2025.09/deployment.json' },
      marker: { bucket: 'deployments', key: 'bintarball/deployment-metadata/prod/parakeet-rnnt-en-us/v2025.09/deployment_ready.txt' },
    });
  });

  it('puts reference-only and full stagings under <env>/<model>/<version>/', () => {
    for (const mode of ['reference-only', 'full'] as const) {
      const layout = stagingLayout({ ...base, mode });
      expect(layout.prefix.key).toBe('prod/parakeet-rnnt-en-us/v2025.09/');
      expect(layout.metadata.key).toBe('prod/parakeet-rnnt-en-us/v2025.09/artifact.json');
      expect(layout.marker.key).toBe('prod/parakeet-rnnt-en-us/v2025.09/staging_complete.txt');
    }
  });
});

describe('bintarballRoot', () => {
  it('is the part of the key before riva-models/', () => {
    expect(bintarballRoot('bintarball/riva-models/parakeet/x.tar.gz')).toBe('bintarball/');
    expect(bintarballRoot('team/a/bintarball/riva-models/x.tar.gz')).toBe('team/a/bintarball/');
    expect(bintarballRoot('riva-models/x.tar.gz')).toBe('');
  });

  it('rejects an archive outside a riva-models/ folder, naming the input', () => {
    expect(() => bintarballRoot('models/x.tar.gz')).toThrow(ConfigurationError);
    expect(() => bintarballRoot('models/riva-models')).toThrow(/`model-s3-uri` \(RIVA_ASR_MODEL_S3_URI\).*reference-only/);
  });
});
