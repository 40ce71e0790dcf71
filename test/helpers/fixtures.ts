import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createGzip, gzipSync } from 'node:zlib';
import { Header, Pax, create } from 'tar';

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
  return gzipSync(makeRawTar(entries));
}

/** The uncompressed tar of `makeRawArchive`, for tests that damage it before compressing it. */
export function makeRawTar(entries: readonly RawEntry[]): Buffer {
  return Buffer.concat([...entries.map(tarEntry), TAR_END]);
}

/** Two zero blocks: where a tar ends. */
export const TAR_END = Buffer.alloc(1024);

/** One entry's header, content and padding to the next 512-byte block. */
export function tarEntry(entry: RawEntry): Buffer {
  const content = 'content' in entry ? entry.content : Buffer.alloc(0);
  return Buffer.concat([
    tarHeader(entry.path, content.length, 'link' in entry ? { type: entry.link, linkpath: entry.target } : {}),
    content,
    Buffer.alloc((512 - (content.length % 512)) % 512),
  ]);
}

/**
 * A PAX extended header that gives `path` a size of `sizeBytes`, then the file's own header
 * (which says 0): the bytes that follow are the file's content, however few there are.
 */
export function paxClaim(path: string, sizeBytes: number): Buffer {
  return Buffer.concat([new Pax({ path, size: sizeBytes }).encode(), tarHeader(path, 0)]);
}

function tarHeader(path: string, size: number, link: { type?: 'SymbolicLink' | 'Link'; linkpath?: string } = {}): Buffer {
  const header = Buffer.alloc(512);
  new Header({
    path,
    mode: 0o644,
    uid: 0,
    gid: 0,
    size,
    mtime: new Date('2025-09-01T00:00:00Z'),
    type: link.type ?? 'File',
    linkpath: link.linkpath ?? '',
  }).encode(header, 0);
  return header;
}

const MIB = 1024 * 1024;
/** Random bytes in each MiB of `sparseBytes`: 1 %, so that it gzips about 100×. */
const SPARSE_RANDOM_BYTES = 10 * 1024;

/** `blocks` gzip'd as they are produced: gigabytes of (mostly zero) content never sit in memory at once. */
export function gzipBlocks(blocks: Iterable<Buffer>): Promise<Buffer> {
  return buffer(Readable.from(blocks).pipe(createGzip()));
}

/** One file entry whose `sizeBytes` of content come from `content`, in blocks. */
export function* streamedTarEntry(path: string, sizeBytes: number, content: Iterable<Buffer>): Generator<Buffer> {
  yield tarHeader(path, sizeBytes);
  yield* content;
  yield Buffer.alloc((512 - (sizeBytes % 512)) % 512);
}

/** `sizeBytes` of zeros, 1 MiB at a time. */
export function* zeros(sizeBytes: number): Generator<Buffer> {
  const block = Buffer.alloc(MIB);
  for (let left = sizeBytes; left > 0; left -= MIB) yield block.subarray(0, Math.min(MIB, left));
}

/** `sizeBytes` that gzip about 100×: each MiB starts with 10 KiB of random bytes, the rest zeros. */
export function* sparseBytes(sizeBytes: number): Generator<Buffer> {
  const rest = Buffer.alloc(MIB - SPARSE_RANDOM_BYTES);
  for (let left = sizeBytes; left > 0; left -= MIB) {
    yield Buffer.concat([randomBytes(SPARSE_RANDOM_BYTES), rest]).subarray(0, Math.min(MIB, left));
  }
}
