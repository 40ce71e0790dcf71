import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildMetadata, githubRunFromEnv, metadataJsonSchema, MetadataSchema, parseMetadataDocument, pinnedObjects, serialiseMetadata } from '../../src/metadata.ts';
import { sampleConfig, sampleMetadataInput } from '../helpers/samples.ts';

describe('buildMetadata', () => {
  it('describes the model, source, containers, target and run in snake_case', () => {
    const metadata = buildMetadata(sampleMetadataInput());
    expect(metadata).toEqual({
      schema_version: 2,
      artifact_id: 'parakeet-rnnt-en-us-v2025.09',
      mode: 'bintarball-reference',
      model: { name: 'parakeet-rnnt-en-us', version: 'v2025.09', language_code: 'en-US', architecture: 'rnnt' },
      source: {
        uri: 's3://models/bintarball/riva-models/parakeet/parakeet-rnnt-riva-1-1b-en-us-deployable_v8.1.tar.gz',
        size_bytes: 3_980_563_622,
        etag: '9b2cf535f27731c974343645a3985328-475',
        last_modified: '2025-09-01T10:00:00.000Z',
        sha256: null,
      },
      containers: [{ uri: 's3://models/bintarball/riva-containers/riva-speech-2.15.0.tar.gz', size_bytes: 2_147_483_648, etag: 'abc123' }],
      source_copy: null,
      files: [],
      deployment: {
        environment: 'prod',
        s3_bucket: 'models',
        metadata_uri: 's3://models/bintarball/deployment-metadata/prod/parakeet-rnnt-en-us/v2025.09/deployment.json',
        marker_uri: 's3://models/bintarball/deployment-metadata/prod/parakeet-rnnt-en-us/v2025.09/deployment_ready.txt',
      },
      // No s3-endpoint in the sample: the SDK's default.
      checksum_algorithm: 'CRC32',
      run: {
        id: 'run-1',
        started_at: '2025-09-02T08:00:00.000Z',
        finished_at: '2025-09-02T08:00:01.250Z',
        tool_version: '0.1.0',
        github: { repository: 'org/release', sha: 'abc', run_id: '7', run_attempt: '2' },
      },
    });
  });

  it('refuses to build a document that breaks the schema', () => {
    const input = sampleMetadataInput();
    expect(() => buildMetadata({ ...input, sourceSha256: 'not-a-hash' })).toThrow();
  });

  it('round-trips through its serialised form', () => {
    const metadata = buildMetadata(sampleMetadataInput(sampleConfig({ mode: 'reference-only' })));
    const text = serialiseMetadata(metadata);
    expect(text.endsWith('}\n')).toBe(true);
    expect(MetadataSchema.parse(JSON.parse(text))).toEqual(metadata);
  });
});

describe('parseMetadataDocument', () => {
  const current = buildMetadata(sampleMetadataInput(sampleConfig({ mode: 'full' })));
  /** The same staging as schema version 1 wrote it: files without ETags, no archive copy listed. */
  const legacy = (() => {
    const rest: Record<string, unknown> = { ...current };
    delete rest.source_copy;
    return { ...rest, schema_version: 1, files: [{ path: 'models/a.riva', uri: 's3://models/x/models/a.riva', size_bytes: 4, sha256: 'a'.repeat(64) }] };
  })();

  it('reads the current schema', () => {
    expect(parseMetadataDocument(serialiseMetadata(current))).toEqual({ metadata: current });
  });

  it('reads a schema version 1 document, whose objects pin nothing', () => {
    const parsed = parseMetadataDocument(JSON.stringify(legacy));
    if (!('metadata' in parsed)) expect.fail(parsed.problem);
    expect(parsed.metadata.schema_version).toBe(1);
    expect(pinnedObjects(parsed.metadata)).toEqual([]);
  });

  it('refuses unknown fields and a version 2 document without ETags', () => {
    expect(parseMetadataDocument(JSON.stringify({ ...current, extra: 1 }))).toMatchObject({ problem: expect.stringMatching(/extra/) });
    const unpinned = { ...legacy, schema_version: 2, source_copy: null };
    expect(parseMetadataDocument(JSON.stringify(unpinned))).toMatchObject({ problem: expect.stringMatching(/files\.0\.etag/) });
  });

  it('lists the archive copy and every file as pinned objects', () => {
    const file = { path: 'models/a.riva', uri: 's3://models/x/models/a.riva', size_bytes: 4, etag: 'e1', sha256: 'a'.repeat(64) };
    const copy = { ...file, path: 'source/a.tar.gz', uri: 's3://models/x/source/a.tar.gz', etag: 'e0' };
    expect(pinnedObjects({ ...current, source_copy: copy, files: [file] })).toEqual([copy, file]);
  });
});

describe('githubRunFromEnv', () => {
  it('records the workflow run inside Actions and nothing outside', () => {
    expect(githubRunFromEnv({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'o/r', GITHUB_SHA: 's', GITHUB_RUN_ID: '1', GITHUB_RUN_ATTEMPT: '3' }))
      .toEqual({ repository: 'o/r', sha: 's', run_id: '1', run_attempt: '3' });
    expect(githubRunFromEnv({})).toBeNull();
  });
});

describe('published JSON Schema', () => {
  it('is the one generated from the zod schema (run `npm run schema` after changing it)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../schema/deployment-metadata.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(committed).toEqual(metadataJsonSchema());
  });
});
