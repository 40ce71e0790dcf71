import { describe, expect, it } from 'vitest';
import { EntryPaths, classifyEntry, entryPathProblem, relativeEntryPath } from '../../src/archive/entry-policy.ts';
import { ValidationError } from '../../src/errors.ts';

const file = (path: string) => ({ path, type: 'File', size: 10 });

describe('classifyEntry', () => {
  it('stages .riva files under their relative path and skips other files', () => {
    expect(classifyEntry(file('./parakeet/1/model.riva'))).toEqual({ action: 'stage', path: 'parakeet/1/model.riva' });
    expect(classifyEntry(file('parakeet//README.md'))).toEqual({ action: 'skip', path: 'parakeet/README.md' });
    expect(classifyEntry({ path: 'parakeet/', type: 'Directory', size: 0 })).toEqual({ action: 'ignore' });
  });

  it.each([
    [file('/etc/model.riva'), 'has an absolute path'],
    [file('C:/models/model.riva'), 'has an absolute path'],
    [file('a/../../model.riva'), 'climbs out of the archive'],
    [file('a/b\\c.riva'), 'backslash'],
    [file('a/line\nbreak.riva'), 'control characters'],
    [{ path: 'a/link.riva', type: 'SymbolicLink', size: 0, linkpath: '/etc/passwd' }, 'is a symbolic link (to "/etc/passwd")'],
    [{ path: 'a/hard.riva', type: 'Link', size: 0, linkpath: 'a/x.riva' }, 'is a hard link'],
    [{ path: 'a/dev', type: 'CharacterDevice', size: 0 }, 'is a CharacterDevice, not a regular file'],
  ])('rejects %j: %s', (header, message) => {
    expect(() => classifyEntry(header)).toThrow(ValidationError);
    expect(() => classifyEntry(header)).toThrow(message);
  });

  it('rejects an entry whose path is empty', () => {
    expect(() => relativeEntryPath('./')).toThrow('empty path');
    expect(() => classifyEntry(file('./'))).toThrow('empty path');
  });

  it.each(['./', '.', '././'])('ignores the archive root directory %j, as `tar -C dir .` writes it first', (path) => {
    expect(classifyEntry({ path, type: 'Directory', size: 0 })).toEqual({ action: 'ignore' });
  });

  it('still rejects an absolute root directory', () => {
    expect(() => classifyEntry({ path: '/', type: 'Directory', size: 0 })).toThrow('has an absolute path');
  });
});

describe('entryPathProblem', () => {
  it('says what is wrong with a path as the rest of a sentence, and nothing for a sane one', () => {
    expect(entryPathProblem('./parakeet/1/model.riva')).toBeUndefined();
    expect(entryPathProblem('/abs')).toBe('has an absolute path; entries must be relative');
    expect(entryPathProblem('../x.riva')).toBe('climbs out of the archive with ".."');
    expect(entryPathProblem('a/\u0007.riva')).toBe('has control characters or a backslash in its path');
    expect(entryPathProblem('')).toBe('has an empty path');
  });
});

describe('EntryPaths', () => {
  it('accepts entries with different paths', () => {
    const paths = new EntryPaths();
    paths.claim('m/a.riva', 'm/a.riva');
    paths.claim('./m/b.riva', 'm/b.riva');
    expect(() => paths.claim('m/a.riva.bak', 'm/a.riva.bak')).not.toThrow();
  });

  it('rejects a second entry for the same path, naming both as the archive spells them', () => {
    const paths = new EntryPaths();
    paths.claim('dir//a.riva', 'dir/a.riva');
    expect(() => paths.claim('./dir/a.riva', 'dir/a.riva')).toThrow(ValidationError);
    expect(() => paths.claim('./dir/a.riva', 'dir/a.riva')).toThrow(
      'The archive entries "dir//a.riva" and "./dir/a.riva" both name dir/a.riva; archive entries must be unique, or one would replace the other.',
    );
    expect(() => paths.claim('dir//a.riva', 'dir/a.riva')).toThrow('The archive entry "dir//a.riva" appears twice;');
  });
});
