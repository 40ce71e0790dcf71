import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README, describeInput, readActionDefinition, renderReadme } from '../../scripts/docs/action-tables.ts';

describe('README', () => {
  it('has the inputs and outputs tables of action.yml (run `npm run docs` after changing it)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toBe(renderReadme(readme, readActionDefinition()));
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
