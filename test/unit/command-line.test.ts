import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/config/config.ts';
import { INPUTS, type InputDefinition, type InputKey } from '../../src/config/inputs.ts';
import { closestMatch, editDistance } from '../../src/command-line/did-you-mean.ts';
import { INPUT_FLAGS, TOOL_FLAGS, knownFlagNames, parseCommandLine } from '../../src/command-line/flags.ts';
import { usage } from '../../src/command-line/usage.ts';
import { ConfigurationError } from '../../src/errors.ts';

const definitions = Object.entries(INPUTS) as [InputKey, InputDefinition][];

function usageError(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('command-line flags', () => {
  it('has a flag for every input, named as the input, setting that input', () => {
    for (const [key, definition] of definitions) {
      const argv = definition.flag?.switch ? [`--${definition.input}`] : [`--${definition.input}=value-of-${key}`];
      expect(parseCommandLine(argv).inputs, definition.input).toEqual({ [key]: definition.flag?.switch ? 'true' : `value-of-${key}` });
    }
  });

  it('takes a switch as --name and --no-name, and a value as --name=VALUE or --name VALUE', () => {
    expect(parseCommandLine(['--no-cache', '--deep', '--force']).inputs).toEqual({ cache: 'false', deep: 'true', force: 'true' });
    expect(parseCommandLine(['--bucket', 'deployments', '--model-version=v1']).inputs).toEqual({ bucket: 'deployments', modelVersion: 'v1' });
  });

  it('takes an alias for the input it names, and refuses both spellings at once', () => {
    expect(parseCommandLine(['--region=eu-west-1', '--endpoint-url=http://127.0.0.1:9000']).inputs).toEqual({
      awsRegion: 'eu-west-1',
      s3Endpoint: 'http://127.0.0.1:9000',
    });
    expect(usageError(['--region=eu-west-1', '--aws-region=us-east-1'])).toBe('--aws-region and --region set the same input: give one.');
  });

  it('turns a mode flag into the mode input, and refuses two modes', () => {
    for (const mode of OPERATIONS) expect(parseCommandLine([`--${mode}`]).inputs).toEqual({ mode });
    expect(parseCommandLine(['--mode=verify']).inputs).toEqual({ mode: 'verify' });
    expect(parseCommandLine(['--mode=verify', '--verify']).inputs).toEqual({ mode: 'verify' });
    expect(usageError(['--full', '--verify'])).toContain('choose one of --bintarball-reference, --reference-only, --full');
    expect(usageError(['--full', '--mode=verify'])).toContain('choose one of');
  });

  it('reads the tool flags apart from the inputs', () => {
    expect(parseCommandLine(['--json', '-h'])).toEqual({ inputs: {}, tool: { json: true, help: true, docs: false, version: false } });
  });

  it('never gives two things the same flag name', () => {
    const names = knownFlagNames();
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining([...Object.keys(TOOL_FLAGS), ...OPERATIONS, 'bucket', 'model-s3-uri', 'aws-region', 's3-endpoint']));
  });

  it('lists every flag in --help with its environment variables', () => {
    const help = usage();
    for (const flag of INPUT_FLAGS) {
      const line = help.split('\n').findIndex((text) => text.startsWith(`  --${flag.name}${flag.switch ? ' ' : '='}`));
      expect(line, flag.name).toBeGreaterThan(0);
      const [own, next] = help.split('\n').slice(line, line + 2);
      for (const variable of flag.env) expect(`${own}\n${next}`, flag.name).toContain(variable);
      for (const alias of flag.aliases) expect(own, flag.name).toContain(`--${alias}`);
    }
    for (const mode of OPERATIONS) expect(help).toContain(`  --${mode} `);
  });

  it('fits --help in an 80-column terminal', () => {
    for (const line of usage().split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });
});

describe('did you mean', () => {
  it.each([
    ['--ful', 'Did you mean --full?'],
    ['--dryrun', 'Did you mean --dry-run?'],
    ['--verfy', 'Did you mean --verify?'],
    ['--regoin=us-east-1', 'Did you mean --region?'],
    ['--no-cach', 'Did you mean --no-cache?'],
  ])('%s', (flag, suggestion) => {
    expect(usageError([flag])).toBe(`Unknown option '${flag.split('=')[0]}'. ${suggestion}`);
  });

  it('suggests nothing for a word that is not close to any flag', () => {
    expect(usageError(['--bogus'])).toBe("Unknown option '--bogus'.");
  });

  it('does not take the value of a flag for a flag', () => {
    expect(usageError(['--model-name', '--ful'])).toContain("Option '--model-name' argument is ambiguous");
    expect(parseCommandLine(['--env-file=--x.env']).inputs).toEqual({ envFile: '--x.env' });
  });

  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('dryrun', 'dry-run')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closestMatch('ful', ['full', 'force'])).toBe('full');
    expect(closestMatch('xyz', ['full', 'force'])).toBeUndefined();
  });
});
