import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig, type ConfigSources } from '../../src/config/config.ts';
import { readEnvFile } from '../../src/config/env-file.ts';
import { INPUTS, flagName, type InputKey } from '../../src/config/inputs.ts';
import { ACTION_SPELLING, COMMAND_LINE_SPELLING, type InputSpelling } from '../../src/config/spelling.ts';
import { describeS3Error } from '../../src/s3/errors.ts';
import { complete, configurationErrorOf } from './config-fixtures.ts';

// Each configuration error, rendered for the action and for the command line: the action names
// its inputs (`force`), the command line its flags (`--force`), and neither borrows the other's words.

const INPUT_NAMES = Object.values(INPUTS).map((definition) => definition.input);
const folder = mkdtempSync(join(tmpdir(), 'riva-spelling-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

type Surface = 'action' | 'command line';
const SPELLINGS: Record<Surface, InputSpelling> = { action: ACTION_SPELLING, 'command line': COMMAND_LINE_SPELLING };

/** What the user reads: the error the configuration step throws, rendered by the entry point. */
function shown(surface: Surface, fails: (spelling: InputSpelling) => unknown): string {
  const spelling = SPELLINGS[surface];
  return spelling.render(configurationErrorOf(() => fails(spelling)));
}

const resolve = (inputs: ConfigSources['inputs'], env: ConfigSources['env'] = {}) => (spelling: InputSpelling) =>
  resolveConfig({ inputs, env, envFile: {}, spelling });

/** Each kind of configuration error, and the inputs its message must name with their variables. */
interface Case {
  readonly name: string;
  readonly fails: (spelling: InputSpelling) => unknown;
  readonly names: readonly InputKey[];
  /** The error is about the input given, not its value: its variables need not be named. */
  readonly withoutVariables?: true;
}

const CASES: readonly Case[] = [
  { name: 'required inputs missing', fails: resolve({}), names: ['modelS3Uri', 'bucket', 'modelName', 'modelVersion', 'environment', 'awsRegion'] },
  { name: 'a required input without a variable (promote)', fails: resolve({ ...complete, mode: 'promote' }), names: ['fromEnvironment'] },
  { name: 'a value out of range', fails: resolve({ ...complete, timeout: 'soon', maxAttempts: '99' }), names: ['timeout', 'maxAttempts'] },
  { name: 'a malformed value', fails: resolve({ ...complete, awsRegion: 'nowhere', expectedSha256: 'abc', maxInflatedBytes: '3 apples' }), names: ['awsRegion', 'expectedSha256', 'maxInflatedBytes'] },
  { name: 'a boolean that is not one', fails: resolve({ ...complete, force: 'yes', dryRun: 'maybe' }), names: ['force', 'dryRun'] },
  { name: 'credentials in the endpoint', fails: resolve({ ...complete, s3Endpoint: 'http://user:secret@127.0.0.1:9000' }), names: ['s3Endpoint'] },
  { name: 'an input of another mode', fails: resolve({ ...complete, mode: 'full', deep: 'true' }), names: ['deep'], withoutVariables: true },
  { name: 'an input of another mode, by variable', fails: resolve({ ...complete, fromEnvironment: 'dev' }, { RIVA_STAGE_MODE: 'list' }), names: ['fromEnvironment'], withoutVariables: true },
  { name: 'promote to the same environment', fails: resolve({ ...complete, mode: 'promote', fromEnvironment: 'prod' }), names: ['fromEnvironment', 'environment'] },
  { name: 'language and architecture not in the archive name', fails: resolve({ ...complete, modelS3Uri: 's3://models/riva-models/model.tar.gz' }), names: ['languageCode', 'architecture'] },
  { name: 'a staging key too long', fails: resolve({ ...complete, modelS3Uri: `s3://models/${'folder/'.repeat(140)}riva-models/x-en-us-rnnt.tar.gz` }), names: ['modelS3Uri', 'environment'], withoutVariables: true },
  { name: 'an env-file that does not exist', fails: (spelling) => readEnvFile(join(folder, 'missing.env'), folder, { spelling }), names: ['envFile'] },
  { name: 'an env-file that cannot be read', fails: (spelling) => readEnvFile(folder, folder, { spelling }), names: ['envFile'] },
  // Every input, however it is validated, is named on either surface: a control character is refused in all of them.
  ...(Object.keys(INPUTS) as InputKey[]).map(
    (key): Case => ({ name: `a control character in ${INPUTS[key].input}`, fails: resolve({ ...complete, [key]: 'x\u0007y' }), names: [key] }),
  ),
];

function expectActionWords(text: string, names: readonly InputKey[]): void {
  for (const key of names) expect(text).toContain(`\`${INPUTS[key].input}\``);
  expect(text).not.toMatch(/`--[a-z]/);
}

function expectCommandLineWords(text: string, names: readonly InputKey[]): void {
  for (const key of names) expect(text).toContain(`\`--${flagName(key)}\``);
  for (const name of INPUT_NAMES) expect(text).not.toContain(`\`${name}\``);
  expect(text).not.toMatch(/\binputs?\b/);
}

describe('every configuration error, in the words of each surface', () => {
  it.each(CASES)('$name', ({ fails, names, withoutVariables }) => {
    const action = shown('action', fails);
    const commandLine = shown('command line', fails);
    expectActionWords(action, names);
    expectCommandLineWords(commandLine, names);
    for (const key of withoutVariables ? [] : names) {
      for (const variable of INPUTS[key].env) {
        expect(action).toContain(variable);
        expect(commandLine).toContain(variable);
      }
    }
  });

  it('asks for a missing value as each surface takes it', () => {
    expect(shown('action', resolve({ ...complete, bucket: '' }))).toBe(
      '`bucket` (NVIDIA_DRIVERS_S3_BUCKET) is required: set the `bucket` input or NVIDIA_DRIVERS_S3_BUCKET.',
    );
    expect(shown('command line', resolve({ ...complete, bucket: '' }))).toBe(
      '`--bucket` (NVIDIA_DRIVERS_S3_BUCKET) is required: pass `--bucket` or set NVIDIA_DRIVERS_S3_BUCKET.',
    );
    expect(shown('command line', resolve({ ...complete, mode: 'promote' }))).toBe(
      '`--from-environment` (RIVA_PROMOTE_FROM_ENV) is required: pass `--from-environment` or set RIVA_PROMOTE_FROM_ENV.',
    );
    expect(shown('command line', resolve({ ...complete, mode: 'promote', fromEnvironment: 'prod' }))).toBe(
      '`--from-environment` (RIVA_PROMOTE_FROM_ENV) and `--environment` (ENV) are both "prod": promote copies a staging to another environment, ' +
        'or to another bucket (`--to-bucket` (RIVA_PROMOTE_TO_BUCKET)).',
    );
  });
});

describe('messages written in the action words, on the command line', () => {
  const render = COMMAND_LINE_SPELLING.render;

  it('adds a switch instead of setting it, and names value flags', () => {
    expect(render('every object it pins is unchanged (set `force` to re-stage).')).toBe('every object it pins is unchanged (add `--force` to re-stage).');
    expect(render('Set `force` to re-stage it.')).toBe('Add `--force` to re-stage it.');
    expect(render('then re-run with `force`.')).toBe('then re-run with `--force`.');
    expect(render('Set `aws-region` (AWS_REGION) to the bucket\'s region.')).toBe('Set `--aws-region` (AWS_REGION) to the bucket\'s region.');
    expect(render('set the `from-environment` input')).toBe('pass `--from-environment`');
  });

  it('leaves words that are not inputs, and is the identity for the action', () => {
    const text = 'the key `source/x.tar.gz` of `checksums.sha256` was `force`d? no: `--force` stays';
    expect(render(text)).toBe('the key `source/x.tar.gz` of `checksums.sha256` was `--force`d? no: `--force` stays');
    expect(ACTION_SPELLING.render('set `force` to re-stage')).toBe('set `force` to re-stage');
  });

  it('reports missing credentials as missing, and names configure-aws-credentials only in the action', () => {
    const context = { action: 'read the model archive', uri: 's3://models/x.tar.gz', region: 'us-east-1', endpoint: undefined };
    const missing = describeS3Error(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), context);
    expect(missing.message).toContain('no AWS credentials were found (Could not load credentials from any providers)');
    expect(missing.message).not.toContain('rejected');
    expect(ACTION_SPELLING.render(missing.message)).toContain('the role given to aws-actions/configure-aws-credentials');
    expect(render(missing.message)).not.toContain('configure-aws-credentials');
    expect(render(missing.message)).toContain('AWS_PROFILE or a profile from `aws configure` or `aws sso login`');
  });
});
