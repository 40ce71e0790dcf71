import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { create } from 'tar';
import { describe, expect, it } from 'vitest';
import { readModelArchive, type ArchiveContents, type ModelFileEntry } from '../../src/archive/model-archive.ts';
import { ValidationError } from '../../src/errors.ts';
import { Semaphore } from '../../src/limit.ts';
import { TAR_END, makeRawArchive, makeRawTar, paxClaim, tarEntry } from '../helpers/fixtures.ts';
import { collectUncaught } from '../helpers/uncaught.ts';

/** Reads `archive` as full mode does; `handed` lists each .riva file given to the consumer, with its content. */
async function read(archive: Buffer): Promise<{ outcome: ArchiveContents | Error; handed: string[] }> {
  const handed: string[] = [];
  const outcome = await readModelArchive(Readable.from([archive]), { maxInflatedBytes: GIB }, async (file) => {
    handed.push(`${file.path}=${await contentOf(file)}`);
  }).catch((error: unknown) => error as Error);
  return { outcome, handed };
}

/** As the full pipeline consumes an entry: listening for its error all along, as a failing archive ends it with one. */
function contentOf(file: ModelFileEntry): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    file.content.on('error', reject);
    file.content.on('data', (chunk: Buffer) => chunks.push(chunk));
    file.content.on('end', () => resolve(Buffer.concat(chunks).toString()));
  });
}

const GIB = 1024 ** 3;

const entry = (path: string, content = path) => ({ path, content: Buffer.from(content) });

describe('readModelArchive', () => {
  it('hands over each .riva file under its relative path and lists the files it skips', async () => {
    const { outcome, handed } = await read(makeRawArchive([entry('./m/a.riva'), entry('m/b.riva'), entry('m//README.txt')]));
    expect(outcome).toEqual({ modelFiles: ['m/a.riva', 'm/b.riva'], skipped: ['m/README.txt'] });
    expect(handed).toEqual(['m/a.riva=./m/a.riva', 'm/b.riva=m/b.riva']);
  });

  it.each([
    ['a.riva', './a.riva', 'a.riva'],
    ['dir//a.riva', 'dir/a.riva', 'dir/a.riva'],
    ['./m//x/a.riva', 'm/x/./a.riva', 'm/x/a.riva'],
  ])('rejects %j and %j, which both stage as %s, before handing over the second', async (first, second, path) => {
    const { outcome, handed } = await read(makeRawArchive([entry(first, 'first'), entry('m/other.riva'), entry(second, 'second')]));
    expect(outcome).toBeInstanceOf(ValidationError);
    expect((outcome as Error).message).toBe(
      `The archive entries ${JSON.stringify(first)} and ${JSON.stringify(second)} both name ${path}; ` +
        'archive entries must be unique, or one would replace the other.',
    );
    expect(handed).toEqual([`${path}=first`, 'm/other.riva=m/other.riva']);
  });

  it('rejects an entry that appears twice under the same name', async () => {
    const { outcome, handed } = await read(makeRawArchive([entry('m/a.riva', 'first'), entry('m/a.riva', 'second')]));
    expect(outcome).toBeInstanceOf(ValidationError);
    expect((outcome as Error).message).toBe(
      'The archive entry "m/a.riva" appears twice; archive entries must be unique, or one would replace the other.',
    );
    expect(handed).toEqual(['m/a.riva=first']);
  });

  it('rejects a skipped file that appears twice too: the archive is not what the export writes', async () => {
    const { outcome } = await read(makeRawArchive([entry('m/a.riva'), entry('README.txt'), entry('./README.txt')]));
    expect((outcome as Error).message).toContain('"README.txt" and "./README.txt" both name README.txt');
  });

  it('rejects the duplicate that `tar czf x.tar.gz m m/a.riva` writes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'riva-duplicate-'));
    try {
      mkdirSync(join(root, 'm'));
      writeFileSync(join(root, 'm', 'a.riva'), 'model');
      await create({ gzip: true, file: join(root, 'x.tar.gz'), cwd: root, portable: true }, ['m', 'm/a.riva']);
      const { outcome, handed } = await read(readFileSync(join(root, 'x.tar.gz')));
      expect((outcome as Error).message).toContain('The archive entry "m/a.riva" appears twice');
      expect(handed).toEqual(['m/a.riva=model']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('accepts a directory listed twice: it stages nothing', async () => {
    // A file entry whose name ends in "/" reads as a directory, as old tars wrote them.
    const { outcome } = await read(makeRawArchive([entry('m/', ''), entry('./m/', ''), entry('m/a.riva')]));
    expect(outcome).toEqual({ modelFiles: ['m/a.riva'], skipped: [] });
  });
});

const MIB = 1024 * 1024;

/** A tar entry whose header no longer matches its checksum. */
function withBrokenChecksum(blocks: Buffer): Buffer {
  const broken = Buffer.from(blocks);
  broken.writeUInt8(broken.readUInt8(0) ^ 0x01, 0);
  return broken;
}

/**
 * Consumes each file as full mode does: waiting for one of `slots` upload slots, then listening
 * for the entry's error and piping it into a slow upload. `attachAfterMs` delays the start once
 * a slot is free.
 */
function uploadLike(slots: Semaphore, attachAfterMs = 0) {
  const uploaded: string[] = [];
  const consume = async (file: ModelFileEntry) => {
    const release = await slots.acquire();
    try {
      if (attachAfterMs > 0) await sleep(attachAfterMs);
      await new Promise<void>((resolve, reject) => {
        const upload = new Writable({
          write: (_chunk, _encoding, callback) => setImmediate(callback),
        });
        file.content.on('error', (error: unknown) => upload.destroy(error as Error));
        upload.on('error', reject);
        upload.on('finish', resolve);
        file.content.pipe(upload);
      });
      uploaded.push(file.path);
    } finally {
      release();
    }
  };
  return { consume, uploaded };
}

describe('readModelArchive on a damaged archive', () => {
  it('rejects a header checksum broken after a large .riva entry once, with no uncaught error', async () => {
    const archive = gzipSync(
      Buffer.concat([
        tarEntry({ path: 'm/large.riva', content: randomBytes(4 * MIB) }),
        tarEntry({ path: 'm/small.riva', content: Buffer.from('small') }),
        withBrokenChecksum(tarEntry({ path: 'm/next.riva', content: Buffer.from('next') })),
        TAR_END,
      ]),
    );
    const { consume } = uploadLike(new Semaphore(2));
    const { value: outcome, uncaught } = await collectUncaught(() =>
      readModelArchive(Readable.from([archive]), { maxInflatedBytes: GIB }, consume).catch((error: unknown) => error),
    );
    expect(uncaught).toEqual([]);
    expect(outcome).toBeInstanceOf(ValidationError);
    expect((outcome as Error).message).toBe('The model archive is not a valid tar: TAR_ENTRY_INVALID: checksum failure');
  });

  it('tears down an entry whose consumer is still waiting for an upload slot, and rejects with the first error', async () => {
    const archive = gzipSync(
      Buffer.concat([
        tarEntry({ path: 'm/a.riva', content: Buffer.from('a') }),
        tarEntry({ path: 'm/b.riva', content: Buffer.from('b') }),
        withBrokenChecksum(tarEntry({ path: 'm/c.riva', content: Buffer.from('c') })),
        TAR_END,
      ]),
    );
    // One slot, taken by a.riva for a while: b.riva is handed over but nobody listens to it yet.
    const { consume, uploaded } = uploadLike(new Semaphore(1), 20);
    const { value: outcome, uncaught } = await collectUncaught(() =>
      readModelArchive(Readable.from([archive]), { maxInflatedBytes: GIB }, consume).catch((error: unknown) => error),
    );
    expect(uncaught).toEqual([]);
    expect((outcome as Error).message).toBe('The model archive is not a valid tar: TAR_ENTRY_INVALID: checksum failure');
    // b.riva's consumer, once it got its slot, heard of the failure instead of waiting forever.
    expect(uploaded).not.toContain('m/b.riva');
  });

  it('keeps the first error when a consumer fails and the archive is damaged too', async () => {
    const archive = gzipSync(
      Buffer.concat([
        tarEntry({ path: 'm/a.riva', content: randomBytes(MIB) }),
        tarEntry({ path: 'm/b.riva', content: Buffer.from('b') }),
        withBrokenChecksum(tarEntry({ path: 'm/c.riva', content: Buffer.from('c') })),
        TAR_END,
      ]),
    );
    const denied = new Error('Access Denied');
    const { value: outcome, uncaught } = await collectUncaught(() =>
      readModelArchive(Readable.from([archive]), { maxInflatedBytes: GIB }, async (file) => {
        if (file.path === 'm/a.riva') throw denied;
        file.content.resume();
      }).catch((error: unknown) => error),
    );
    expect(uncaught).toEqual([]);
    expect(outcome).toBe(denied);
  });
});

describe('readModelArchive under max-inflated-bytes', () => {
  const SETTING = '`max-inflated-bytes` (RIVA_STAGE_MAX_INFLATED_BYTES)';

  /** Reads `archive` in slices of 512 bytes, as slowly as it is asked for, counting how many bytes of it were taken. */
  async function readLimited(archive: Buffer, maxInflatedBytes: number) {
    let taken = 0;
    const source = new Readable({
      highWaterMark: 1,
      read() {
        const slice = archive.subarray(taken, taken + 512);
        taken += slice.length;
        this.push(slice.length > 0 ? slice : null);
      },
    });
    const handed: string[] = [];
    const outcome = await readModelArchive(source, { maxInflatedBytes }, async (file) => {
      handed.push(`${file.path}=${await contentOf(file)}`);
    }).catch((error: unknown) => error as Error);
    return { outcome, handed, taken };
  }

  it('reads an archive that inflates to exactly the limit, and refuses it one byte lower', async () => {
    const tar = makeRawTar([entry('m/a.riva'), { path: 'm/b.bin', content: randomBytes(MIB) }]);
    const archive = gzipSync(tar);
    expect((await readLimited(archive, tar.length)).outcome).toEqual({ modelFiles: ['m/a.riva'], skipped: ['m/b.bin'] });
    const { outcome } = await readLimited(archive, tar.length - 1);
    expect(outcome).toBeInstanceOf(ValidationError);
    expect((outcome as Error).message).toContain(`The model archive inflates to more than the 1.00 MiB (${tar.length - 1} bytes) that ${SETTING}`);
  });

  it('counts skipped entries too, and stops reading at the limit', async () => {
    // Files that are not staged, each within the limit. (Random bytes: the decompressor takes up
    // to 512 KiB of input ahead, which would be all of an archive of zeros.)
    const padding = Array.from({ length: 24 }, (_, index) => ({ path: `padding/${index}.bin`, content: randomBytes(MIB) }));
    const archive = makeRawArchive([entry('m/a.riva'), ...padding]);
    const { outcome, handed, taken } = await readLimited(archive, 4 * MIB);
    // The limit, plus what the decompressor and the source had taken ahead.
    expect(outcome).toBeInstanceOf(ValidationError);
    expect((outcome as Error).message).toContain(`the 4.00 MiB (4194304 bytes) that ${SETTING} allows`);
    expect(handed).toEqual(['m/a.riva=m/a.riva']);
    expect(taken).toBeLessThan(6 * MIB);
  });

  it.each([
    ['a .riva file, before it is handed over', 'm/huge.riva'],
    ['a skipped file', 'm/huge.bin'],
  ])('refuses a PAX header claiming 2 TiB for %s', async (_what, path) => {
    // The claim, then a little content and no end: the archive would be truncated anyway.
    const archive = gzipSync(Buffer.concat([tarEntry(entry('m/a.riva')), paxClaim(path, 2 * 1024 ** 4), randomBytes(64 * 1024)]));
    const { outcome, handed } = await readLimited(archive, GIB);
    expect(outcome).toBeInstanceOf(ValidationError);
    expect((outcome as Error).message).toContain(
      `The archive entry "${path}" claims 2.00 TiB (2199023255552 bytes), more than the 1.00 GiB (1073741824 bytes) that ${SETTING} allows`,
    );
    expect(handed).toEqual(['m/a.riva=m/a.riva']);
  });
});
