import { z } from 'zod';
import { ConfigurationError } from '../errors.ts';
import { baseName, bucketNameProblem, parseS3Uri, s3UriProblem, type S3Location } from '../s3/uri.ts';
import { INPUTS, describeInput, type InputKey } from './inputs.ts';
import { inferModelFacts, normaliseLanguageCode } from './model-facts.ts';

export const MODES = ['bintarball-reference', 'reference-only', 'full'] as const;
export type Mode = (typeof MODES)[number];

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
  readonly dryRun: boolean;
  readonly force: boolean;
}

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

const required = (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : 'must be text';

const slug = z
  .string({ error: required })
  .refine((value) => SLUG.test(value) && !value.includes('..'), SLUG_RULE);

const s3Uri = z.string({ error: required }).superRefine((value, ctx) => {
  const problem = s3UriProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const bucket = z.string({ error: required }).superRefine((value, ctx) => {
  const problem = bucketNameProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const boolean = z
  .string()
  .optional()
  .refine((value) => value === undefined || [...TRUE_VALUES, ...FALSE_VALUES].includes(value), {
    message: 'must be true or false',
  })
  .transform((value) => value !== undefined && TRUE_VALUES.includes(value));

const positiveInteger = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .refine((value) => value >= 1 && value <= max, `must be a whole number from 1 to ${max}`);

const RawConfigSchema = z.object({
  mode: z
    .enum(MODES, { error: `must be one of ${MODES.join(', ')}` })
    .default('bintarball-reference'),
  modelS3Uri: s3Uri,
  bucket,
  modelName: slug,
  modelVersion: slug,
  environment: slug,
  awsRegion: z
    .string({ error: required })
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region name such as us-east-1'),
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
  envFile: z.string().optional(),
  dryRun: boolean,
  force: boolean,
});

/**
 * Merges the sources and validates the result. Every problem is reported at once, each on its
 * own line naming the input and the environment variable that set it, before any S3 call.
 */
export function resolveConfig(sources: ConfigSources): StageConfig {
  const raw = mergeSources(sources);
  const parsed = RawConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigurationError(
      parsed.error.issues
        .map((issue) => describeProblem(issue.path[0] as InputKey, issue.message, raw))
        .join('\n'),
    );
  }
  const values = parsed.data;
  const model = parseS3Uri(values.modelS3Uri);
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
    bucket: values.bucket,
    modelName: values.modelName,
    modelVersion: values.modelVersion,
    environment: values.environment,
    languageCode,
    architecture,
    artifactId: values.artifactId ?? `${values.modelName}-${values.modelVersion}`,
    awsRegion: values.awsRegion,
    s3Endpoint: values.s3Endpoint,
    timeoutSeconds: values.timeout,
    expectedSha256: values.expectedSha256,
    maxAttempts: values.maxAttempts,
    stateFile: values.stateFile,
    dryRun: values.dryRun,
    force: values.force,
  };
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
