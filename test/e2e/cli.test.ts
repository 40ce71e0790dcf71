import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { usage } from '../../src/command-line/usage.ts';
import { MetadataSchema } from '../../src/metadata.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv } from '../helpers/bintarball.ts';
import { runCli } from '../helpers/cli-runner.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

const s3 = useStagingFixture();

/** The seed pipeline's variables, as a shell script would export them. */
const seedEnv = (overrides: Record<string, string> = {}) => ({
  ...credentialsEnv(s3.target),
  RIVA_ASR_MODEL_S3_URI: s3.tree.modelUri,
  NVIDIA_DRIVERS_S3_BUCKET: s3.tree.bucket,
  RIVA_ASR_MODEL_NAME: MODEL_NAME,
  MODEL_VERSION,
  ENV: 'dev',
  AWS_REGION: s3.target.region,
  AWS_ENDPOINT_URL_S3: s3.target.endpoint,
  ...overrides,
});

describe('riva-130-stage command line', () => {
  it('--help, --version and --docs print and exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toBe(usage());
    expect(help.stdout).toMatch(/^Usage: riva-130-stage \[--bintarball-reference \| --reference-only \| --full\n/);
    expect(help.stdout).toMatch(/^ {2}--model-s3-uri=URI +RIVA_ASR_MODEL_S3_URI$/m);
    expect(help.stdout).toMatch(/^ {2}--aws-region=REGION \(or --region\) +AWS_REGION, AWS_DEFAULT_REGION$/m);
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
    const docs = await runCli(['--docs']);
    expect(docs.exitCode).toBe(0);
    expect(docs.stdout).toBe(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'));
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--full', '--reference-only'], 'choose one of --bintarball-reference, --reference-only, --full, --verify, --promote'],
    [['--timeout=soon'], '`--timeout` (RIVA_STAGE_TIMEOUT) must be a whole number'],
    [['--ful'], "Unknown option '--ful'. Did you mean --full?"],
    [['--dryrun'], "Unknown option '--dryrun'. Did you mean --dry-run?"],
    [['--env-file=/nonexistent/.env'], '`--env-file`: /nonexistent/.env does not exist. Fix the path, or drop `--env-file`.'],
  ])('%j is a usage error: exit 2', async (args, message) => {
    const run = await runCli(args, seedEnv());
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
    for (const line of run.stderr.trimEnd().split('\n')) expect(line).toMatch(/^riva-130-stage: /);
    expect(run.stdout).toBe('');
  });

  it('a missing variable is a configuration error: exit 2', async () => {
    const run = await runCli(['--reference-only'], seedEnv({ MODEL_VERSION: '' }));
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('riva-130-stage: `--model-version` (MODEL_VERSION) is required: pass `--model-version` or set MODEL_VERSION.');
  });

  it('a failed staging exits 1', async () => {
    const run = await runCli(['--reference-only'], seedEnv({ RIVA_ASR_MODEL_S3_URI: `s3://${s3.tree.bucket}/riva-models/missing-en-us-rnnt.tar.gz` }));
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('no such object');
  });

  it('stages in each mode from the seed variables, with a plain summary and no escape codes off a terminal', async () => {
    for (const [flag, metadataKey] of [
      ['--bintarball-reference', `bintarball/deployment-metadata/dev/${MODEL_NAME}/${MODEL_VERSION}/deployment.json`],
      ['--reference-only', `dev/${MODEL_NAME}/${MODEL_VERSION}/artifact.json`],
      ['--full', `dev/${MODEL_NAME}/${MODEL_VERSION}/artifact.json`],
    ] as const) {
      // reference-only and full share a layout: --force lets full replace the reference staging.
      const run = await runCli([flag, ...(flag === '--full' ? ['--force'] : [])], seedEnv());
      expect(run.stderr, flag).not.toContain('riva-130-stage:');
      expect(run.exitCode, flag).toBe(0);
      expect(run.stdout).toMatch(/^Riva model staged\n/);
      expect(run.stdout).toContain(`s3://${s3.tree.bucket}/${metadataKey}`);
      expect(run.stdout + run.stderr).not.toContain('\u001b[');
      expect(await s3.target.exists(s3.tree.bucket, metadataKey)).toBe(true);
    }
  });

  it('draws a progress bar on a terminal, and clears it', async () => {
    const run = await runCli(['--full'], seedEnv(), undefined, { terminal: true });
    expect(run.exitCode).toBe(0);
    // eslint-disable-next-line no-control-regex -- the escape sequence is what is checked
    expect(run.stdout).toMatch(/\r\u001b\[2K\[#{24}\] Reading the model archive: 100\.0%/);
    expect(run.stdout).toContain('Riva model staged');
  });

  it('--json prints one JSON object with the outputs and the metadata URI; logs go to stderr', async () => {
    const run = await runCli(['--reference-only', '--json'], seedEnv());
    expect(run.exitCode).toBe(0);
    const printed = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({
      'deployment-json-uri': `s3://${s3.tree.bucket}/dev/${MODEL_NAME}/${MODEL_VERSION}/artifact.json`,
      status: 'staged',
      mode: 'reference-only',
      'source-uri': s3.tree.modelUri,
    });
    expect(MetadataSchema.parse(printed.metadata).deployment.metadata_uri).toBe(printed['deployment-json-uri']);
    expect(run.stderr).toContain('Wrote s3://');
  });

  it('--dry-run plans, and a re-run is already staged', async () => {
    const dry = await runCli(['--dry-run', '--json'], seedEnv());
    expect(JSON.parse(dry.stdout)).toMatchObject({ status: 'planned' });
    expect(await s3.target.exists(s3.tree.bucket, `bintarball/deployment-metadata/dev/${MODEL_NAME}/${MODEL_VERSION}/deployment.json`)).toBe(false);
    expect(JSON.parse((await runCli(['--json'], seedEnv())).stdout)).toMatchObject({ status: 'staged' });
    const again = await runCli(['--json'], seedEnv());
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'already-staged' });
    // In the command line's words: the flag, not the action's input.
    expect(again.stderr).toContain('every object it pins is unchanged (add `--force` to re-stage).');
  });

  it('--verify checks a staging and exits 1 on a mismatch', async () => {
    expect((await runCli(['--full'], seedEnv())).exitCode).toBe(0);
    const verified = await runCli(['--verify', '--deep', '--json'], seedEnv());
    expect(verified.exitCode).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ status: 'verified', mismatches: [] });

    await s3.target.putObject(s3.tree.bucket, `dev/${MODEL_NAME}/${MODEL_VERSION}/checksums.sha256`, 'tampered\n');
    const failed = await runCli(['--verify'], seedEnv());
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toMatch(/^Riva deployment verification failed/);
    expect(failed.stderr).toContain('checksums file');
  });

  it('takes every value as a flag named as the input, ahead of the environment and of .env', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'riva-cli-flags-'));
    writeFileSync(join(directory, '.env'), 'ENV=dev\nMODEL_VERSION=from-dotenv\n');
    const flags = [
      `--model-s3-uri=${s3.tree.modelUri}`,
      `--bucket=${s3.tree.bucket}`,
      `--model-name=${MODEL_NAME}`,
      `--region=${s3.target.region}`,
      `--endpoint-url=${s3.target.endpoint}`,
      '--environment=prod',
      '--reference-only',
      '--json',
    ];
    // ENV: flag (prod) over the environment (staging) over .env (dev); MODEL_VERSION: the environment over .env.
    const run = await runCli(flags, { ...credentialsEnv(s3.target), ENV: 'staging', MODEL_VERSION }, directory);
    expect(run.stderr).not.toContain('riva-130-stage:');
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)['deployment-json-uri']).toBe(`s3://${s3.tree.bucket}/prod/${MODEL_NAME}/${MODEL_VERSION}/artifact.json`);
    const fromDotenv = await runCli(flags.filter((flag) => !flag.startsWith('--environment')), { ...credentialsEnv(s3.target), MODEL_VERSION }, directory);
    expect(JSON.parse(fromDotenv.stdout)['deployment-json-uri']).toBe(`s3://${s3.tree.bucket}/dev/${MODEL_NAME}/${MODEL_VERSION}/artifact.json`);
  });

  it('reads a .env file from the working directory, and --env-file from a path', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'riva-cli-env-'));
    const dotenv = Object.entries(seedEnv()).map(([name, value]) => `${name}=${value}`).join('\n');
    writeFileSync(join(directory, '.env'), dotenv);
    writeFileSync(join(directory, 'staging.env'), dotenv.replace('ENV=dev', 'ENV=staging'));
    const fromDotenv = await runCli(['--reference-only', '--json'], {}, directory);
    expect(JSON.parse(fromDotenv.stdout)['deployment-json-uri']).toContain('/dev/');
    const fromFile = await runCli(['--reference-only', '--json', `--env-file=${join(directory, 'staging.env')}`], {}, directory);
    expect(JSON.parse(fromFile.stdout)['deployment-json-uri']).toContain('/staging/');
  });
});

describe('riva-130-stage command line: what it says when it cannot start', () => {
  it('reports missing credentials as missing, in its own words: exit 1', async () => {
    const withoutCredentials: Record<string, string> = seedEnv();
    delete withoutCredentials.AWS_ACCESS_KEY_ID;
    delete withoutCredentials.AWS_SECRET_ACCESS_KEY;
    const run = await runCli(['--reference-only'], withoutCredentials);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(': no AWS credentials were found (');
    expect(run.stderr).toContain('AWS_PROFILE or a profile from `aws configure` or `aws sso login`.');
    expect(run.stderr).not.toContain('rejected');
    expect(run.stderr).not.toContain('configure-aws-credentials');
  });

  it('prefixes every line of a report of several problems', async () => {
    const run = await runCli(['--reference-only'], seedEnv({ MODEL_VERSION: 'v/1', ENV: '..', AWS_REGION: 'us east 1' }));
    expect(run.exitCode).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^riva-130-stage: `--(model-version|environment|aws-region)` /);
  });

  it('names each malformed .env line by its number, never its content, and uses the rest', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'riva-cli-env-'));
    const secret = 'wJalrXUtnFEMI-secret';
    const lines = Object.entries(seedEnv()).map(([name, value]) => `${name}=${value}`);
    writeFileSync(join(directory, '.env'), ['# seed', ...lines.slice(0, 2), `AWS_SECRET ${secret}`, 'QUOTED="multi', 'line value"', ...lines.slice(2)].join('\n'));
    const run = await runCli(['--reference-only', '--json'], {}, directory);
    expect(run.exitCode).toBe(0);
    const warnings = run.stderr.split('\n').filter((line) => line.startsWith('warning: ') && line.includes('.env'));
    expect(warnings).toEqual([`warning: ${join(directory, '.env')} line 4 is not KEY=VALUE, a comment or blank: it was ignored.`]);
    expect(run.stdout + run.stderr).not.toContain(secret);
  });
});

describe('riva-130-stage command line: inputs it refuses, and what it never prints', () => {
  /** The seed variables pointed at the recording proxy, so a test can tell that no request was made. */
  const proxiedEnv = (overrides: Record<string, string> = {}) => seedEnv({ AWS_ENDPOINT_URL_S3: s3.proxy.endpoint, ...overrides });

  it.each([
    [['--from-environment=dev'], '`--from-environment` belongs to --promote, not to mode bintarball-reference (the default): remove it, or add --promote.'],
    [['--full', '--deep'], '`--deep` belongs to --verify or --promote, not to --full: remove it, or use one of those.'],
    [['--verify', '--dry-run'], '`--dry-run` belongs to --bintarball-reference, --reference-only, --full, --promote or --delete, not to --verify'],
    [['--list', '--force'], '`--force` belongs to --bintarball-reference, --reference-only, --full, --promote or --delete, not to --list'],
  ])('%j is a usage error naming the mode the flag belongs to: exit 2, no request', async (args, message) => {
    const run = await runCli(args, proxiedEnv());
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`riva-130-stage: ${message}`);
    expect(run.stdout).toBe('');
    expect(s3.proxy.requests).toEqual([]);
  });

  it('judges a flag on the mode the run resolved to, from RIVA_STAGE_MODE as well as from a flag', async () => {
    const run = await runCli(['--deep'], proxiedEnv({ RIVA_STAGE_MODE: 'list' }));
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('`--deep` belongs to --verify or --promote, not to mode list (from RIVA_STAGE_MODE)');
    // The flag reaches promote, which then looks for the dev staging (there is none).
    const promoted = await runCli(['--from-environment=dev'], proxiedEnv({ RIVA_STAGE_MODE: 'promote', ENV: 'prod' }));
    expect(promoted.exitCode).toBe(1);
    expect(promoted.stderr).toContain('riva-130-stage: No staging of parakeet-rnnt-en-us v2025.09 for dev at');
  });

  it('refuses a control character in a URI or name, showing it escaped: exit 2, no request', async () => {
    const run = await runCli(['--reference-only'], proxiedEnv({ RIVA_ASR_MODEL_S3_URI: `${s3.tree.modelUri.slice(0, -7)}\nforged.tar.gz`, MODEL_VERSION: 'v1\u0085' }));
    expect(run.exitCode).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^riva-130-stage: `--model-s3-uri` \(RIVA_ASR_MODEL_S3_URI\) must not contain a control character .*\\nforged\.tar\.gz"\.$/);
    expect(lines[1]).toBe('riva-130-stage: `--model-version` (MODEL_VERSION) must not contain a control character (newline, carriage return, tab, …), but has U+0085 at character 3; got "v1\\u0085".');
    expect(s3.proxy.requests).toEqual([]);
  });

  it('never prints the password of an endpoint URL, nor writes it to a state file', async () => {
    const secret = 'endpointPassw0rd';
    const stateFile = join(mkdtempSync(join(tmpdir(), 'riva-cli-state-')), 'state.json');
    const endpoint = s3.proxy.endpoint.replace('://', `://${s3.target.accessKeyId}:${secret}@`);
    for (const args of [['--reference-only'], ['--full', '--json'], ['--verify']]) {
      const run = await runCli(args, proxiedEnv({ AWS_ENDPOINT_URL_S3: endpoint, RIVA_STAGE_STATE_FILE: stateFile }));
      expect(run.exitCode, args.join(' ')).toBe(2);
      expect(run.stderr).toContain('`--s3-endpoint` (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL) must not carry credentials (user:password@)');
      expect(run.stderr).toContain('got "http://***@127.0.0.1:');
      expect(run.stdout + run.stderr).not.toContain(secret);
    }
    expect(existsSync(stateFile)).toBe(false);
    expect(s3.proxy.requests).toEqual([]);
  });

  it('a dry run against a missing target bucket fails naming it, instead of answering planned', async () => {
    const run = await runCli(['--dry-run', '--json'], seedEnv({ NVIDIA_DRIVERS_S3_BUCKET: 'no-such-deployments' }));
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      'riva-130-stage: Could not find the target bucket (s3://no-such-deployments/): the bucket does not exist. Check the bucket name and `--aws-region` (AWS_REGION).',
    );
    const planned = await runCli(['--dry-run', '--json'], seedEnv());
    expect(JSON.parse(planned.stdout)).toMatchObject({ status: 'planned' });
  });

  it('a state file it cannot write is one warning naming the path, and the staging succeeds', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'riva-cli-state-'));
    writeFileSync(join(folder, 'not-a-folder'), '');
    const stateFile = join(folder, 'not-a-folder', 'state.json');
    const run = await runCli(['--reference-only', '--json'], seedEnv({ RIVA_STAGE_STATE_FILE: stateFile }));
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'staged' });
    const warnings = run.stderr.split('\n').filter((line) => line.startsWith('warning: Could not write the state file'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(stateFile);
  });
});

