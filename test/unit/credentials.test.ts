import { describe, expect, it } from 'vitest';
import { prepareCredentialEnvironment } from '../../src/s3/credentials.ts';

const files = (contents: Record<string, string>) => (path: string) => contents[path];
const keys = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' };
const paths = { AWS_CONFIG_FILE: '/home/u/.aws/config', AWS_SHARED_CREDENTIALS_FILE: '/home/u/.aws/credentials' };

describe('prepareCredentialEnvironment', () => {
  it('drops an empty AWS_PROFILE silently', () => {
    const env: NodeJS.ProcessEnv = { AWS_PROFILE: '  ', ...keys };
    expect(prepareCredentialEnvironment(env, files({}))).toEqual([]);
    expect('AWS_PROFILE' in env).toBe(false);
  });

  it('drops a profile no config file defines when keys are in the environment, with a warning', () => {
    const env: NodeJS.ProcessEnv = { AWS_PROFILE: 'release', ...keys, ...paths };
    const warnings = prepareCredentialEnvironment(env, files({ '/home/u/.aws/config': '[profile other]\nregion=us-east-1\n' }));
    expect(warnings).toEqual([
      'AWS_PROFILE is "release", but no such profile is in /home/u/.aws/config or /home/u/.aws/credentials; ' +
        'using the credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY instead.',
    ]);
    expect(env.AWS_PROFILE).toBeUndefined();
  });

  it('keeps a profile that exists, in either file and either spelling', () => {
    for (const content of ['[profile release]\n', '[release]\n']) {
      const env: NodeJS.ProcessEnv = { AWS_PROFILE: 'release', ...keys, ...paths };
      expect(prepareCredentialEnvironment(env, files({ '/home/u/.aws/config': content }))).toEqual([]);
      expect(env.AWS_PROFILE).toBe('release');
    }
    const env: NodeJS.ProcessEnv = { AWS_PROFILE: 'release', ...keys, ...paths };
    expect(prepareCredentialEnvironment(env, files({ '/home/u/.aws/credentials': '[release]\naws_access_key_id=x\n' }))).toEqual([]);
    expect(env.AWS_PROFILE).toBe('release');
  });

  it('leaves a named profile alone when there are no keys to fall back to', () => {
    const env: NodeJS.ProcessEnv = { AWS_PROFILE: 'release', ...paths };
    expect(prepareCredentialEnvironment(env, files({}))).toEqual([]);
    expect(env.AWS_PROFILE).toBe('release');
  });
});
