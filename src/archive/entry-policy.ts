import { ValidationError } from '../errors.ts';

/** The parts of a tar header that decide what happens to an entry. */
export interface TarEntryHeader {
  readonly path: string;
  readonly type: string;
  readonly size: number;
  readonly linkpath?: string | undefined;
}

export type EntryDecision =
  /** A `.riva` model file: staged under the same relative path. */
  | { readonly action: 'stage'; readonly path: string }
  /** A regular file that is not a model file: listed in the summary, not staged. */
  | { readonly action: 'skip'; readonly path: string }
  /** A directory: nothing to do. */
  | { readonly action: 'ignore' };

const REGULAR_FILES = new Set(['File', 'OldFile', 'ContiguousFile']);
const LINKS = new Set(['SymbolicLink', 'Link']);

/**
 * What to do with one archive entry. Entries that could write outside the staging prefix, or
 * that the staging cannot represent, reject the whole archive: an archive that carries them was
 * not produced by the model export and must not be staged.
 */
export function classifyEntry(header: TarEntryHeader): EntryDecision {
  // `tar -C dir .` writes the root itself first, as `./`: harmless, and it has no relative path.
  if (header.type === 'Directory' && isArchiveRoot(header.path)) return { action: 'ignore' };
  const path = relativeEntryPath(header.path);
  if (LINKS.has(header.type)) {
    throw new ValidationError(
      `The archive entry "${header.path}" is a ${header.type === 'Link' ? 'hard link' : 'symbolic link'} ` +
        `(to "${header.linkpath ?? ''}"); model archives must hold regular files only.`,
    );
  }
  if (header.type === 'Directory') return { action: 'ignore' };
  if (!REGULAR_FILES.has(header.type)) {
    throw new ValidationError(`The archive entry "${header.path}" is a ${header.type}, not a regular file.`);
  }
  return path.endsWith('.riva') ? { action: 'stage', path } : { action: 'skip', path };
}

/** The entry's path relative to the archive root, or a ValidationError naming the entry. */
export function relativeEntryPath(rawPath: string): string {
  const problem = entryPathProblem(rawPath);
  if (problem !== undefined) throw new ValidationError(`The archive entry ${JSON.stringify(rawPath)} ${problem}.`);
  return segmentsOf(rawPath).join('/');
}

/**
 * Why an entry path cannot be staged, as the rest of a sentence about the entry ("has an
 * absolute path; …"), or undefined when it can. The one definition of a sane entry name, for the
 * full read and for the check of an archive's first entry alike.
 */
export function entryPathProblem(rawPath: string): string | undefined {
  if (rawPath.startsWith('/') || rawPath.startsWith('\\') || /^[A-Za-z]:/.test(rawPath)) {
    return 'has an absolute path; entries must be relative';
  }
  // Control characters and backslashes cannot be written to a sha256sum checksums file as-is,
  // and a backslash is a separator on some systems that later read the staging.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(rawPath)) return 'has control characters or a backslash in its path';
  const segments = segmentsOf(rawPath);
  if (segments.includes('..')) return 'climbs out of the archive with ".."';
  if (segments.length === 0) return 'has an empty path';
  return undefined;
}

/** `./`, `.`: the archive's root directory, which names no path of its own. */
export function isArchiveRoot(rawPath: string): boolean {
  return rawPath.startsWith('.') && segmentsOf(rawPath).length === 0;
}

function segmentsOf(rawPath: string): string[] {
  return rawPath.split('/').filter((segment) => segment !== '' && segment !== '.');
}

/**
 * The files of one archive by the path they stage under, so that a second entry for the same
 * path rejects the archive: it would silently replace the first under the same key (as tar
 * extraction would), and which of the two a reader gets would depend on upload order.
 */
export class EntryPaths {
  /** Normalised path → the entry's path as the archive spells it. */
  readonly #entryNames = new Map<string, string>();

  /** Records the entry `rawPath` under its normalised `path`, or throws a ValidationError naming both entries. */
  claim(rawPath: string, path: string): void {
    const earlier = this.#entryNames.get(path);
    if (earlier === undefined) {
      this.#entryNames.set(path, rawPath);
      return;
    }
    const entries = earlier === rawPath
      ? `entry ${JSON.stringify(rawPath)} appears twice`
      : `entries ${JSON.stringify(earlier)} and ${JSON.stringify(rawPath)} both name ${path}`;
    throw new ValidationError(`The archive ${entries}; archive entries must be unique, or one would replace the other.`);
  }
}
