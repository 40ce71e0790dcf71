import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionsCache } from '../../src/cache/actions-cache.ts';
import { archiveCacheKey } from '../../src/cache/archive-cache.ts';
import { chooseArchiveCache } from '../../src/cache/choose.ts';
import { loadActionsCache } from '../../src/cache/load-actions-cache.ts';
import { LocalDirectoryCache } from '../../src/cache/local-directory-cache.ts';
import { sampleConfig } from '../helpers/samples.ts';

const source = (uri: string, etag: string, size: number) => {
  const [bucket = '', ...key] = uri.replace('s3://', '').split('/');
  return { location: { bucket, key: key.join('/') }, info: { size, etag, lastModified: null, sha256: null } };
};

describe('archiveCacheKey', () => {
  it('changes with the archive URI, ETag and size, and is safe as a file name', () => {
    const key = archiveCacheKey(source('s3://m/a.tar.gz', '9b2cf535f27731c974343645a3985328-475', 100));
    expect(key).toMatch(/^riva-130-stage-v1-[0-9a-f]{16}-9b2cf535f27731c974343645a3985328-475-100$/);
    expect(archiveCacheKey(source('s3://m/b.tar.gz', '9b2cf535f27731c974343645a3985328-475', 100))).not.toBe(key);
    expect(archiveCacheKey(source('s3://m/a.tar.gz', 'other', 100))).not.toBe(key);
    expect(archiveCacheKey(source('s3://m/a.tar.gz', '9b2cf535f27731c974343645a3985328-475', 101))).not.toBe(key);
  });
});

describe('LocalDirectoryCache', () => {
  it('keeps an entry only once committed, with its SHA-256', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'riva-cache-unit-'));
    const cache = new LocalDirectoryCache(directory);
    const writer = await cache.begin('k');
    writeFileSync(writer.path, 'archive bytes');
    expect(await cache.restore('k')).toBeUndefined();
    await writer.commit('ab'.repeat(32));
    expect(await cache.restore('k')).toEqual({ path: join(directory, 'k.tar.gz'), sha256: 'ab'.repeat(32), sizeBytes: 13 });
    await cache.discard('k');
    expect(await cache.restore('k')).toBeUndefined();
  });

  it('drops a discarded partial entry', async () => {
    const cache = new LocalDirectoryCache(mkdtempSync(join(tmpdir(), 'riva-cache-unit-')));
    const writer = await cache.begin('k');
    writeFileSync(writer.path, 'half');
    await writer.discard();
    expect(existsSync(writer.path)).toBe(false);
  });
});

describe('chooseArchiveCache', () => {
  const saved = process.env.ACTIONS_CACHE_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.ACTIONS_CACHE_URL;
    else process.env.ACTIONS_CACHE_URL = saved;
  });
  const full = (inputs: Record<string, string> = {}) => sampleConfig({ mode: 'full', ...inputs });
  const neverLoaded = () => Promise.reject(new Error('the Actions cache was loaded for a run that does not use it'));

  it('uses no cache outside full mode or when turned off', async () => {
    expect(await chooseArchiveCache(sampleConfig(), 'action', {}, neverLoaded)).toEqual({ cache: undefined, notice: undefined });
    expect(await chooseArchiveCache(full({ cache: 'false' }), 'command-line', {})).toEqual({ cache: undefined, notice: undefined });
  });

  it('uses cache-dir as a local directory for both entries', async () => {
    const viaAction = await chooseArchiveCache(full({ cacheDir: '/var/cache/riva' }), 'action', {}, neverLoaded);
    const viaCommandLine = await chooseArchiveCache(full({ cacheDir: '/var/cache/riva' }), 'command-line', {});
    for (const choice of [viaAction, viaCommandLine]) expect(choice.cache?.description).toBe('local directory /var/cache/riva');
  });

  it('uses the user cache directory on the command line', async () => {
    expect((await chooseArchiveCache(full(), 'command-line', { XDG_CACHE_HOME: '/home/u/.cache' })).cache?.description).toBe(
      'local directory /home/u/.cache/riva-130-stage',
    );
  });

  it('uses the Actions cache when the runner provides the service, else says there is none', async () => {
    delete process.env.ACTIONS_CACHE_URL;
    const without = await chooseArchiveCache(full(), 'action', { RUNNER_TEMP: '/tmp/runner' }, loadActionsCache);
    expect(without.cache).toBeUndefined();
    expect(without.notice).toContain('provides no Actions cache service');
    process.env.ACTIONS_CACHE_URL = 'https://cache.example/';
    const withService = await chooseArchiveCache(full(), 'action', { RUNNER_TEMP: '/tmp/runner' }, loadActionsCache);
    expect(withService.cache).toBeInstanceOf(ActionsCache);
    expect(withService.notice).toBeUndefined();
  });
});
