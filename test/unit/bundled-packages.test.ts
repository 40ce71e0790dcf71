import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bundledPackages, packageDirectory } from '../../scripts/build/bundled-packages.ts';
import { licenceEntry } from '../../scripts/build/licence-entry.ts';

describe('the packages a build bundles', () => {
  it('are found in every chunk, inside concatenated modules too, each once and by name', () => {
    const entry = {
      modules: [
        { name: './src/index.ts' },
        { name: 'external "node:fs"' },
        { name: './node_modules/zod/v4/classic/index.js + 40 modules', modules: [{ name: './node_modules/zod/v4/core/core.js' }, { name: './src/config/schema.ts' }] },
        { name: './node_modules/@aws-sdk/client-s3/dist-es/index.js' },
      ],
    };
    const chunk = { modules: [{ name: './node_modules/@actions/cache/lib/cache.js' }, { name: './node_modules/@actions/cache/node_modules/semver/index.js' }, { name: './node_modules/zod/v4/core/util.js' }] };
    expect(bundledPackages([entry, chunk], '/repo')).toEqual([
      '/repo/node_modules/@actions/cache',
      '/repo/node_modules/@aws-sdk/client-s3',
      '/repo/node_modules/@actions/cache/node_modules/semver',
      '/repo/node_modules/zod',
    ]);
  });

  it('are named by the innermost node_modules, a scope taking two segments', () => {
    expect(packageDirectory('/r/node_modules/a/node_modules/@s/b/lib/x.js')).toBe('/r/node_modules/a/node_modules/@s/b');
    expect(packageDirectory('/r/node_modules/tar/dist/esm/index.js')).toBe('/r/node_modules/tar');
    expect(packageDirectory('/r/src/index.ts')).toBeUndefined();
    expect(packageDirectory('/r/node_modules/@scope')).toBeUndefined();
  });
});

describe("a package's licence entry", () => {
  let root: string | undefined;
  afterEach(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });
  const aPackage = (files: Record<string, string>) => {
    root = mkdtempSync(join(tmpdir(), 'riva-licence-'));
    mkdirSync(root, { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(root, name), content);
    return root;
  };

  it('holds the name, the identifier and the licence text', () => {
    const directory = aPackage({ 'package.json': JSON.stringify({ name: 'tar', license: 'BlueOak-1.0.0' }), 'LICENSE.md': '# Blue Oak\n\nText.\n\n', 'README.md': 'not this' });
    expect(licenceEntry(directory)).toBe('tar\nBlueOak-1.0.0\n# Blue Oak\n\nText.\n');
  });

  it('holds the identifier alone for a package that ships no licence file', () => {
    const directory = aPackage({ 'package.json': JSON.stringify({ name: '@aws-sdk/x', license: 'Apache-2.0' }), 'README.md': 'not this' });
    expect(licenceEntry(directory)).toBe('@aws-sdk/x\nApache-2.0\n');
  });
});
