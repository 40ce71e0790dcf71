import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandData, runAction, type ActionRun } from '../helpers/action-runner.ts';
import { MODEL_NAME, MODEL_VERSION, credentialsEnv, stagingInputs } from '../helpers/bintarball.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

// The action refuses inputs that would forge a line, leak a secret or fail part-way, before any
// request; what it prints and writes never holds an endpoint's password.
const s3 = useStagingFixture();

const act = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  runAction({ inputs: stagingInputs(s3.target, s3.proxy.endpoint, s3.tree, inputs), env: { ...credentialsEnv(s3.target), ...env } });

/** Every file the step could have written: outputs, summary, state files, anything in the workspace or RUNNER_TEMP. */
function filesOf(run: ActionRun): string[] {
  const walk = (path: string): string[] =>
    statSync(path).isDirectory() ? readdirSync(path).flatMap((name) => walk(join(path, name))) : [readFileSync(path, 'utf8')];
  return walk(dirname(run.workspace));
}

describe('action inputs it refuses', () => {
  it('an endpoint with user:password@ fails before any request, and the password appears nowhere', async () => {
    const secret = 'endpointPassw0rd';
    for (const [inputs, env] of [
      [{ 's3-endpoint': s3.proxy.endpoint.replace('://', `://user:${secret}@`) }, {}],
      [{ 's3-endpoint': '' }, { AWS_ENDPOINT_URL_S3: s3.proxy.endpoint.replace('://', `://${secret}@`) }],
      [{ 's3-endpoint': `ftp://user:${secret}@host`, mode: 'full' }, {}],
    ] as const) {
      const run = await act(inputs, env);
      expect(run.exitCode).toBe(1);
      expect(commandData(run.errors.join('\n'))).toContain('`s3-endpoint` (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL) must');
      expect(commandData(run.errors.join('\n'))).toContain('***@');
      for (const text of [run.stdout, run.stderr, ...filesOf(run)]) expect(text).not.toContain(secret);
    }
    expect(s3.proxy.requests).toEqual([]);
  });

  it('a newline in model-s3-uri cannot forge a line of the marker: refused, named, shown escaped', async () => {
    const run = await act({ 'model-s3-uri': `${s3.tree.modelUri}\nstatus: complete\nx.tar.gz` });
    expect(run.exitCode).toBe(1);
    expect(commandData(run.errors.join('\n'))).toMatch(
      /^`model-s3-uri` \(RIVA_ASR_MODEL_S3_URI\) must not contain a control character \(newline, carriage return, tab, …\), but has U\+000A at character \d+; got ".*\\nstatus: complete\\nx\.tar\.gz"\.$/,
    );
    expect(s3.proxy.requests).toEqual([]);
  });

  it('names inputs of another mode by their input names, and the mode they belong to', async () => {
    const run = await act({ 'from-environment': 'dev', mode: 'full' });
    expect(run.exitCode).toBe(1);
    expect(commandData(run.errors.join('\n'))).toBe('`from-environment` belongs to mode promote, not to mode full: remove it, or set `mode` to promote.');
    expect(s3.proxy.requests).toEqual([]);
  });

  it('a dry run against a missing target bucket fails naming the bucket', async () => {
    const run = await act({ bucket: 'no-such-deployments', 'dry-run': 'true' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBeUndefined();
    expect(commandData(run.errors.join('\n'))).toContain('Could not find the target bucket (s3://no-such-deployments/): the bucket does not exist.');
    expect(s3.proxy.requests.some((request) => request.method === 'HEAD' && request.path.replace(/\/$/, '') === '/no-such-deployments')).toBe(true);
  });
});

describe('the workspace .env', () => {
  const dotenv = { '.env': `RIVA_ARTIFACT_ID=from-dotenv\nAWS_ENDPOINT_URL_S3=http://127.0.0.1:9\nnot a variable\n` };
  const step = (inputs: Record<string, string>) =>
    runAction({ inputs: stagingInputs(s3.target, s3.target.endpoint, s3.tree, { environment: 'dotenv', ...inputs }), env: credentialsEnv(s3.target), workspaceFiles: dotenv });

  it('is read only when env-file names it; a malformed line is a warning naming its number', async () => {
    const unasked = await step({});
    expect(unasked.errors).toEqual([]);
    expect(unasked.outputs['artifact-id']).toBe(`${MODEL_NAME}-${MODEL_VERSION}`);
    expect(unasked.warnings.join('\n')).not.toContain('.env');

    // The action speaks of its inputs: `force`, not --force.
    const again = await step({});
    expect(again.outputs.status).toBe('already-staged');
    expect(again.stdout).toContain('every object it pins is unchanged (set `force` to re-stage).');

    const named = await step({ 'env-file': '.env', force: 'true' });
    expect(named.errors).toEqual([]);
    expect(named.outputs['artifact-id']).toBe('from-dotenv');
    expect(named.warnings.map(commandData).filter((warning) => warning.includes('.env'))).toEqual([`${join(named.workspace, '.env')} line 3 is not KEY=VALUE, a comment or blank: it was ignored.`]);
  });
});
