import { resolveConfig, type StageConfig } from '../../src/config/config.ts';
import { stagingLayout } from '../../src/layout.ts';
import { buildMetadata, type Metadata, type MetadataInput } from '../../src/metadata.ts';
import type { StageResult } from '../../src/operations/stage/stage.ts';

/** A typical production staging's configuration, as values a unit test can change. */
export function sampleConfig(inputs: Partial<Record<string, string>> = {}): StageConfig {
  const config = resolveConfig({
    inputs: {
      modelS3Uri: 's3://models/bintarball/riva-models/parakeet/parakeet-rnnt-riva-1-1b-en-us-deployable_v8.1.tar.gz',
      bucket: 'models',
      modelName: 'parakeet-rnnt-en-us',
      modelVersion: 'v2025.09',
      environment: 'prod',
      awsRegion: 'us-east-1',
      containerS3Uri: 's3://models/bintarball/riva-containers/riva-speech-2.15.0.tar.gz',
      ...inputs,
    },
    env: {},
    envFile: {},
  });
  if (config.operation !== 'stage') throw new Error('sampleConfig makes staging configurations');
  return config;
}

export function sampleMetadataInput(config: StageConfig = sampleConfig()): MetadataInput {
  return {
    config,
    layout: stagingLayout(config),
    source: {
      location: config.model,
      info: { size: 3_980_563_622, etag: '9b2cf535f27731c974343645a3985328-475', lastModified: '2025-09-01T10:00:00.000Z', sha256: null },
    },
    sourceSha256: null,
    containers: config.container
      ? [{ location: config.container, info: { size: 2_147_483_648, etag: 'abc123', lastModified: null, sha256: null } }]
      : [],
    sourceCopy: undefined,
    files: [],
    run: {
      id: 'run-1',
      startedAt: new Date('2025-09-02T08:00:00.000Z'),
      finishedAt: new Date('2025-09-02T08:00:01.250Z'),
      toolVersion: '0.1.0',
      github: { repository: 'org/release', sha: 'abc', run_id: '7', run_attempt: '2' },
    },
  };
}

export function sampleMetadata(config?: StageConfig): Metadata {
  return buildMetadata(sampleMetadataInput(config));
}

export function sampleStageResult(overrides: Partial<StageResult> = {}): StageResult {
  const config = sampleConfig();
  const metadata = sampleMetadata(config);
  const layout = stagingLayout(config);
  return {
    operation: 'stage',
    status: 'staged',
    layout,
    metadata,
    writes: [
      { location: layout.metadata, body: '{"x":1}\n', contentType: 'application/json', what: 'the metadata document' },
      { location: layout.marker, body: 'done\n', contentType: 'text/plain', what: 'the completion marker' },
    ],
    verified: [
      { what: 'the metadata document', uri: metadata.deployment.metadata_uri, found: '8 bytes, ETag e1' },
      { what: 'the completion marker', uri: metadata.deployment.marker_uri, found: '5 bytes, ETag e2' },
    ],
    content: undefined,
    bytesDuplicationAvoided: 3_980_563_622 + 2_147_483_648,
    warnings: [],
    durations: { discover: 120, plan: 2, write: 340, verify: 1500 },
    timeline: [],
    retries: 0,
    document: { sha256: 'c'.repeat(64), versionId: undefined },
    ...overrides,
  };
}
