import { constants as zlibConstants, gunzipSync } from 'node:zlib';
// The header parsers alone: the reference modes and verify check an archive's start without loading the rest of tar.
import { Header, type HeaderData } from 'tar/header';
import { Pax } from 'tar/pax';
import { errorMessage } from '../errors.ts';
import type { ObjectStore } from '../s3/object-store.ts';
import type { S3Location } from '../s3/uri.ts';
import { entryPathProblem, isArchiveRoot } from './entry-policy.ts';

/**
 * The reference modes stage an archive without reading it through, so they prove from its first
 * bytes that it is a gzip'd tar. 64 KiB leave room for a gzip header's optional fields and the
 * PAX or GNU long-name records that may come before the first entry.
 */
export const ARCHIVE_HEAD_BYTES = 64 * 1024;

const TAR_BLOCK = 512;
/** Inflated bytes that hold the first entry's header, extension records included, in any sane archive. */
const TAR_START_BYTES = 16 * 1024;
/** Headers that describe the entry after them rather than being one. */
const EXTENSION_HEADERS: ReadonlySet<string> = new Set([
  'ExtendedHeader', 'OldExtendedHeader', 'GlobalExtendedHeader', 'NextFileHasLongPath', 'OldGnuLongPath', 'NextFileHasLongLinkpath',
]);
/** What an archive that is not gzip'd may be instead, to say so. */
const OTHER_FORMATS: ReadonlyArray<{ readonly magic: readonly number[]; readonly name: string }> = [
  { magic: [0x50, 0x4b, 0x03, 0x04], name: 'a zip file' },
  { magic: [0x42, 0x5a, 0x68], name: 'bzip2-compressed' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: 'xz-compressed' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], name: 'zstd-compressed' },
];

/**
 * Why an object whose first bytes are `head` is not a gzip'd tar, as the rest of a sentence about
 * it ("is not gzip-compressed (…)"), or undefined when its start is one. `head` holds the object's
 * first bytes: all of them when it is smaller than what was read. Only the start is proven: a
 * corruption further on is found by the read that stages the archive.
 */
export function archiveHeadProblem(head: Buffer, archiveSizeBytes: number): string | undefined {
  if (head.length === 0) return 'is empty';
  const gzipProblem = gzipSignatureProblem(head);
  if (gzipProblem !== undefined) return gzipProblem;
  let start: { readonly tar: Buffer; readonly ofWholeHead: boolean };
  try {
    start = inflatedStart(head);
  } catch (error) {
    return `is gzip but its compressed data is corrupt (${errorMessage(error)})`;
  }
  return tarStartProblem(start.tar, start.ofWholeHead && head.length >= archiveSizeBytes, head.length);
}

function gzipSignatureProblem(head: Buffer): string | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) {
    // Deflate is the only method gzip defines; any other byte here is not a gzip stream.
    return head.length > 2 && head[2] !== 8 ? `starts like gzip but names compression method ${head[2]}, not deflate (8)` : undefined;
  }
  const start = [...head.subarray(0, 4)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
  return `is not gzip-compressed (it starts with ${start}${otherFormat(head)})`;
}

function otherFormat(head: Buffer): string {
  const format = OTHER_FORMATS.find(({ magic }) => magic.every((byte, index) => head[index] === byte));
  if (format !== undefined) return `: ${format.name}`;
  // A plain tar is the likeliest mistake: its ustar magic sits 257 bytes in.
  return head.toString('latin1', 257, 262) === 'ustar' ? ': an uncompressed tar' : '';
}

/**
 * The start of what `head` inflates to, and whether it is all that `head` inflates to. Sync flush:
 * a head cut mid-stream inflates what it can instead of failing as truncated. Deflate expands up
 * to ~1000-fold, so growing prefixes of the head are inflated until enough comes out, and a head
 * of compressed zeros never becomes 64 MiB in memory.
 */
function inflatedStart(head: Buffer): { tar: Buffer; ofWholeHead: boolean } {
  for (let length = 1024; ; length *= 2) {
    const tar = gunzipSync(head.subarray(0, length), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    const ofWholeHead = length >= head.length;
    if (ofWholeHead || tar.length >= TAR_START_BYTES) return { tar, ofWholeHead };
  }
}

/**
 * Whether `tar`, the inflated start of an archive, begins with a valid tar header for a sanely
 * named entry, following the extension headers (PAX, GNU long names) that may come first.
 * `whole`: `tar` is all the object inflates to, so what is missing from it is missing from the
 * archive; else only `headBytes` of the object were read and the rest may follow.
 */
function tarStartProblem(tar: Buffer, whole: boolean, headBytes: number): string | undefined {
  const notTar = (detail: string) => `is gzip but does not hold a tar archive: ${detail}`;
  let extension: HeaderData | undefined;
  let global: HeaderData | undefined;
  for (let offset = 0; ; ) {
    if (tar.length < offset + TAR_BLOCK) {
      const inflated = whole ? 'it inflates' : `its first ${headBytes} bytes inflate`;
      if (offset === 0) return notTar(`${inflated} to ${tar.length} bytes, less than one ${TAR_BLOCK}-byte tar header`);
      // The extension records run past what was inflated: the start seen is valid.
      return whole ? notTar('it ends inside the headers of its first entry') : undefined;
    }
    const header = new Header(tar, offset, extension, global);
    const which = offset === 0 ? 'its first header' : `its header at inflated byte ${offset}`;
    if (header.nullBlock) return offset === 0 ? 'is gzip but holds an empty tar archive' : notTar(`${which} ends the archive before any entry`);
    if (!header.cksumValid) return notTar(`${which} fails the tar header checksum`);
    if (header.type === 'Unsupported') {
      return notTar(`${which} has the unknown entry type ${JSON.stringify(tar.toString('latin1', offset + 156, offset + 157))}`);
    }
    if (!EXTENSION_HEADERS.has(header.type)) return entryNameProblem(header);
    const size = header.size ?? 0;
    const recordEnd = offset + TAR_BLOCK + size;
    if (tar.length < recordEnd) return whole ? notTar('it ends inside the headers of its first entry') : undefined;
    ({ extension, global } = applyExtension(header.type, tar.toString('utf8', offset + TAR_BLOCK, recordEnd), extension, global));
    offset += TAR_BLOCK + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
  }
}

function entryNameProblem(header: Header): string | undefined {
  const path = header.path ?? '';
  // `tar -C dir .` names the root directory first, as `./`.
  if (header.type === 'Directory' && isArchiveRoot(path)) return undefined;
  const problem = entryPathProblem(path);
  return problem === undefined ? undefined : `its first tar entry has an unsafe name: ${JSON.stringify(path)} ${problem}`;
}

/** An extension record applied as node-tar's parser applies it to the entry that follows. */
function applyExtension(
  type: string,
  record: string,
  extension: HeaderData | undefined,
  global: HeaderData | undefined,
): { extension: HeaderData | undefined; global: HeaderData | undefined } {
  const untilNul = (text: string) => text.split('\0', 1)[0] ?? '';
  switch (type) {
    case 'GlobalExtendedHeader':
      return { extension, global: Pax.parse(record, global, true) };
    case 'NextFileHasLongPath':
    case 'OldGnuLongPath':
      return { extension: { ...extension, path: untilNul(record) }, global };
    case 'NextFileHasLongLinkpath':
      return { extension: { ...extension, linkpath: untilNul(record) }, global };
    default:
      return { extension: Pax.parse(record, extension, false), global };
  }
}

/**
 * The first `maxBytes` of the object (all of it when smaller), pinned to `etag`: one ranged GET,
 * so a multi-GiB archive is not sent to check its start (a GET of the whole object, cut off once
 * enough arrived, would have a real link carry a window's worth more and lose the connection).
 */
export async function readArchiveHead(store: ObjectStore, location: S3Location, etag: string, size: number, maxBytes = ARCHIVE_HEAD_BYTES): Promise<Buffer> {
  // A range of an empty object is unsatisfiable (416): there is nothing to read.
  if (size === 0) return Buffer.alloc(0);
  const wanted = Math.min(size, maxBytes);
  const { body } = await store.readRange(location, { ifMatch: etag, first: 0, last: wanted - 1 });
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    // Stops at `wanted` even if a server ignores the range and sends the whole archive.
    for await (const chunk of body) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
      length += chunks.at(-1)!.length;
      if (length >= wanted) break;
    }
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks, length).subarray(0, wanted);
}
