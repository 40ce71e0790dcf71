import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { ValidationError, errorMessage } from '../errors.ts';
import { EntryPaths, classifyEntry } from './entry-policy.ts';

/** One `.riva` file as it streams out of the archive. */
export interface ModelFileEntry {
  /** Relative to the archive root, e.g. `parakeet/1/model.riva`. */
  readonly path: string;
  readonly sizeBytes: number;
  /** The file's bytes; must be consumed (the archive does not advance until it is). */
  readonly content: ReadEntry;
}

export interface ArchiveContents {
  readonly modelFiles: readonly string[];
  /** Regular files that are not `.riva` and were not staged. */
  readonly skipped: readonly string[];
}

/**
 * Reads a gzip'd tar as it streams in, handing each `.riva` entry to `onModelFile` while later
 * bytes are still arriving; back-pressure flows from the consumer of each entry to `source`.
 * Resolves when the archive is read and every `onModelFile` has settled; rejects with a
 * ValidationError naming the problem when the archive is not a valid model archive.
 */
export async function readModelArchive(
  source: Readable,
  onModelFile: (file: ModelFileEntry) => Promise<void>,
): Promise<ArchiveContents> {
  // Large output chunks: per-chunk costs (tar parsing, hashing, part assembly) dominate at 16 KiB.
  const gunzip = createGunzip({ chunkSize: 512 * 1024 });
  const parser = new Parser({ strict: true });
  const modelFiles: string[] = [];
  const nonEmptyModelFiles: string[] = [];
  const skipped: string[] = [];
  const entryPaths = new EntryPaths();
  const consumers: Array<Promise<void>> = [];
  const openEntries = new Set<ReadEntry>();

  let rejectRead: (error: Error) => void = () => {};
  const read = new Promise<void>((resolve, reject) => {
    rejectRead = reject;
    parser.on('end', resolve);
  });
  let failure: Error | undefined;
  const fail = (error: Error) => {
    if (failure !== undefined) return;
    failure = error;
    // Stop the bytes at their source; the uploads in flight see their streams end early.
    source.unpipe(gunzip);
    source.destroy();
    gunzip.destroy();
    // Entries still being read end with the error, so their consumers stop too.
    for (const entry of openEntries) entry.emit('error', error);
    rejectRead(error);
  };

  parser.on('entry', (entry: ReadEntry) => {
    if (failure !== undefined) {
      entry.resume();
      return;
    }
    let decision;
    try {
      decision = classifyEntry(entry);
      // Before the entry is handed on: a duplicate must never reach the upload.
      if (decision.action !== 'ignore') entryPaths.claim(entry.path, decision.path);
    } catch (error) {
      entry.resume();
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
    openEntries.add(entry);
    entry.on('end', () => openEntries.delete(entry));
    const consumed = onModelFile({ path: decision.path, sizeBytes: entry.size, content: entry });
    consumers.push(consumed);
    consumed.catch((error: unknown) => fail(error as Error));
  });
  parser.on('error', (error: Error) => fail(new ValidationError(`The model archive is not a valid tar: ${error.message}`)));
  gunzip.on('error', (error: Error) => fail(gzipError(error)));
  source.on('error', (error: Error) => fail(error));

  source.pipe(gunzip).pipe(parser as unknown as NodeJS.WritableStream);
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

function gzipError(error: Error): ValidationError {
  const code = (error as { code?: string }).code;
  if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(error.message)) {
    return new ValidationError('The model archive is truncated: its gzip stream ends early.');
  }
  return new ValidationError(`The model archive is not a valid gzip file: ${errorMessage(error)}.`);
}
