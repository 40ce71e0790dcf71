import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header, create } from 'tar';

/** A generated Riva deployable archive: nested `.riva` files of random bytes and a README. */
export interface ModelArchive {
  readonly bytes: Buffer;
  /** Relative path → content of every entry. */
  readonly files: Record<string, Buffer>;
}

export const DEFAULT_MODEL_FILES = {
  'parakeet-rnnt/1/parakeet-rnnt-1.1b-en-us.riva': 96 * 1024,
  'parakeet-rnnt/punctuation/punctuation-en-us.riva': 12 * 1024,
  'README.txt': 200,
};

export async function makeModelArchive(files: Record<string, number> = DEFAULT_MODEL_FILES): Promise<ModelArchive> {
  const root = mkdtempSync(join(tmpdir(), 'riva-fixture-'));
  try {
    const content: Record<string, Buffer> = {};
    for (const [path, size] of Object.entries(files)) {
      const bytes = path.endsWith('.riva') ? randomBytes(size) : Buffer.from('x'.repeat(size));
      mkdirSync(dirname(join(root, 'tree', path)), { recursive: true });
      writeFileSync(join(root, 'tree', path), bytes);
      content[path] = bytes;
    }
    const archive = join(root, 'archive.tar.gz');
    await create({ gzip: true, file: archive, cwd: join(root, 'tree'), portable: true }, Object.keys(files));
    return { bytes: readFileSync(archive), files: content };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const ARCHIVE_NAME = 'parakeet-rnnt-riva-1-1b-en-us-deployable_v8.1.tar.gz';
export const MODEL_KEY = `bintarball/riva-models/parakeet/${ARCHIVE_NAME}`;
export const CONTAINER_KEY = 'bintarball/riva-containers/riva-speech-2.15.0.tar.gz';

/** One entry of a hand-built archive: a file with content, or a link. */
export type RawEntry =
  | { readonly path: string; readonly content: Buffer }
  | { readonly path: string; readonly link: 'SymbolicLink' | 'Link'; readonly target: string };

/**
 * A gzip'd tar built header by header, so tests can make archives no well-behaved tool would
 * (`../` paths, absolute paths, links).
 */
export function makeRawArchive(entries: readonly RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const header = Buffer.alloc(512);
    const content = 'content' in entry ? entry.content : Buffer.alloc(0);
    new Header({
      path: entry.path,
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: content.length,
      mtime: new Date('2025-09-01T00:00:00Z'),
      type: 'link' in entry ? entry.link : 'File',
      linkpath: 'link' in entry ? entry.target : '',
    }).encode(header, 0);
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
