import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README, commandLineSynopsis, describeInput, readActionDefinition, renderReadme } from '../../scripts/docs/action-tables.ts';
import { INPUT_FLAGS } from '../../src/command-line/flags.ts';

describe('README', () => {
  it('has the inputs and outputs tables of action.yml (run `npm run docs` after changing it)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toBe(renderReadme(readme, readActionDefinition()));
  });

  it("has the command line's synopsis from its option table (run `npm run docs` after changing INPUTS or the flags)", () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain(commandLineSynopsis());
    for (const flag of INPUT_FLAGS) expect(readme, flag.name).toContain(`  --${flag.name}`);
    // A README that has drifted from the option table is not what rendering gives.
    const drifted = readme.replace('--max-inflated-bytes=SIZE', '--max-inflated-bytes=BYTES');
    expect(drifted).not.toBe(readme);
    expect(renderReadme(drifted, readActionDefinition())).toBe(readme);
  });

  it('reads meaning, variables and default out of an input description', () => {
    expect(describeInput('Region for every S3 call. Falls back to AWS_REGION, then AWS_DEFAULT_REGION. Required.')).toEqual({
      meaning: 'Region for every S3 call',
      variables: '`AWS_REGION`, `AWS_DEFAULT_REGION`',
      defaultValue: 'required',
    });
    expect(describeInput('true to write nothing. Default: false.')).toEqual({
      meaning: 'true to write nothing',
      variables: '—',
      defaultValue: 'false',
    });
  });
});
