import { z } from 'zod';
import { ConfigurationError } from '../errors.ts';
import { codePoint, controlCharacterIn, printable } from '../format.ts';
import { baseName, bucketNameProblem, parseS3Uri, s3UriProblem, type S3Location } from '../s3/uri.ts';
import { INPUTS, describeInput, type InputDefinition, type InputKey } from './inputs.ts';
import { ACTION_SPELLING, oneOf, type InputSpelling } from './spelling.ts';
import { stagingKeysProblem } from './staging-keys.ts';
import { inferModelFacts, normaliseLanguageCode } from './model-facts.ts';

/** The modes that stage (and write a metadata document of their own). */
export const MODES = ['bintarball-reference', 'reference-only', 'full'] as const;
export type Mode = (typeof MODES)[number];
/** Every value `mode` takes: the staging modes and the operations on stagings. */
export const OPERATIONS = [...MODES, 'verify', 'promote', 'list', 'delete', 'fetch'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** How a run reaches S3: the same for every operation. */
export interface Connection {
  readonly region: string;
  readonly endpoint: string | undefined;
  /** Attempts per request (the first plus retries). */
  readonly maxAttempts: number;
  /** The whole run's deadline. */
  readonly timeoutSeconds: number | undefined;
  /** How long a connection may move no byte before it counts as broken (default 60 s). */
  readonly stallTimeoutSeconds: number | undefined;
}

/** What every operation's configuration has. */
interface RunSettings {
  readonly connection: Connection;
  readonly stateFile: string | undefined;
}

/** Everything a run needs, validated: nothing downstream re-checks these values. */
export interface StageConfig extends RunSettings {
  readonly operation: 'stage';
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
  readonly expectedSha256: string | undefined;
  /** Full mode: keep the archive between runs (default on). */
  readonly cache: boolean;
  readonly cacheDir: string | undefined;
  /** Full mode: bytes the archive may inflate to; undefined for the default, which depends on the archive's size. */
  readonly maxInflatedBytes: number | undefined;
  readonly dryRun: boolean;
  readonly force: boolean;
  /** How long the staging's lease outlives its last refresh. */
  readonly leaseTtlSeconds: number;
}

/** A staging named by its model, version and environment, in one bucket. */
export interface StagingName {
  readonly bucket: string;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly environment: string;
  /** The bintarball root to look under (from model-s3-uri, else `bintarball/`). */
  readonly bintarballKey: string | undefined;
}

/** `verify`: re-check a staged deployment, writing nothing. */
export interface VerifyConfig extends RunSettings {
  readonly operation: 'verify';
  readonly mode: 'verify';
  /** The metadata document to check, or how to find it from the model and environment. */
  readonly target: { readonly metadata: S3Location } | StagingName;
  /** Re-hash every staged file and the archive. */
  readonly deep: boolean;
}

/** `promote`: copy a complete, verified staging to another environment, server-side. */
export interface PromoteConfig extends RunSettings, StagingName {
  readonly operation: 'promote';
  readonly mode: 'promote';
  readonly fromEnvironment: string;
  /** Re-hash the source staging's files before promoting it. */
  readonly deep: boolean;
  readonly force: boolean;
  readonly dryRun: boolean;
  /** How long the target staging's lease outlives its last refresh. */
  readonly leaseTtlSeconds: number;
}

/** `list`: every staging in a bucket's two trees, optionally narrowed to an environment, model and version. */
export interface ListConfig extends RunSettings {
  readonly operation: 'list';
  readonly mode: 'list';
  readonly bucket: string;
  readonly bintarballKey: string | undefined;
  readonly environment: string | undefined;
  readonly modelName: string | undefined;
  readonly modelVersion: string | undefined;
}

/** `delete`: remove one staging, marker first. */
export interface DeleteConfig extends RunSettings, StagingName {
  readonly operation: 'delete';
  readonly mode: 'delete';
  readonly force: boolean;
  readonly dryRun: boolean;
}

/** `fetch`: download a complete staging to a directory, pinned to what its metadata records. */
export interface FetchConfig extends RunSettings {
  readonly operation: 'fetch';
  readonly mode: 'fetch';
  /** The staging to fetch: its metadata document, or how to find it (as verify finds it). */
  readonly target: VerifyConfig['target'];
  /** The local directory the files (and their manifest) are written to. */
  readonly destination: string;
  /** The SHA-256 the metadata document must have (from an attestation or the staging job's output). */
  readonly expectedMetadataSha256: string | undefined;
  /** The reference layouts: also extract the archive's `.riva` files. */
  readonly extract: boolean;
}

export type RunConfig = StageConfig | VerifyConfig | PromoteConfig | ListConfig | DeleteConfig | FetchConfig;

/** Where values come from, highest precedence first: inputs, the environment, the `.env` file. */
export interface ConfigSources {
  readonly inputs: Readonly<Partial<Record<InputKey, string>>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly envFile: Readonly<Record<string, string>>;
  /** How a message names what the user gave: the action's inputs by default, the command line's flags. */
  readonly spelling?: InputSpelling;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
/** Long enough to ride out a slow request; short enough that a re-run after a killed run waits little. */
export const DEFAULT_LEASE_TTL_SECONDS = 120;

// Names, versions and environments become S3 key segments: keep them to characters that need
// no escaping and can never climb out of their prefix.
const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SLUG_RULE = 'must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit (no "/" or "..")';
// An endpoint's `user:password@` is refused rather than stripped. S3 requests are signed with
// the AWS credentials (the SDK's chain); a password in the URL is never used for anything, so
// refusing it costs nothing, while accepting it would put a secret into every message, state
// file and summary that names the endpoint. Refused here, it reaches none of them: every message
// quotes the value through `shownValue`, which masks it.
const ENDPOINT_USERINFO_RULE =
  'must not carry credentials (user:password@): S3 requests are signed with the AWS credentials ' +
  '(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE or a role), never with a password in the URL; remove them from the URL';
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

const BYTE_UNITS: ReadonlyMap<string, number> = new Map([
  ['', 1],
  ['b', 1],
  ['kb', 1e3],
  ['mb', 1e6],
  ['gb', 1e9],
  ['tb', 1e12],
  ['kib', 1024],
  ['mib', 1024 ** 2],
  ['gib', 1024 ** 3],
  ['tib', 1024 ** 4],
]);
const MIN_BYTE_SIZE = 1024 ** 2;
const BYTE_SIZE_RULE = 'must be a number of bytes of at least 1 MiB, optionally with a unit: KiB, MiB, GiB, TiB (or KB, MB, GB, TB), such as 8GiB';

/** `1073741824`, `8GiB`, `1.5 TB` → bytes. */
const byteSize = z.string().transform((value, ctx) => {
  const match = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(value);
  const unit = BYTE_UNITS.get((match?.[2] ?? '').toLowerCase());
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : Number.NaN;
  if (!(bytes >= MIN_BYTE_SIZE && bytes <= Number.MAX_SAFE_INTEGER)) {
    ctx.addIssue({ code: 'custom', message: BYTE_SIZE_RULE });
    return z.NEVER;
  }
  return bytes;
});

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
    .refine((value) => !hasUserinfo(value), ENDPOINT_USERINFO_RULE)
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
  stallTimeout: positiveInteger(3600).optional(),
  leaseTtl: positiveInteger(3600).refine((seconds) => seconds >= 10, 'must be at least 10 seconds').default(DEFAULT_LEASE_TTL_SECONDS),
  stateFile: z.string().optional(),
  cache: booleanDefault(true),
  cacheDir: z.string().optional(),
  maxInflatedBytes: byteSize.optional(),
  deploymentJsonUri: s3Uri.optional(),
  deep: boolean,
  fromEnvironment: slug.optional(),
  destination: z.string().optional(),
  deploymentJsonSha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hexadecimal characters (a SHA-256)')
    .transform((value) => value.toLowerCase())
    .optional(),
  extract: boolean,
  envFile: z.string().optional(),
  dryRun: boolean,
  force: boolean,
});

type RawConfig = z.infer<typeof RawConfigSchema>;

type OperationName = RunConfig['operation'];

function operationOf(mode: Operation): OperationName {
  return mode === 'verify' || mode === 'promote' || mode === 'list' || mode === 'delete' || mode === 'fetch' ? mode : 'stage';
}

/** Inputs every operation reads: where to find S3 and how to behave there. */
const SHARED_INPUTS: readonly InputKey[] = ['mode', 'awsRegion', 's3Endpoint', 'timeout', 'maxAttempts', 'stallTimeout', 'stateFile', 'envFile'];
const STAGING_NAME: readonly InputKey[] = ['bucket', 'modelName', 'modelVersion', 'environment', 'modelS3Uri'];

/** The inputs each operation reads besides the shared ones: any other one given explicitly is a mistake to point out. */
const OPERATION_INPUTS: Record<OperationName, readonly InputKey[]> = {
  stage: [
    ...STAGING_NAME,
    'containerS3Uri',
    'expectedSha256',
    'languageCode',
    'architecture',
    'artifactId',
    'cache',
    'cacheDir',
    'maxInflatedBytes',
    'dryRun',
    'force',
    'leaseTtl',
  ],
  verify: [...STAGING_NAME, 'deploymentJsonUri', 'deep'],
  promote: [...STAGING_NAME, 'fromEnvironment', 'deep', 'dryRun', 'force', 'leaseTtl'],
  list: STAGING_NAME,
  delete: [...STAGING_NAME, 'dryRun', 'force'],
  fetch: [...STAGING_NAME, 'deploymentJsonUri', 'deploymentJsonSha256', 'destination', 'extract'],
};

/**
 * An input given explicitly to a mode that does not read it (`--from-environment` without
 * `--promote`): named as the user gave it, with the modes it belongs to and the mode this run
 * resolved to (from the input, RIVA_STAGE_MODE, or the default).
 */
function misplacedInputProblem(key: InputKey, mode: Operation, sources: ConfigSources): string {
  const spelling = sources.spelling ?? ACTION_SPELLING;
  const belongsTo = OPERATIONS.filter((candidate) => OPERATION_INPUTS[operationOf(candidate)].includes(key));
  const modeVariable = INPUTS.mode.env.find((name) => sources.env[name]?.trim() || sources.envFile[name]?.trim());
  const current = sources.inputs.mode?.trim()
    ? spelling.mode(mode)
    : modeVariable !== undefined
      ? `mode ${mode} (from ${modeVariable})`
      : `mode ${mode} (the default)`;
  return `${spelling.input(key)} belongs to ${oneOf(belongsTo.map(spelling.mode))}, not to ${current}: remove it, or ${spelling.choose(belongsTo)}.`;
}

/** The inputs an operation cannot run without. */
function requiredInputs(values: RawConfig): InputKey[] {
  const named: InputKey[] = ['bucket', 'modelName', 'modelVersion', 'environment', 'awsRegion'];
  switch (operationOf(values.mode)) {
    case 'promote':
      return [...named, 'fromEnvironment'];
    // A metadata URI says everything; otherwise the staging is found from the model.
    case 'verify':
      return values.deploymentJsonUri !== undefined ? ['awsRegion'] : named;
    case 'fetch':
      return ['destination', ...(values.deploymentJsonUri !== undefined ? ['awsRegion' as const] : named)];
    case 'list':
      return ['bucket', 'awsRegion'];
    case 'delete':
      return named;
    case 'stage':
      return ['modelS3Uri', ...named];
  }
}

/**
 * Merges the sources and validates the result. Every problem is reported at once, each on its
 * own line naming the input and the environment variable that set it, before any S3 call.
 */
export function resolveConfig(sources: ConfigSources): RunConfig {
  const raw = mergeSources(sources);
  const problems = controlCharacterProblems(raw);
  const parsed = RawConfigSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as InputKey;
      if (!problems.has(key)) problems.set(key, describeProblem(key, issue.message, raw));
    }
  }
  if (!parsed.success || problems.size > 0) throw configurationError(problems);
  const values = parsed.data;
  const operation = operationOf(values.mode);
  // Only inputs given explicitly: pipelines export every variable for every step.
  for (const key of Object.keys(sources.inputs) as InputKey[]) {
    if (!SHARED_INPUTS.includes(key) && !OPERATION_INPUTS[operation].includes(key) && sources.inputs[key]?.trim()) {
      problems.set(key, misplacedInputProblem(key, values.mode, sources));
    }
  }
  for (const key of requiredInputs(values)) {
    if (values[key] === undefined) problems.set(key, describeProblem(key, 'is required', raw));
  }
  if (problems.size > 0) throw configurationError(problems);
  const config = operationConfig(values, {
    connection: {
      region: values.awsRegion!,
      endpoint: values.s3Endpoint,
      maxAttempts: values.maxAttempts,
      timeoutSeconds: values.timeout,
      stallTimeoutSeconds: values.stallTimeout,
    },
    stateFile: values.stateFile,
  });
  const keysProblem = stagingKeysProblem(config);
  if (keysProblem !== undefined) throw new ConfigurationError(keysProblem);
  return config;
}

function operationConfig(values: RawConfig, settings: RunSettings): RunConfig {
  const operation = operationOf(values.mode);
  switch (operation) {
    case 'verify':
      return { operation, mode: 'verify', ...settings, target: verifyTarget(values), deep: values.deep };
    case 'promote':
      return promoteConfig(values, settings);
    case 'list':
      return {
        operation,
        mode: 'list',
        ...settings,
        bucket: values.bucket!,
        bintarballKey: bintarballKeyOf(values),
        environment: values.environment,
        modelName: values.modelName,
        modelVersion: values.modelVersion,
      };
    case 'delete':
      return { operation, mode: 'delete', ...settings, ...stagingName(values), force: values.force, dryRun: values.dryRun };
    case 'fetch':
      return {
        operation,
        mode: 'fetch',
        ...settings,
        target: verifyTarget(values),
        destination: values.destination!,
        expectedMetadataSha256: values.deploymentJsonSha256,
        extract: values.extract,
      };
    case 'stage':
      return stageConfig(values as RawConfig & { mode: Mode }, settings);
  }
}

/**
 * Every value becomes part of a key, a document, a log line or an output: a control character
 * (newline, carriage return, tab, DEL, C1) could forge a line in any of them, so none is accepted.
 * Leading and trailing whitespace is already trimmed (a `.env` file with CRLF line ends).
 */
function controlCharacterProblems(raw: Partial<Record<InputKey, string>>): Map<InputKey, string> {
  const problems = new Map<InputKey, string>();
  for (const key of Object.keys(raw) as InputKey[]) {
    const control = controlCharacterIn(raw[key]!);
    if (control === undefined) continue;
    const found = `U+${codePoint(control.character)} at character ${control.index + 1}`;
    problems.set(key, describeProblem(key, `must not contain a control character (newline, carriage return, tab, …), but has ${found}`, raw));
  }
  return problems;
}

function promoteConfig(values: RawConfig, settings: RunSettings): PromoteConfig {
  if (values.fromEnvironment === values.environment) {
    throw new ConfigurationError(
      `${describeInput('fromEnvironment')} and ${describeInput('environment')} are both "${values.environment}": promote copies a staging to another environment.`,
    );
  }
  return {
    operation: 'promote',
    mode: 'promote',
    ...settings,
    ...stagingName(values),
    fromEnvironment: values.fromEnvironment!,
    deep: values.deep,
    force: values.force,
    dryRun: values.dryRun,
    leaseTtlSeconds: values.leaseTtl,
  };
}

function stagingName(values: RawConfig): StagingName {
  return {
    bucket: values.bucket!,
    modelName: values.modelName!,
    modelVersion: values.modelVersion!,
    environment: values.environment!,
    bintarballKey: bintarballKeyOf(values),
  };
}

/** Outside the staging modes, `model-s3-uri` only says where the bintarball tree is. */
function bintarballKeyOf(values: RawConfig): string | undefined {
  return values.modelS3Uri === undefined ? undefined : parseS3Uri(values.modelS3Uri).key;
}

function stageConfig(values: RawConfig & { mode: Mode }, settings: RunSettings): StageConfig {
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
    operation: 'stage',
    mode: values.mode,
    ...settings,
    model,
    container: values.containerS3Uri === undefined ? undefined : parseS3Uri(values.containerS3Uri),
    bucket: values.bucket!,
    modelName: values.modelName!,
    modelVersion: values.modelVersion!,
    environment: values.environment!,
    languageCode,
    architecture,
    artifactId: values.artifactId ?? `${values.modelName}-${values.modelVersion}`,
    expectedSha256: values.expectedSha256,
    cache: values.cache,
    cacheDir: values.cacheDir,
    maxInflatedBytes: values.maxInflatedBytes,
    dryRun: values.dryRun,
    force: values.force,
    leaseTtlSeconds: values.leaseTtl,
  };
}

function verifyTarget(values: RawConfig): VerifyConfig['target'] {
  return values.deploymentJsonUri !== undefined ? { metadata: parseS3Uri(values.deploymentJsonUri) } : stagingName(values);
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
    const definition: InputDefinition = INPUTS[key];
    // An input whose command-line flag is not named as the input says which flag sets it.
    const flag = definition.flag === undefined ? '' : ` (command line: --${definition.flag})`;
    const where = env.length > 0 ? `the \`${input}\` input${flag} or ${env.join(' or ')}` : `the \`${input}\` input${flag}`;
    return `${describeInput(key)} ${message}: set ${where}.`;
  }
  return `${describeInput(key)} ${message}; got "${shownValue(key, value)}".`;
}

/** A value as an error message may quote it: escaped, and an endpoint's credentials masked. */
function shownValue(key: InputKey, value: string): string {
  return printable(key === 's3Endpoint' ? withoutUserinfo(value) : value);
}

/** Whether a URL carries `user:password@` (or any `@` before its host, valid URL or not). */
function hasUserinfo(url: string): boolean {
  return withoutUserinfo(url) !== url;
}

/**
 * `https://user:secret@host/` → `https://***@host/`. By the last `@`, not by a URL parser, so
 * that a value no parser accepts (a `/` in the password) is masked all the same.
 */
export function withoutUserinfo(url: string): string {
  const at = url.lastIndexOf('@');
  if (at < 0) return url;
  const scheme = url.indexOf('://');
  const start = scheme >= 0 && scheme < at ? scheme + '://'.length : 0;
  return `${url.slice(0, start)}***${url.slice(at)}`;
}

function describeNotInferred(key: InputKey, what: string, model: S3Location): string {
  return `${describeInput(key)} is required: no ${what} can be read from the archive name "${baseName(model.key)}".`;
}
