import { describe, expect, it } from 'vitest';
import { resolveConfig, type PromoteConfig } from '../../src/config/config.ts';
import { ConflictError } from '../../src/errors.ts';
import {
  candidateLayouts, layoutOfMetadata, layoutOfStaging, progressRecord, sameLayoutAt, stagedModelFile, stagedObjects, stagingLayout,
  type FullLayout, type StagingLayout,
} from '../../src/layout.ts';
import { markerRecord, type MarkerRecord } from '../../src/marker.ts';
import { serialiseMetadata, type Metadata } from '../../src/metadata.ts';
import { copyPlan, targetLayout, targetMetadata } from '../../src/operations/promote.ts';
import { completeStagingOfSameSource, type ExistingStaging } from '../../src/operations/stage/plan.ts';
import { sampleConfig, sampleMetadata } from '../helpers/samples.ts';

const ARCHIVE = 'parakeet-rnnt-riva-1-1b-en-us-deployable_v8.1.tar.gz';
const MODEL_URI = `s3://models/bintarball/riva-models/parakeet/${ARCHIVE}`;
const FOLDER = 'parakeet-rnnt-en-us/v2025.09/';
const at = (key: string, bucket = 'models') => ({ bucket, key });

function markerOf(metadata: Metadata): MarkerRecord {
  return markerRecord(metadata, serialiseMetadata(metadata), new Date('2025-09-02T08:00:02.000Z'));
}

/** A full-mode staging's metadata in `environment`, with two staged files. */
function fullMetadata(environment = 'dev'): Metadata {
  const config = sampleConfig({ mode: 'full', environment });
  const metadata = sampleMetadata(config);
  const prefix = `s3://models/${environment}/${FOLDER}`;
  return {
    ...metadata,
    source: { ...metadata.source, sha256: 'a'.repeat(64) },
    source_copy: { path: `source/${ARCHIVE}`, uri: `${prefix}source/${ARCHIVE}`, size_bytes: metadata.source.size_bytes, etag: 'e0', sha256: 'a'.repeat(64) },
    files: [
      { path: 'models/m/acoustic.riva', uri: `${prefix}models/m/acoustic.riva`, size_bytes: 200, etag: 'e1', sha256: 'b'.repeat(64) },
      { path: 'models/m/lexicon.riva', uri: `${prefix}models/m/lexicon.riva`, size_bytes: 40, etag: 'e2', sha256: 'c'.repeat(64) },
    ],
  };
}

function promoteConfig(inputs: Record<string, string> = {}): PromoteConfig {
  const config = resolveConfig({
    inputs: {
      mode: 'promote',
      modelS3Uri: MODEL_URI,
      bucket: 'models',
      modelName: 'parakeet-rnnt-en-us',
      modelVersion: 'v2025.09',
      environment: 'prod',
      fromEnvironment: 'dev',
      awsRegion: 'us-east-1',
      ...inputs,
    },
    env: {},
    envFile: {},
  });
  if (config.operation !== 'promote') throw new Error('expected a promote configuration');
  return config;
}

const fullLayoutIn = (environment: string): FullLayout => {
  const layout = stagingLayout({ ...sampleConfig({ mode: 'full', environment }) });
  if (layout.mode !== 'full') throw new Error('expected a full layout');
  return layout;
};

describe('completeStagingOfSameSource (the already-staged decision)', () => {
  const asIs = { force: false, expectedSha256: undefined };
  const existingOf = (metadata: Metadata, found: Partial<ExistingStaging> = {}): ExistingStaging => ({
    marker: markerOf(metadata),
    metadata,
    metadataProblem: undefined,
    objectDifferences: [],
    ...found,
  });

  it('is undefined when there is no complete staging', () => {
    expect(completeStagingOfSameSource(undefined, sampleMetadata(), asIs)).toBeUndefined();
  });

  it('returns the marker of a complete staging of the same source', () => {
    const metadata = sampleMetadata();
    const existing = existingOf(metadata);
    expect(completeStagingOfSameSource(existing, metadata, asIs)).toBe(existing.marker);
  });

  it('ignores run details that do not change what would be staged', () => {
    const metadata = sampleMetadata();
    const later = { ...metadata, run: { ...metadata.run, id: 'run-2', finished_at: '2025-10-01T00:00:00.000Z' } };
    expect(completeStagingOfSameSource(existingOf(metadata), later, asIs)).toBeDefined();
  });

  it('is a ConflictError naming each difference when the source changed', () => {
    const metadata = sampleMetadata();
    const existing = existingOf(metadata);
    const changed = { ...metadata, source: { ...metadata.source, etag: 'new-etag', size_bytes: 12 } };
    expect(() => completeStagingOfSameSource(existing, changed, asIs)).toThrow(ConflictError);
    expect(() => completeStagingOfSameSource(existing, changed, asIs)).toThrow(
      `archive ETag ${metadata.source.etag} → new-etag; archive size ${metadata.source.size_bytes} → 12 bytes`,
    );
    expect(() => completeStagingOfSameSource(existing, changed, asIs)).toThrow(metadata.deployment.marker_uri);
  });

  it('is a ConflictError when another archive URI or other containers are planned', () => {
    const metadata = sampleMetadata();
    const existing = existingOf(metadata);
    const otherUri = { ...metadata, source: { ...metadata.source, uri: 's3://models/other.tar.gz' } };
    expect(() => completeStagingOfSameSource(existing, otherUri, asIs)).toThrow(`archive ${metadata.source.uri} → s3://models/other.tar.gz`);
    const noContainers = { ...metadata, containers: [] };
    expect(() => completeStagingOfSameSource(existing, noContainers, asIs)).toThrow(/containers ".+@abc123" → ""/);
  });

  it('is a ConflictError when the mode differs: a staging by reference holds no model files', () => {
    const byReference = sampleMetadata(sampleConfig({ mode: 'reference-only' }));
    const full = { ...byReference, mode: 'full' as const };
    expect(() => completeStagingOfSameSource(existingOf(byReference), full, asIs)).toThrow('mode reference-only → full');
  });

  it('is a ConflictError when the staging records another SHA-256 than expected-sha256', () => {
    const metadata = { ...sampleMetadata(), source: { ...sampleMetadata().source, sha256: 'a'.repeat(64) } };
    const expectedSha256 = 'b'.repeat(64);
    expect(() => completeStagingOfSameSource(existingOf(metadata), metadata, { force: false, expectedSha256 })).toThrow(
      new RegExp(`records the archive's SHA-256 as a{64}, not the expected b{64} \\(\`expected-sha256\``),
    );
    expect(completeStagingOfSameSource(existingOf(metadata), metadata, { force: false, expectedSha256: 'a'.repeat(64) })).toBeDefined();
    // A staging that recorded no SHA-256: the caller has hashed the archive and planned with it.
    expect(completeStagingOfSameSource(existingOf(sampleMetadata()), sampleMetadata(), { force: false, expectedSha256 })).toBeDefined();
  });

  it('names every pinned object that is missing or changed, and the way out', () => {
    const metadata = sampleMetadata();
    const existing = existingOf(metadata, {
      objectDifferences: [
        { uri: 's3://models/a.riva', problem: 'is missing' },
        { uri: 's3://models/b.riva', problem: 'has 4 bytes, ETag x; the metadata records 4 bytes, ETag y' },
      ],
    });
    const refusal = () => completeStagingOfSameSource(existing, metadata, asIs);
    expect(refusal).toThrow(ConflictError);
    expect(refusal).toThrow(/- s3:\/\/models\/a.riva is missing\n- s3:\/\/models\/b.riva has 4 bytes, ETag x; the metadata records 4 bytes, ETag y\nSet `force`/);
  });

  it('refuses a staging whose metadata is not the document its marker records', () => {
    const metadata = sampleMetadata();
    const existing = existingOf(metadata, { metadata: undefined, metadataProblem: 'is not the document its completion marker records' });
    expect(() => completeStagingOfSameSource(existing, metadata, asIs)).toThrow('its metadata document is not the document its completion marker records');
  });

  it('with force, re-stages whatever is there', () => {
    const metadata = sampleMetadata();
    const existing = existingOf(metadata, { objectDifferences: [{ uri: 's3://models/a.riva', problem: 'is missing' }] });
    expect(completeStagingOfSameSource(existing, metadata, { force: true, expectedSha256: undefined })).toBeUndefined();
    const changed = { ...metadata, source: { ...metadata.source, etag: 'new-etag' } };
    expect(completeStagingOfSameSource(existing, changed, { force: true, expectedSha256: undefined })).toBeUndefined();
  });
});

describe('stagingLayout', () => {
  it('gives full mode the archive copy under source/ and checksums in the staging area', () => {
    expect(stagingLayout(sampleConfig({ mode: 'full', environment: 'dev' }))).toEqual({
      mode: 'full',
      prefix: at(`dev/${FOLDER}`),
      metadata: at(`dev/${FOLDER}artifact.json`),
      marker: at(`dev/${FOLDER}staging_complete.txt`),
      sourceCopy: at(`dev/${FOLDER}source/${ARCHIVE}`),
      checksums: at(`dev/${FOLDER}checksums.sha256`),
    });
  });

  it('puts bintarball-reference metadata beside a nested bintarball root', () => {
    const config = sampleConfig({ modelS3Uri: `s3://models/team/bintarball/riva-models/parakeet/${ARCHIVE}`, containerS3Uri: '' });
    const layout = stagingLayout(config);
    expect(layout.mode).toBe('bintarball-reference');
    expect(layout.metadata).toEqual(at(`team/bintarball/deployment-metadata/prod/${FOLDER}deployment.json`));
    expect(layout.marker).toEqual(at(`team/bintarball/deployment-metadata/prod/${FOLDER}deployment_ready.txt`));
  });

  it('stages into the configured bucket, not the archive\'s', () => {
    const layout = stagingLayout(sampleConfig({ mode: 'reference-only', bucket: 'deployments' }));
    expect(layout.metadata).toEqual(at(`prod/${FOLDER}artifact.json`, 'deployments'));
  });
});

describe('candidateLayouts', () => {
  it('names the bintarball layout first, then the staging area', () => {
    const target = { environment: 'qa', modelName: 'parakeet-rnnt-en-us', modelVersion: 'v2025.09' };
    expect(candidateLayouts('models', target, 'bintarball/')).toEqual([
      {
        mode: 'bintarball-reference',
        prefix: at(`bintarball/deployment-metadata/qa/${FOLDER}`),
        metadata: at(`bintarball/deployment-metadata/qa/${FOLDER}deployment.json`),
        marker: at(`bintarball/deployment-metadata/qa/${FOLDER}deployment_ready.txt`),
      },
      {
        mode: 'reference-only',
        prefix: at(`qa/${FOLDER}`),
        metadata: at(`qa/${FOLDER}artifact.json`),
        marker: at(`qa/${FOLDER}staging_complete.txt`),
      },
    ]);
  });

  it('agrees with stagingLayout for the reference modes', () => {
    for (const mode of ['bintarball-reference', 'reference-only'] as const) {
      const config = sampleConfig({ mode });
      const [bintarball, stagingArea] = candidateLayouts(config.bucket, config, 'bintarball/');
      expect(stagingLayout(config)).toEqual(mode === 'bintarball-reference' ? bintarball : stagingArea);
    }
  });
});

describe('layoutOfMetadata', () => {
  it('knows a bintarball layout by deployment.json and a staging area by artifact.json', () => {
    const bintarball = layoutOfMetadata(at(`bintarball/deployment-metadata/prod/${FOLDER}deployment.json`));
    expect(bintarball).toEqual(candidateLayouts('models', { environment: 'prod', modelName: 'parakeet-rnnt-en-us', modelVersion: 'v2025.09' }, 'bintarball/')[0]);
    const stagingArea = layoutOfMetadata(at(`prod/${FOLDER}artifact.json`));
    expect(stagingArea?.mode).toBe('reference-only');
    expect(stagingArea?.marker).toEqual(at(`prod/${FOLDER}staging_complete.txt`));
  });

  it('is undefined for any other document name', () => {
    expect(layoutOfMetadata(at(`prod/${FOLDER}metadata.json`))).toBeUndefined();
    expect(layoutOfMetadata(at(`prod/${FOLDER}artifact.json.bak`))).toBeUndefined();
  });
});

describe('layoutOfStaging', () => {
  const [bintarball, stagingArea] = candidateLayouts('models', { environment: 'dev', modelName: 'parakeet-rnnt-en-us', modelVersion: 'v2025.09' }, 'bintarball/');

  it('adds the archive copy and checksums to a staging area whose metadata says full', () => {
    const layout = layoutOfStaging(stagingArea, { mode: 'full', source: { uri: 's3://archives/x/other-archive.tar.gz' } });
    expect(layout).toEqual({
      ...stagingArea,
      mode: 'full',
      sourceCopy: at(`dev/${FOLDER}source/other-archive.tar.gz`),
      checksums: at(`dev/${FOLDER}checksums.sha256`),
    });
  });

  it('keeps a reference-only staging area and a bintarball layout as found', () => {
    expect(layoutOfStaging(stagingArea, { mode: 'reference-only', source: { uri: MODEL_URI } })).toBe(stagingArea);
    expect(layoutOfStaging(bintarball, { mode: 'bintarball-reference', source: { uri: MODEL_URI } })).toBe(bintarball);
    // A bintarball folder holds no archive copy, whatever its metadata claims.
    expect(layoutOfStaging(bintarball, { mode: 'full', source: { uri: MODEL_URI } })).toBe(bintarball);
  });
});

describe('sameLayoutAt', () => {
  const candidates = candidateLayouts('models', { environment: 'prod', modelName: 'parakeet-rnnt-en-us', modelVersion: 'v2025.09' }, 'bintarball/');

  it('keeps the layout kind, at the other place', () => {
    const devBintarball = stagingLayout(sampleConfig({ environment: 'dev' }));
    expect(sameLayoutAt(devBintarball, candidates)).toBe(candidates[0]);
    const devReference = stagingLayout(sampleConfig({ mode: 'reference-only', environment: 'dev' }));
    expect(sameLayoutAt(devReference, candidates)).toBe(candidates[1]);
  });

  it('keeps a full staging\'s archive name', () => {
    const target = sameLayoutAt(fullLayoutIn('dev'), candidates);
    expect(target).toEqual(fullLayoutIn('prod'));
  });
});

describe('full-mode objects', () => {
  const layout = fullLayoutIn('dev');

  it('stagedModelFile puts an archive path under models/ of the staging', () => {
    expect(stagedModelFile(layout, 'parakeet/1/model.riva')).toEqual({
      path: 'models/parakeet/1/model.riva',
      location: at(`dev/${FOLDER}models/parakeet/1/model.riva`),
    });
  });

  it('stagedObjects lists the archive copy, each file, then the checksums', () => {
    expect(stagedObjects(layout, [{ path: 'models/b.riva' }, { path: 'models/a/a.riva' }])).toEqual([
      { path: `source/${ARCHIVE}`, location: at(`dev/${FOLDER}source/${ARCHIVE}`), what: 'the archive copy' },
      { path: 'models/b.riva', location: at(`dev/${FOLDER}models/b.riva`), what: 'models/b.riva' },
      { path: 'models/a/a.riva', location: at(`dev/${FOLDER}models/a/a.riva`), what: 'models/a/a.riva' },
      { path: 'checksums.sha256', location: at(`dev/${FOLDER}checksums.sha256`), what: 'the checksums file' },
    ]);
  });

  it('progressRecord sits in the staging folder, whatever the layout', () => {
    expect(progressRecord(layout)).toEqual(at(`dev/${FOLDER}staging_in_progress.json`));
    const bintarball = stagingLayout(sampleConfig({ environment: 'dev' }));
    expect(progressRecord(bintarball)).toEqual(at(`bintarball/deployment-metadata/dev/${FOLDER}staging_in_progress.json`));
  });
});

describe('promote planning', () => {
  it('targetLayout is the source layout kind in the target environment', () => {
    const config = promoteConfig();
    expect(targetLayout(config, fullLayoutIn('dev'))).toEqual(fullLayoutIn('prod'));
    expect(targetLayout(config, stagingLayout(sampleConfig({ environment: 'dev' })))).toEqual(stagingLayout(sampleConfig({ environment: 'prod' })));
    const reference = targetLayout(config, stagingLayout(sampleConfig({ mode: 'reference-only', environment: 'dev' })));
    expect(reference).toEqual(stagingLayout(sampleConfig({ mode: 'reference-only', environment: 'prod' })));
  });

  it('targetLayout finds the bintarball root from model-s3-uri, else bintarball/', () => {
    const source = stagingLayout(sampleConfig({ environment: 'dev' }));
    const nested = targetLayout(promoteConfig({ modelS3Uri: `s3://models/team/bintarball/riva-models/x/${ARCHIVE}` }), source);
    expect(nested.metadata.key).toBe(`team/bintarball/deployment-metadata/prod/${FOLDER}deployment.json`);
    const fallback = targetLayout(promoteConfig({ modelS3Uri: '' }), source);
    expect(fallback.metadata.key).toBe(`bintarball/deployment-metadata/prod/${FOLDER}deployment.json`);
  });

  it('copyPlan copies a full staging\'s objects to the same paths in the target, pinned to the ETags its metadata records', () => {
    const plan = copyPlan(fullLayoutIn('dev'), fullLayoutIn('prod'), fullMetadata());
    expect(plan.map((copy) => [copy.from.key, copy.to.key, copy.what, copy.etag])).toEqual([
      [`dev/${FOLDER}source/${ARCHIVE}`, `prod/${FOLDER}source/${ARCHIVE}`, 'the archive copy', 'e0'],
      [`dev/${FOLDER}models/m/acoustic.riva`, `prod/${FOLDER}models/m/acoustic.riva`, 'models/m/acoustic.riva', 'e1'],
      [`dev/${FOLDER}models/m/lexicon.riva`, `prod/${FOLDER}models/m/lexicon.riva`, 'models/m/lexicon.riva', 'e2'],
      [`dev/${FOLDER}checksums.sha256`, `prod/${FOLDER}checksums.sha256`, 'the checksums file', undefined],
    ]);
  });

  it('copyPlan copies nothing of a reference staging', () => {
    const dev = stagingLayout(sampleConfig({ environment: 'dev' }));
    const prod = stagingLayout(sampleConfig({ environment: 'prod' }));
    expect(copyPlan(dev, prod, sampleMetadata())).toEqual([]);
  });

  it('targetMetadata points at the target\'s copies and records promoted_from and the run', () => {
    const source = fullMetadata('dev');
    const target: StagingLayout = fullLayoutIn('prod');
    const promotedFrom = { metadata_uri: `s3://models/dev/${FOLDER}artifact.json`, environment: 'dev', metadata_sha256: 'd'.repeat(64) };
    const startedAt = new Date('2025-09-03T10:00:00.000Z');
    const finishedAt = new Date('2025-09-03T10:00:05.000Z');

    const copies = new Map([[`source/${ARCHIVE}`, 'c0'], ['models/m/acoustic.riva', 'c1'], ['models/m/lexicon.riva', 'c2']]);
    const run = { runId: 'promote-1', toolVersion: '9.9.9', github: null, now: () => finishedAt, startedAt };
    const metadata = targetMetadata(source, target, promotedFrom, { environment: 'prod' }, run, copies);

    // Each copy is pinned to the ETag the server reported for it.
    expect(metadata.files).toEqual(source.files.map((file) => ({ ...file, uri: `s3://models/prod/${FOLDER}${file.path}`, etag: copies.get(file.path) })));
    expect(metadata.source_copy).toEqual({ ...source.source_copy, uri: `s3://models/prod/${FOLDER}source/${ARCHIVE}`, etag: 'c0' });
    expect(metadata.deployment).toEqual({
      environment: 'prod',
      s3_bucket: 'models',
      metadata_uri: `s3://models/prod/${FOLDER}artifact.json`,
      marker_uri: `s3://models/prod/${FOLDER}staging_complete.txt`,
    });
    expect(metadata.promoted_from).toEqual(promotedFrom);
    expect(metadata.run).toEqual({ id: 'promote-1', started_at: startedAt.toISOString(), finished_at: finishedAt.toISOString(), tool_version: '9.9.9', github: null });
    // What was staged does not change in the promotion.
    const staged = { files: [], source_copy: null, deployment: null, promoted_from: null, run: null };
    expect({ ...metadata, ...staged }).toEqual({ ...source, ...staged });
    expect(source.promoted_from).toBeUndefined();
  });

  it('targetMetadata refuses a promoted_from that does not match the schema', () => {
    const run = { runId: 'r', toolVersion: '1', github: null, now: () => new Date(), startedAt: new Date() };
    const bad = { metadata_uri: 'not-a-uri', environment: 'dev', metadata_sha256: 'xyz' };
    expect(() => targetMetadata(fullMetadata(), fullLayoutIn('prod'), bad, { environment: 'prod' }, run, new Map())).toThrow(/metadata_sha256|metadata_uri/);
  });
});
