// README (Command line): `RIVA_STAGE_DEBUG=1` shows retries; without it the command line keeps
// them to the summary's count.
import { describe, expect, it } from 'vitest';
import { seedVariables } from '../helpers/bintarball.ts';
import { runCli } from '../helpers/cli-runner.ts';
import { MODEL_KEY } from '../helpers/fixtures.ts';
import { useStagingFixture } from '../helpers/staging-fixture.ts';

const s3 = useStagingFixture();

/** A staging whose first HEAD of the archive is throttled once, as S3 does under load. */
async function stageThrottledOnce(env: Record<string, string>) {
  s3.proxy.inject({
    matches: (request) => request.method === 'HEAD' && request.path.endsWith(MODEL_KEY),
    action: { kind: 'error', status: 503, code: 'SlowDown' },
    times: 1,
  });
  return runCli(['--reference-only'], { ...seedVariables(s3.target, s3.tree), AWS_ENDPOINT_URL_S3: s3.proxy.endpoint, ...env });
}

describe('RIVA_STAGE_DEBUG', () => {
  it('shows each retry on stderr when set, and none when not', async () => {
    const quiet = await stageThrottledOnce({});
    expect(quiet.exitCode, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toMatch(/Retrying/);

    const debug = await stageThrottledOnce({ RIVA_STAGE_DEBUG: '1' });
    expect(debug.exitCode, debug.stderr).toBe(0);
    expect(debug.stderr).toMatch(/Retrying HeadObjectCommand \(attempt 2 of 5\) after/);
    expect(s3.proxy.requests.filter((request) => request.method === 'HEAD' && request.path.endsWith(MODEL_KEY)).length).toBeGreaterThanOrEqual(4);
  });
});
