import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readActionDefinition } from '../../scripts/docs/action-tables.ts';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  name?: string;
  on?: unknown;
  jobs?: Record<string, { 'runs-on'?: unknown; steps?: Step[] }>;
}

const directory = new URL('../../docs/examples/', import.meta.url);
const examples = readdirSync(directory).filter((name) => name.endsWith('.yml'));
const inputs = Object.keys(readActionDefinition().inputs);

describe('example workflows', () => {
  it('exist', () => {
    expect(examples.sort()).toEqual(['deploy.yml', 'dispatch.yml', 'matrix.yml', 'minio.yml', 'promote.yml', 'release.yml']);
  });

  it.each(examples)('%s is a workflow whose riva-130-stage steps use only declared inputs', (name) => {
    const workflow = parse(readFileSync(new URL(name, directory), 'utf8')) as Workflow;
    expect(workflow.name).toBeTruthy();
    expect(workflow.on).toBeTruthy();
    const jobs = Object.values(workflow.jobs ?? {});
    expect(jobs.length).toBeGreaterThan(0);
    const stageSteps = jobs.flatMap((job) => {
      expect(job['runs-on']).toBeTruthy();
      for (const step of job.steps ?? []) expect(step.uses ?? step.run).toBeTruthy();
      return (job.steps ?? []).filter((step) => step.uses?.startsWith('org/riva-130-stage@'));
    });
    expect(stageSteps.length).toBeGreaterThan(0);
    for (const step of stageSteps) {
      for (const key of Object.keys(step.with ?? {})) expect(inputs, `${name}: with.${key}`).toContain(key);
    }
  });
});
