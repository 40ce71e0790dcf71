import { describe, expect, it } from 'vitest';
import { bintarballRoot, stagedModelFile, stagingLayout, type FullLayout } from '../../src/layout.ts';
import { ConfigurationError, ValidationError } from '../../src/errors.ts';

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

describe('stagedModelFile', () => {
  const layout = stagingLayout({ ...base, mode: 'full' }) as FullLayout;
  const prefixBytes = 'prod/parakeet-rnnt-en-us/v2025.09/models/'.length;

  it('stages an entry under models/, keeping its path', () => {
    expect(stagedModelFile(layout, 'm/a.riva')).toEqual({
      path: 'models/m/a.riva',
      location: { bucket: 'deployments', key: 'prod/parakeet-rnnt-en-us/v2025.09/models/m/a.riva' },
    });
  });

  it('refuses an entry whose key would be longer than S3 allows (1024 bytes of UTF-8), before its upload', () => {
    const fits = `m/${'a'.repeat(1024 - prefixBytes - '.riva'.length - 2)}.riva`;
    expect(stagedModelFile(layout, fits).location.key).toHaveLength(1024);
    const over = `m/${'ü'.repeat(500)}.riva`;
    expect(() => stagedModelFile(layout, `${fits.slice(0, -5)}a.riva`)).toThrow(ValidationError);
    expect(() => stagedModelFile(layout, over)).toThrow(
      `The archive entry m/${'ü'.repeat(198)}… cannot be staged: its key is ${prefixBytes + 2 + 1000 + 5} bytes long (UTF-8); S3 allows at most 1024.`,
    );
  });

  it('refuses an entry with a control character in its path, shown escaped', () => {
    expect(() => stagedModelFile(layout, 'm/a\u0085b.riva')).toThrow('The archive entry m/a\\u0085b.riva cannot be staged: its key contains a control character (U+0085)');
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
