import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { seedBintarball, type Bintarball } from './bintarball.ts';
import type { ModelArchive } from './fixtures.ts';
import { startS3Proxy, type S3Proxy } from './s3-proxy.ts';
import { startS3Target, type S3Target } from './s3-target.ts';

/** What an end-to-end test works with: the S3 server, a fresh bintarball, a recording proxy. */
export interface StagingFixture {
  readonly target: S3Target;
  readonly tree: Bintarball;
  readonly proxy: S3Proxy;
  /** Replaces the proxy with a fresh one (no recorded requests, no faults). */
  restartProxy(): Promise<void>;
}

/**
 * Registers the hooks every end-to-end suite needs: the S3 server for the file, and for each
 * test a bucket seeded with a bintarball (optionally a given archive) behind a new proxy.
 */
export function useStagingFixture(archive?: () => Promise<ModelArchive>): StagingFixture {
  let target: S3Target | undefined;
  let tree: Bintarball | undefined;
  let proxy: S3Proxy | undefined;
  const defined = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`${name} is set up by the suite's hooks`);
    return value;
  };
  beforeAll(async () => {
    target = await startS3Target();
  });
  afterAll(async () => {
    await target?.stop();
  });
  beforeEach(async () => {
    tree = await seedBintarball(defined(target, 'target'), archive ? await archive() : undefined);
    proxy = await startS3Proxy(defined(target, 'target').endpoint);
  });
  afterEach(async () => {
    await proxy?.stop();
  });
  return {
    get target() {
      return defined(target, 'target');
    },
    get tree() {
      return defined(tree, 'tree');
    },
    get proxy() {
      return defined(proxy, 'proxy');
    },
    async restartProxy() {
      await proxy?.stop();
      proxy = await startS3Proxy(defined(target, 'target').endpoint);
    },
  };
}
