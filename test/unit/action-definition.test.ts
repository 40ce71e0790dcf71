import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INPUTS } from '../../src/config/inputs.ts';
import { TOOL_VERSION } from '../../src/version.ts';

interface ActionDefinition {
  runs: { using: string; main: string };
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
}

const action = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as ActionDefinition;
const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('action.yml', () => {
  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('declares exactly the inputs the code reads', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(INPUTS).map((input) => input.input).sort());
  });

  it('names each input\'s environment variables and sets no runner default that would hide them', () => {
    for (const { input, env } of Object.values(INPUTS)) {
      const declared = action.inputs[input];
      expect(declared?.default, input).toBeUndefined();
      for (const variable of env) expect(declared?.description, input).toContain(variable);
    }
  });

  it('declares every output of the spec', () => {
    expect(Object.keys(action.outputs).sort()).toEqual(
      [
        'artifact-id',
        'deployment-json-uri',
        'marker-uri',
        'mode',
        'run-id',
        'source-sha256',
        'source-size-bytes',
        'source-uri',
        'state-file',
        'stagings',
        'status',
        'deployment-json-sha256',
        'deployment-json-version-id',
        'fetch-directory',
        'manifest-path',
      ].sort(),
    );
  });

  it('reports the package version as the tool version', () => {
    expect(TOOL_VERSION).toBe(packageJson.version);
  });
});
