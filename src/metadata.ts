import { z } from 'zod';
import { MODES, type StageConfig } from './config/config.ts';
import type { StagingLayout } from './layout.ts';
import type { ObjectInfo } from './s3/object-store.ts';
import { CHECKSUM_ALGORITHMS } from './s3/write-options.ts';
import { formatS3Uri, type S3Location } from './s3/uri.ts';

/**
 * deployment.json / artifact.json: what step 131 reads to find and trust the staged model. The
 * one definition of the document; `schema/deployment-metadata.schema.json` is generated from it.
 */

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256');
const s3Uri = z.string().regex(/^s3:\/\/[^/]+\/.+/, 'an s3://bucket/key URI');
const timestamp = z.iso.datetime();

const ReferencedObjectSchema = z.object({
  uri: s3Uri,
  size_bytes: z.number().int().nonnegative(),
  etag: z.string().describe('ETag as S3 reported it, without quotes'),
});

/** An object the staging consists of, pinned: what verify and promote hold it to. */
const PinnedObjectSchema = z.object({
  path: z.string().min(1).describe('Relative to the staging prefix, e.g. source/<archive>.tar.gz or models/…/x.riva'),
  uri: s3Uri,
  size_bytes: z.number().int().nonnegative(),
  etag: z.string().min(1).describe('ETag as the server reported it after the write, without quotes'),
  sha256: sha256Hex,
  version_id: z
    .string()
    .min(1)
    .optional()
    .describe('The version the server reported after the write, when the bucket is versioned: fetch reads exactly that version'),
});

const MetadataFields = z.object({
    schema_version: z.literal(2),
    artifact_id: z.string().min(1),
    mode: z.enum(MODES),
    model: z.object({
      name: z.string().min(1),
      version: z.string().min(1),
      language_code: z.string().min(2),
      architecture: z.string().min(1),
    }),
    source: ReferencedObjectSchema.extend({
      last_modified: timestamp.nullable(),
      sha256: sha256Hex
        .nullable()
        .describe('Computed in full mode; in the reference modes S3\'s full-object SHA-256 when it holds one, else null'),
    }),
    containers: z.array(ReferencedObjectSchema),
    source_copy: PinnedObjectSchema.nullable().describe("The archive's copy under source/ (full mode); null in the reference modes"),
    files: z.array(PinnedObjectSchema).describe('Staged model files (full mode); empty in the reference modes'),
    deployment: z.object({
      environment: z.string().min(1),
      s3_bucket: z.string().min(3),
      metadata_uri: s3Uri,
      marker_uri: s3Uri,
    }),
    promoted_from: z
      .object({
        metadata_uri: s3Uri,
        environment: z.string().min(1),
        metadata_sha256: sha256Hex,
      })
      .optional()
      .describe('Set by promote: the staging this one was copied from, and the SHA-256 of its metadata document'),
    checksum_algorithm: z
      .enum(CHECKSUM_ALGORITHMS)
      .optional()
      .describe('The checksum every uploaded body carried in transit (checksum-algorithm; MD5 is Content-MD5); kept by promote, which uploads nothing'),
    run: z.object({
      id: z.string().min(1),
      started_at: timestamp,
      finished_at: timestamp,
      tool_version: z.string().min(1),
      github: z
        .object({
          repository: z.string(),
          sha: z.string(),
          run_id: z.string(),
          run_attempt: z.string(),
        })
        .nullable()
        .describe('The workflow run that staged it; null outside GitHub Actions'),
    }),
  });

export const MetadataSchema = MetadataFields.strict().meta({
  title: 'riva-130-stage deployment metadata',
  description: 'deployment.json (bintarball-reference) or artifact.json (reference-only, full)',
});

/**
 * Schema version 1, written before stagings pinned their objects: its files carry no ETag and
 * the archive copy is not listed. Still read, so that verify can check such a staging by size
 * and say that re-staging pins it.
 */
const LegacyMetadataSchema = MetadataFields.omit({ source_copy: true })
  .extend({
    schema_version: z.literal(1),
    files: z.array(PinnedObjectSchema.omit({ etag: true })),
  })
  .strict();

export type Metadata = z.infer<typeof MetadataSchema>;
export type LegacyMetadata = z.infer<typeof LegacyMetadataSchema>;
/** A document as found in S3: the current schema or the legacy one. */
export type StoredMetadataDocument = Metadata | LegacyMetadata;
export type PinnedObject = z.infer<typeof PinnedObjectSchema>;
export type GithubRun = NonNullable<Metadata['run']['github']>;

export interface ReferencedObject {
  readonly location: S3Location;
  readonly info: ObjectInfo;
}

/** An object the run staged, with the ETag the server reports for it. */
export interface StagedFile {
  readonly path: string;
  readonly location: S3Location;
  readonly sizeBytes: number;
  readonly etag: string;
  readonly sha256: string;
  /** The version the server reports for it, in a versioned bucket. */
  readonly versionId?: string | undefined;
}

export interface MetadataInput {
  readonly config: StageConfig;
  readonly layout: StagingLayout;
  readonly source: ReferencedObject;
  readonly sourceSha256: string | null;
  readonly containers: readonly ReferencedObject[];
  /** Full mode: the archive's copy under `source/`. */
  readonly sourceCopy: StagedFile | undefined;
  readonly files: readonly StagedFile[];
  readonly run: {
    readonly id: string;
    readonly startedAt: Date;
    readonly finishedAt: Date;
    readonly toolVersion: string;
    readonly github: GithubRun | null;
  };
}

/** Builds the document and validates it against the schema, so an invalid one is never written. */
export function buildMetadata(input: MetadataInput): Metadata {
  const { config, layout } = input;
  return MetadataSchema.parse({
    schema_version: 2,
    artifact_id: config.artifactId,
    mode: config.mode,
    model: {
      name: config.modelName,
      version: config.modelVersion,
      language_code: config.languageCode,
      architecture: config.architecture,
    },
    source: {
      ...referenced(input.source),
      last_modified: input.source.info.lastModified,
      sha256: input.sourceSha256,
    },
    containers: input.containers.map(referenced),
    source_copy: input.sourceCopy === undefined ? null : pinned(input.sourceCopy),
    files: input.files.map(pinned),
    deployment: {
      environment: config.environment,
      s3_bucket: config.bucket,
      metadata_uri: formatS3Uri(layout.metadata),
      marker_uri: formatS3Uri(layout.marker),
    },
    checksum_algorithm: config.objectWrites.checksum,
    run: {
      id: input.run.id,
      started_at: input.run.startedAt.toISOString(),
      finished_at: input.run.finishedAt.toISOString(),
      tool_version: input.run.toolVersion,
      github: input.run.github,
    },
  });
}

/** The GitHub run the action executes in, from the runner's environment. */
export function githubRunFromEnv(env: Readonly<Record<string, string | undefined>>): GithubRun | null {
  if (env.GITHUB_ACTIONS !== 'true') return null;
  return {
    repository: env.GITHUB_REPOSITORY ?? '',
    sha: env.GITHUB_SHA ?? '',
    run_id: env.GITHUB_RUN_ID ?? '',
    run_attempt: env.GITHUB_RUN_ATTEMPT ?? '',
  };
}

/** The document as written to S3: stable key order, two-space indent, trailing newline. */
export function serialiseMetadata(metadata: Metadata): string {
  return `${JSON.stringify(metadata, null, 2)}\n`;
}

/** A stored document read back: the metadata (in either schema version), or what is wrong with it. */
export function parseMetadataDocument(text: string): { metadata: StoredMetadataDocument } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: 'is not valid JSON' };
  }
  const legacy = typeof json === 'object' && json !== null && 'schema_version' in json && json.schema_version === 1;
  const parsed = (legacy ? LegacyMetadataSchema : MetadataSchema).safeParse(json);
  if (parsed.success) return { metadata: parsed.data };
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  return { problem: `does not match the metadata schema: ${issues}` };
}

/** The published JSON Schema of the document. */
export function metadataJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(MetadataSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}

/**
 * Every object a staging consists of besides its documents, as its metadata pins them: the
 * archive copy and the staged files. A legacy document pins none (its entries lack an ETag).
 */
export function pinnedObjects(metadata: StoredMetadataDocument): readonly PinnedObject[] {
  if (metadata.schema_version === 1) return [];
  return [...(metadata.source_copy === null ? [] : [metadata.source_copy]), ...metadata.files];
}

function pinned(file: StagedFile): PinnedObject {
  return {
    path: file.path,
    uri: formatS3Uri(file.location),
    size_bytes: file.sizeBytes,
    etag: file.etag,
    sha256: file.sha256,
    ...(file.versionId === undefined ? {} : { version_id: file.versionId }),
  };
}

function referenced(object: ReferencedObject) {
  return { uri: formatS3Uri(object.location), size_bytes: object.info.size, etag: object.info.etag };
}
