import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { defaultMaxInflatedBytes } from '../../archive/inflation-limit.ts';
import { readModelArchive, type ModelFileEntry } from '../../archive/model-archive.ts';
import type { ArchiveCache } from '../../cache/archive-cache.ts';
import type { StageConfig } from '../../config/config.ts';
import { ValidationError } from '../../errors.ts';
import { relativeToPrefix, stagedModelFile, stagingObject, type FullLayout } from '../../layout.ts';
import { Semaphore } from '../../limit.ts';
import type { ReferencedObject, StagedFile } from '../../metadata.ts';
import { uploadStream, type MultipartUploads } from '../../s3/multipart.ts';
import type { ObjectStore } from '../../s3/object-store.ts';
import { serverSideCopy, supportsServerSideCopy } from '../../s3/server-side-copy.ts';
import { hashingTransform, pipelineInto, teeInto } from '../../streams.ts';
import type { Timeline } from '../../timeline.ts';
import { TransferProgress, type ProgressDisplay } from '../../transfer-progress.ts';
import { openArchiveBytes, type ArchiveBytes } from './archive-source.ts';
import type { CacheReport, ModeContent, ObjectWrite, StagedObject } from './content.ts';
import type { StagedEntry, StagingProgress } from './continuation.ts';
import { PassWrites } from './pass-writes.ts';

/** `.riva` uploads in flight at once; each holds at most UPLOAD_QUEUE_SIZE parts in memory. */
const MODEL_UPLOADS_IN_FLIGHT = 2;

export interface FullModeContext {
  readonly config: StageConfig;
  readonly layout: FullLayout;
  readonly source: ReferencedObject;
  readonly containers: readonly ReferencedObject[];
  readonly store: ObjectStore;
  readonly log: (message: string) => void;
  readonly progress: ProgressDisplay;
  /** Objects an earlier run of the same source staged, by path under the prefix. */
  readonly reusable: ReadonlyMap<string, StagedEntry>;
  /** Where each staged object is recorded as it lands, for a run that has to continue. */
  readonly record: StagingProgress;
  /** Where the archive is kept between runs, when caching is on. */
  readonly cache: ArchiveCache | undefined;
  /** What a failing pass could not clean up, shown at once. */
  readonly warn: (message: string) => void;
  /** SHA-256s known to be the archive's (`expected-sha256`, a complete staging's record): a cached copy hashing to one is proven. */
  readonly knownSha256: readonly string[];
  /** Where the pass records when its bytes came down, its parts went up and the copy completed. */
  readonly timeline: Timeline;
}

/**
 * full: one streaming pass over the archive. The bytes from S3 are hashed, decompressed and
 * split into `.riva` entries, each hashed again and uploaded while later bytes still arrive;
 * the archive's own copy is made server-side meanwhile. Nothing touches the disk.
 */
export async function stageFullContent(context: FullModeContext): Promise<ModeContent> {
  const { layout, source, store, log } = context;
  const { sourceCopy } = layout;
  if (source.info.size === 0) throw new ValidationError('The model archive is empty (0 bytes).');
  const writes = new PassWrites();
  const { uploads } = writes;
  const completed: StagedObject[] = [];
  const reused: string[] = [];
  const warnings: string[] = [];
  const sourceCopyPath = relativeToPrefix(layout, sourceCopy);
  let archive: ArchiveBytes | undefined;
  try {
    const earlierCopy = context.reusable.get(sourceCopyPath);
    const copySource = { location: source.location, etag: source.info.etag, sizeBytes: source.info.size };
    const copyDone = earlierCopy !== undefined && earlierCopy.sizeBytes === source.info.size;
    const uploadArchiveBytes = !copyDone && !(await supportsServerSideCopy(store, uploads, copySource, sourceCopy, context.warn));
    if (uploadArchiveBytes) log('The S3 server does not copy objects server-side: uploading the archive from the same download.');
    if (copyDone) reused.push(sourceCopyPath);
    const copy: Promise<StagedObject> | undefined = copyDone
      ? Promise.resolve({ location: sourceCopy, sizeBytes: earlierCopy.sizeBytes, etag: earlierCopy.etag, what: 'the archive copy' })
      : uploadArchiveBytes
        ? undefined
        : writes.start(sourceCopy, 'the archive copy', async () => {
            const object = await copyArchive(context, uploads);
            context.timeline.mark('archive copied');
            await context.record.add({ path: sourceCopyPath, sizeBytes: object.sizeBytes, sha256: null, etag: object.etag });
            return object;
          });
    if (copyDone) writes.adopt(sourceCopy, 'the archive copy');

    const progress = TransferProgress.on(context.progress, 'Reading the model archive', source.info.size);
    archive = await openArchiveBytes({
      source,
      store,
      cache: context.cache,
      knownSha256: context.knownSha256,
      maxAttempts: context.config.connection.maxAttempts,
      progress,
      log,
      warn: (message) => {
        warnings.push(message);
        log(`Warning: ${message}`);
      },
    });
    const bytes = archive.stream;
    // A failed copy stops the pass at once rather than after the whole archive was read.
    copy?.catch((error: unknown) => bytes.destroy(error as Error));
    const archiveHash = createHash('sha256');
    const hashed = pipelineInto(bytes, hashingTransform(archiveHash));
    // Listening once beside the pipe observes the first chunk without changing the flow.
    bytes.once('data', () => context.timeline.markFirst('first byte down'));
    bytes.once('end', () => context.timeline.mark('last byte down'));

    let archiveUpload: Promise<StagedObject> | undefined;
    let archiveStream: Readable = hashed;
    if (uploadArchiveBytes) {
      // Tee: the same bytes feed the archive reader and the archive's upload, at the pace of the slower.
      const toReader = new PassThrough();
      const toUpload = new PassThrough();
      teeInto(hashed, [toReader, toUpload]);
      archiveStream = toReader;
      archiveUpload = writes.start(sourceCopy, 'the archive copy', async () => {
        const { etag } = await uploadStream(store, uploads, sourceCopy, toUpload, source.info.size, 'the archive copy');
        context.timeline.mark('archive copied');
        return { location: sourceCopy, sizeBytes: source.info.size, etag, what: 'the archive copy' };
      });
    }

    const files: StagedFile[] = [];
    const slots = new Semaphore(MODEL_UPLOADS_IN_FLIGHT);
    const maxInflatedBytes = context.config.maxInflatedBytes ?? defaultMaxInflatedBytes(source.info.size);
    const contents = await readModelArchive(archiveStream, { maxInflatedBytes }, async (entry) => {
      const release = await slots.acquire();
      try {
        const staged = await stageModelFile(context, writes, entry);
        files.push(staged.file);
        completed.push(staged.object);
        if (staged.reused) reused.push(staged.file.path);
      } finally {
        release();
      }
    });
    const archiveCopy = await (archiveUpload ?? copy)!;
    completed.push(archiveCopy);
    progress.showNow();

    const sourceSha256 = archiveHash.digest('hex');
    checkArchiveHash(sourceSha256, context);
    await archive.keep(sourceSha256);
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const modelBytes = files.filter((file) => !reused.includes(file.path)).reduce((sum, file) => sum + file.sizeBytes, 0);
    return {
      sourceSha256,
      sourceCopy: { path: sourceCopyPath, location: sourceCopy, sizeBytes: archiveCopy.sizeBytes, etag: archiveCopy.etag, sha256: sourceSha256 },
      files,
      objects: completed,
      documents: [checksumsDocument(layout, sourceSha256, files)],
      cache: cacheReport(archive, context.cache, source.info.size),
      transfer: {
        bytesDownloaded: archive.cache === 'hit' ? 0 : progress.bytes,
        bytesUploaded: modelBytes + (uploadArchiveBytes ? source.info.size : 0),
        bytesCopiedServerSide: uploadArchiveBytes || copyDone ? 0 : source.info.size,
      },
      reused,
      bytesDuplicationAvoided: context.containers.reduce((sum, container) => sum + container.info.size, 0),
      skippedEntries: contents.skipped,
      warnings,
    };
  } catch (error) {
    // The first error is the answer; tearing down must not replace it.
    archive?.stream.destroy();
    await archive?.discard().catch(() => undefined);
    const cleanup = store.cleanupView('writes');
    await writes.stop(error, cleanup.signal, log, context.warn);
    // Files from an archive that failed validation must not linger where the next run or a
    // reader could take them for staged ones; other failures keep what the in-progress record
    // lists, for a re-run to continue from, and nothing else (a re-run could not reuse it).
    if (error instanceof ValidationError) {
      for (const entry of context.reusable.values()) writes.adopt(stagingObject(layout, entry.path), entry.path);
      await writes.removeAll(cleanup, log, context.warn);
      await context.record.remove(cleanup).catch((failure: unknown) => context.warn(`Could not remove the in-progress record: ${(failure as Error).message}`));
    } else {
      await writes.removeAll(cleanup, log, context.warn, (location) => context.record.persists(relativeToPrefix(layout, location)));
    }
    throw error;
  }
}

/**
 * The pass's cache outcome, read when the summary is written: a cache that uploads once the
 * staging is done (the Actions cache) may fail to save the entry after the pass ended.
 */
function cacheReport(archive: ArchiveBytes, cache: ArchiveCache | undefined, archiveSize: number): CacheReport {
  return {
    get outcome() {
      return archive.cache === 'miss' && cache?.uploads?.failed === true ? 'unsaved' : archive.cache;
    },
    description: archive.cacheDescription,
    bytesNotDownloaded: archive.cache === 'hit' ? archiveSize : 0,
  };
}

/**
 * One `.riva` entry as it streams out of the archive: hashed and uploaded, or, when an earlier
 * run of this source staged it unchanged, hashed and checked against that run's record only.
 */
async function stageModelFile(
  context: FullModeContext,
  writes: PassWrites,
  entry: ModelFileEntry,
): Promise<{ file: StagedFile; object: StagedObject; reused: boolean }> {
  const { path, location } = stagedModelFile(context.layout, entry.path);
  const fileHash = createHash('sha256');
  const body = hashingTransform(fileHash);
  entry.content.on('error', (error: unknown) => body.destroy(error as Error));
  entry.content.pipe(body);
  const earlier = context.reusable.get(path);
  if (earlier !== undefined && earlier.sizeBytes === entry.sizeBytes && earlier.sha256 !== null) {
    // Staged by an earlier run of this source: read past it, and make sure it is the same file.
    body.resume();
    await finished(body);
    const sha256 = fileHash.digest('hex');
    if (sha256 !== earlier.sha256) {
      throw new ValidationError(`${path} in the archive hashes to ${sha256}, but an earlier run staged it as ${earlier.sha256}. Re-run with \`force\`.`);
    }
    context.log(`Reused ${path} (already staged by an earlier run, sha256 ${sha256})`);
    return {
      file: { path, location, sizeBytes: entry.sizeBytes, etag: earlier.etag, sha256 },
      object: { location, sizeBytes: entry.sizeBytes, etag: earlier.etag, what: path },
      reused: true,
    };
  }
  const { etag } = await writes.start(location, path, () =>
    uploadStream(context.store, writes.uploads, location, body, entry.sizeBytes, path, () => context.timeline.mark('last part up')),
  );
  context.timeline.mark('files uploaded');
  const sha256 = fileHash.digest('hex');
  await context.record.add({ path, sizeBytes: entry.sizeBytes, sha256, etag });
  context.log(`Staged ${path} (${entry.sizeBytes} bytes, sha256 ${sha256})`);
  return {
    file: { path, location, sizeBytes: entry.sizeBytes, etag, sha256 },
    object: { location, sizeBytes: entry.sizeBytes, etag, what: path },
    reused: false,
  };
}

/** The archive's copy under `source/`, made by S3. */
async function copyArchive(context: FullModeContext, uploads: MultipartUploads): Promise<StagedObject> {
  const target = context.layout.sourceCopy;
  const { info, location } = context.source;
  const { etag } = await serverSideCopy(context.store, uploads, { location, etag: info.etag, sizeBytes: info.size }, target);
  return { location: target, sizeBytes: info.size, etag, what: 'the archive copy' };
}

function checkArchiveHash(sha256: string, context: FullModeContext): void {
  const expected = context.config.expectedSha256;
  if (expected !== undefined && expected !== sha256) {
    throw new ValidationError(
      `The model archive hashes to ${sha256}, not the expected ${expected} (\`expected-sha256\` / RIVA_ASR_MODEL_SHA256). ` +
        'It is not the archive that was validated; nothing was marked staged.',
    );
  }
  const recorded = context.source.info.sha256;
  if (recorded !== null && recorded !== sha256) {
    throw new ValidationError(`The model archive hashes to ${sha256}, but S3 records its SHA-256 as ${recorded}: the bytes read are not the object's.`);
  }
}

/** `sha256sum -c` format, paths relative to the staging prefix, the archive first. */
function checksumsDocument(layout: FullLayout, sourceSha256: string, files: readonly StagedFile[]): ObjectWrite {
  const lines = [
    `${sourceSha256}  ${relativeToPrefix(layout, layout.sourceCopy)}`,
    ...files.map((file) => `${file.sha256}  ${file.path}`),
  ];
  return {
    location: layout.checksums,
    body: `${lines.join('\n')}\n`,
    contentType: 'text/plain; charset=utf-8',
    what: 'the checksums file',
  };
}
