import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { ValidationError, errorMessage } from '../errors.ts';
import { EntryPaths, classifyEntry } from './entry-policy.ts';
import { InflationLimit } from './inflation-limit.ts';

/** One `.riva` file as it streams out of the archive. */
export interface ModelFileEntry {
  /** Relative to the archive root, e.g. `parakeet/1/model.riva`. */
  readonly path: string;
  readonly sizeBytes: number;
  /**
   * The file's bytes; must be consumed (the archive does not advance until it is). When the
   * read fails, the stream is destroyed with the failure; an error listener attached later
   * still hears it (the stream replays its error).
   */
  readonly content: ReadEntry;
}

export interface ArchiveContents {
  readonly modelFiles: readonly string[];
  /** Regular files that are not `.riva` and were not staged. */
  readonly skipped: readonly string[];
}

export interface ArchiveLimits {
  /** Bytes the archive may inflate to, every entry counted (skipped ones too), with tar headers and padding. */
  readonly maxInflatedBytes: number;
}

/**
 * Reads a gzip'd tar as it streams in, handing each `.riva` entry to `onModelFile` while later
 * bytes are still arriving; back-pressure flows from the consumer of each entry to `source`.
 * Resolves when the archive is read and every `onModelFile` has settled; rejects with a
 * ValidationError naming the problem when the archive is not a valid model archive or inflates
 * past `limits`. However it fails, it rejects once, with the first error, after tearing down
 * `source`, the decompressor and every entry still open.
 */
export async function readModelArchive(
  source: Readable,
  limits: ArchiveLimits,
  onModelFile: (file: ModelFileEntry) => Promise<void>,
): Promise<ArchiveContents> {
  // Large output chunks: per-chunk costs (tar parsing, hashing, part assembly) dominate at 16 KiB.
  const gunzip = createGunzip({ chunkSize: 512 * 1024 });
  const parser = new Parser({ strict: true });
  const inflation = new InflationLimit(limits.maxInflatedBytes);
  const modelFiles: string[] = [];
  const nonEmptyModelFiles: string[] = [];
  const skipped: string[] = [];
  const entryPaths = new EntryPaths();
  const consumers: Array<Promise<void>> = [];
  /** Entries the parser emitted that have not ended: a failure destroys them. */
  const openEntries = new Set<ReadEntry>();

  let settle: (error?: Error) => void = () => {};
  const read = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  let failure: Error | undefined;
  // The one owner of a failed read: the first error wins, and what the teardown causes is ignored.
  const fail = (error: Error) => {
    if (failure !== undefined) return;
    failure = error;
    gunzip.off('data', feedParser);
    source.unpipe(gunzip);
    source.destroy();
    gunzip.destroy();
    // Stops the parser mid-chunk: no further entry, no further write to the ones below. (It
    // reports the abort as an error of its own, which arrives here second and is ignored.)
    parser.abort(new Error('The archive is no longer read.'));
    // Each has the reader's own error listener (below), so this never throws; a consumer still
    // waiting to read its entry hears the error when it starts listening.
    for (const entry of openEntries) entry.destroy(error);
    openEntries.clear();
    settle(error);
  };

  // node-tar's Parser is no Node stream: `pipe` would call a `destroy` it does not have when a
  // write throws. It is written to here, pausing the decompressor while it is full.
  const feedParser = (chunk: Buffer) => {
    const tooLarge = inflation.inflated(chunk.length);
    if (tooLarge !== undefined) return fail(tooLarge);
    try {
      if (!parser.write(chunk)) gunzip.pause();
    } catch (error) {
      fail(notATar(error));
    }
  };
  parser.on('drain', () => gunzip.resume());
  gunzip.on('data', feedParser);
  gunzip.on('end', () => {
    try {
      parser.end();
    } catch (error) {
      fail(notATar(error));
    }
  });

  parser.on('entry', (entry: ReadEntry) => {
    // Failures are handled by `fail`; this listener is what makes destroying an entry that
    // nobody reads yet safe.
    entry.on('error', () => {});
    if (failure !== undefined) {
      entry.resume();
      return;
    }
    openEntries.add(entry);
    entry.on('end', () => openEntries.delete(entry));
    let decision;
    try {
      // Before anything sizes itself by the entry's claimed size.
      const tooLarge = inflation.claimed(entry.path, entry.size);
      if (tooLarge !== undefined) throw tooLarge;
      decision = classifyEntry(entry);
      // Before the entry is handed on: a duplicate must never reach the upload.
      if (decision.action !== 'ignore') entryPaths.claim(entry.path, decision.path);
    } catch (error) {
      fail(error as Error);
      return;
    }
    if (decision.action !== 'stage') {
      if (decision.action === 'skip') skipped.push(decision.path);
      entry.resume();
      return;
    }
    modelFiles.push(decision.path);
    if (entry.size > 0) nonEmptyModelFiles.push(decision.path);
    const consumed = onModelFile({ path: decision.path, sizeBytes: entry.size, content: entry });
    consumers.push(consumed);
    consumed.catch((error: unknown) => fail(error as Error));
  });
  parser.on('end', () => settle());
  parser.on('error', (error: Error) => fail(notATar(error)));
  gunzip.on('error', (error: Error) => fail(gzipError(error)));
  source.on('error', (error: Error) => fail(error));

  source.pipe(gunzip);
  try {
    await read;
    await Promise.all(consumers);
  } catch (error) {
    // Let every file already being handed over finish or fail before reporting, so that what
    // landed is known (and recorded) when the caller cleans up.
    await Promise.allSettled(consumers);
    throw failure ?? error;
  }
  if (failure !== undefined) throw failure;
  if (nonEmptyModelFiles.length === 0) {
    throw new ValidationError(
      `The model archive holds no non-empty .riva file${modelFiles.length > 0 ? ` (only empty ones: ${modelFiles.join(', ')})` : ''}.`,
    );
  }
  return { modelFiles, skipped };
}

function notATar(error: unknown): ValidationError {
  return new ValidationError(`The model archive is not a valid tar: ${errorMessage(error)}`);
}

function gzipError(error: Error): ValidationError {
  const code = (error as { code?: string }).code;
  if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(error.message)) {
    return new ValidationError('The model archive is truncated: its gzip stream ends early.');
  }
  return new ValidationError(`The model archive is not a valid gzip file: ${errorMessage(error)}.`);
}
