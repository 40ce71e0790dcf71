import { z } from 'zod';
import { ConfigurationError } from '../errors.ts';
import { baseName, bucketNameProblem, parseS3Uri, s3UriProblem, type S3Location } from '../s3/uri.ts';
import { INPUTS, describeInput, type InputKey } from './inputs.ts';
import { inferModelFacts, normaliseLanguageCode } from './model-facts.ts';

/** The modes that stage (and write a metadata document of their own). */
export const MODES = ['bintarball-reference', 'reference-only', 'full'] as const;
export type Mode = (typeof MODES)[number];
/** Every value `mode` takes: the staging modes and the checks that follow them. */
export const OPERATIONS = [...MODES, 'verify', 'promote'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Everything a run needs, validated: nothing downstream re-checks these values. */
export interface StageConfig {
  readonly mode: Mode;
  readonly model: S3Location;
  readonly container: S3Location | undefined;
  readonly bucket: string;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly environment: string;
  readonly languageCode: string;
  readonly architecture: string;
  readonly artifactId: string;
  readonly awsRegion: string;
  readonly s3Endpoint: string | undefined;
  readonly timeoutSeconds: number | undefined;
  readonly expectedSha256: string | undefined;
  readonly maxAttempts: number;
  readonly stateFile: string | undefined;
  /** Full mode: keep the archive between runs (default on). */
  readonly cache: boolean;
  readonly cacheDir: string | undefined;
  readonly dryRun: boolean;
  readonly force: boolean;
}

/** `verify`: re-check a staged deployment, writing nothing. */
export interface VerifyConfig {
  readonly mode: 'verify';
  /** The metadata document to check, or how to find it from the model and environment. */
  readonly target:
    | { readonly metadata: S3Location }
    | {
        readonly bucket: string;
        readonly modelName: string;
        readonly modelVersion: string;
        readonly environment: string;
        /** The bintarball root to look under (from model-s3-uri, else `bintarball/`). */
        readonly bintarballKey: string | undefined;
      };
  /** Re-hash every staged file and the archive. */
  readonly deep: boolean;
  readonly awsRegion: string;
  readonly s3Endpoint: string | undefined;
  readonly timeoutSeconds: number | undefined;
  readonly maxAttempts: number;
  readonly stateFile: string | undefined;
}

/** `promote`: copy a complete, verified staging to another environment, server-side. */
export interface PromoteConfig {
  readonly mode: 'promote';
  readonly bucket: string;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly fromEnvironment: string;
  readonly environment: string;
  readonly bintarballKey: string | undefined;
  /** Re-hash the source staging's files before promoting it. */
  readonly deep: boolean;
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly awsRegion: string;
  readonly s3Endpoint: string | undefined;
  readonly timeoutSeconds: number | undefined;
  readonly maxAttempts: number;
  readonly stateFile: string | undefined;
}

export type RunConfig = StageConfig | VerifyConfig | PromoteConfig;

/** Where values come from, highest precedence first: inputs, the environment, the `.env` file. */
export interface ConfigSources {
  readonly inputs: Readonly<Partial<Record<InputKey, string>>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly envFile: Readonly<Record<string, string>>;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

// Names, versions and environments become S3 key segments: keep them to characters that need
// no escaping and can never climb out of their prefix.
const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SLUG_RULE = 'must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit (no "/" or "..")';
const TRUE_VALUES = ['true', 'True', 'TRUE'];
const FALSE_VALUES = ['false', 'False', 'FALSE', ''];

const slug = z
  .string()
  .refine((value) => SLUG.test(value) && !value.includes('..'), SLUG_RULE);

const s3Uri = z.string().superRefine((value, ctx) => {
  const problem = s3UriProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const bucket = z.string().superRefine((value, ctx) => {
  const problem = bucketNameProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const booleanDefault = (fallback: boolean) =>
  z
    .string()
    .optional()
    .refine((value) => value === undefined || [...TRUE_VALUES, ...FALSE_VALUES].includes(value), {
      message: 'must be true or false',
    })
    .transform((value) => (value === undefined ? fallback : TRUE_VALUES.includes(value)));
const boolean = booleanDefault(false);

const positiveInteger = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .refine((value) => value >= 1 && value <= max, `must be a whole number from 1 to ${max}`);

// Every field is optional here; which ones a mode requires is decided after parsing.
const RawConfigSchema = z.object({
  mode: z
    .enum(OPERATIONS, { error: `must be one of ${OPERATIONS.join(', ')}` })
    .default('bintarball-reference'),
  modelS3Uri: s3Uri.optional(),
  bucket: bucket.optional(),
  modelName: slug.optional(),
  modelVersion: slug.optional(),
  environment: slug.optional(),
  awsRegion: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region name such as us-east-1')
    .optional(),
  containerS3Uri: s3Uri.optional(),
  s3Endpoint: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .optional(),
  timeout: positiveInteger(7 * 24 * 3600).optional(),
  expectedSha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hexadecimal characters (a SHA-256)')
    .transform((value) => value.toLowerCase())
    .optional(),
  languageCode: z
    .string()
    .regex(/^[A-Za-z]{2,3}([-_][A-Za-z]{2})?$/, 'must be a language code such as en-US')
    .transform(normaliseLanguageCode)
    .optional(),
  architecture: slug.optional(),
  artifactId: slug.optional(),
  maxAttempts: positiveInteger(20).default(DEFAULT_MAX_ATTEMPTS),
  stateFile: z.string().optional(),
  cache: booleanDefault(true),
  cacheDir: z.string().optional(),
  deploymentJsonUri: s3Uri.optional(),
  deep: boolean,
  fromEnvironment: slug.optional(),
  envFile: z.string().optional(),
  dryRun: boolean,
  force: boolean,
});

type RawConfig = z.infer<typeof RawConfigSchema>;

/** The inputs a mode cannot run without. */
function requiredInputs(values: RawConfig): InputKey[] {
  if (values.mode === 'promote') {
    return ['bucket', 'modelName', 'modelVersion', 'environment', 'awsRegion', 'fromEnvironment'];
  }
  if (values.mode === 'verify') {
    // A metadata URI says everything; otherwise the staging is found from the model.
    return values.deploymentJsonUri !== undefined
      ? ['awsRegion']
      : ['bucket', 'modelName', 'modelVersion', 'environment', 'awsRegion'];
  }
  return ['modelS3Uri', 'bucket', 'modelName', 'modelVersion', 'environment', 'awsRegion'];
}

/**
 * Merges the sources and validates the result. Every problem is reported at once, each on its
 * own line naming the input and the environment variable that set it, before any S3 call.
 */
export function resolveConfig(sources: ConfigSources): RunConfig {
  const raw = mergeSources(sources);
  const problems = new Map<InputKey, string>();
  const parsed = RawConfigSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as InputKey;
      if (!problems.has(key)) problems.set(key, describeProblem(key, issue.message, raw));
    }
    throw configurationError(problems);
  }
  const values = parsed.data;
  for (const key of requiredInputs(values)) {
    if (values[key] === undefined) problems.set(key, describeProblem(key, 'is required', raw));
  }
  if (problems.size > 0) throw configurationError(problems);
  if (values.mode === 'promote' && values.fromEnvironment === values.environment) {
    throw new ConfigurationError(
      `${describeInput('fromEnvironment')} and ${describeInput('environment')} are both "${values.environment}": promote copies a staging to another environment.`,
    );
  }
  if (values.mode === 'verify') return verifyConfig(values);
  if (values.mode === 'promote') return promoteConfig(values);
  return stageConfig(values as RawConfig & { mode: Mode });
}

function promoteConfig(values: RawConfig): PromoteConfig {
  return {
    mode: 'promote',
    bucket: values.bucket!,
    modelName: values.modelName!,
    modelVersion: values.modelVersion!,
    fromEnvironment: values.fromEnvironment!,
    environment: values.environment!,
    bintarballKey: values.modelS3Uri === undefined ? undefined : parseS3Uri(values.modelS3Uri).key,
    deep: values.deep,
    force: values.force,
    dryRun: values.dryRun,
    awsRegion: values.awsRegion!,
    s3Endpoint: values.s3Endpoint,
    timeoutSeconds: values.timeout,
    maxAttempts: values.maxAttempts,
    stateFile: values.stateFile,
  };
}

function stageConfig(values: RawConfig & { mode: Mode }): StageConfig {
  const model = parseS3Uri(values.modelS3Uri!);
  const inferred = inferModelFacts(baseName(model.key));
  const languageCode = values.languageCode ?? inferred.languageCode;
  const architecture = values.architecture ?? inferred.architecture;
  const missing: string[] = [];
  if (languageCode === undefined) {
    missing.push(describeNotInferred('languageCode', 'language code (such as en-US)', model));
  }
  if (architecture === undefined) {
    missing.push(describeNotInferred('architecture', 'architecture (such as rnnt)', model));
  }
  if (languageCode === undefined || architecture === undefined) {
    throw new ConfigurationError(missing.join('\n'));
  }
  return {
    mode: values.mode,
    model,
    container: values.containerS3Uri === undefined ? undefined : parseS3Uri(values.containerS3Uri),
    bucket: values.bucket!,
    modelName: values.modelName!,
    modelVersion: values.modelVersion!,
    environment: values.environment!,
    languageCode,
    architecture,
    artifactId: values.artifactId ?? `${values.modelName}-${values.modelVersion}`,
    awsRegion: values.awsRegion!,
    s3Endpoint: values.s3Endpoint,
    timeoutSeconds: values.timeout,
    expectedSha256: values.expectedSha256,
    maxAttempts: values.maxAttempts,
    stateFile: values.stateFile,
    cache: values.cache,
    cacheDir: values.cacheDir,
    dryRun: values.dryRun,
    force: values.force,
  };
}

function verifyConfig(values: RawConfig): VerifyConfig {
  const target =
    values.deploymentJsonUri !== undefined
      ? { metadata: parseS3Uri(values.deploymentJsonUri) }
      : {
          bucket: values.bucket!,
          modelName: values.modelName!,
          modelVersion: values.modelVersion!,
          environment: values.environment!,
          bintarballKey: values.modelS3Uri === undefined ? undefined : parseS3Uri(values.modelS3Uri).key,
        };
  return {
    mode: 'verify',
    target,
    deep: values.deep,
    awsRegion: values.awsRegion!,
    s3Endpoint: values.s3Endpoint,
    timeoutSeconds: values.timeout,
    maxAttempts: values.maxAttempts,
    stateFile: values.stateFile,
  };
}

/** One line per problem, in the order the inputs are declared. */
function configurationError(problems: ReadonlyMap<InputKey, string>): ConfigurationError {
  const ordered = (Object.keys(INPUTS) as InputKey[]).flatMap((key) => (problems.has(key) ? [problems.get(key)!] : []));
  return new ConfigurationError(ordered.join('\n'));
}

/** The first non-empty value of each input: the input itself, then each variable in the environment, then in `.env`. */
export function mergeSources(sources: ConfigSources): Partial<Record<InputKey, string>> {
  const merged: Partial<Record<InputKey, string>> = {};
  for (const key of Object.keys(INPUTS) as InputKey[]) {
    const variables = INPUTS[key].env;
    const candidates = [
      sources.inputs[key],
      ...variables.map((name) => sources.env[name]),
      ...variables.map((name) => sources.envFile[name]),
    ];
    const value = candidates.map((candidate) => candidate?.trim()).find((candidate) => candidate);
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

function describeProblem(
  key: InputKey,
  message: string,
  raw: Partial<Record<InputKey, string>>,
): string {
  const { input, env } = INPUTS[key];
  const value = raw[key];
  if (value === undefined) {
    const where = env.length > 0 ? `the \`${input}\` input or ${env.join(' or ')}` : `the \`${input}\` input`;
    return `${describeInput(key)} ${message}: set ${where}.`;
  }
  return `${describeInput(key)} ${message}; got "${value}".`;
}

function describeNotInferred(key: InputKey, what: string, model: S3Location): string {
  return `${describeInput(key)} is required: no ${what} can be read from the archive name "${baseName(model.key)}".`;
}
