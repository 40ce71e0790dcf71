import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { create } from 'tar';
import { describe, expect, it } from 'vitest';
import { readModelArchive, type ArchiveContents, type ModelFileEntry } from '../../src/archive/model-archive.ts';
import { ValidationError } from '../../src/errors.ts';
import { makeRawArchive } from '../helpers/fixtures.ts';

/** Reads `archive` as full mode does; `handed` lists each .riva file given to the consumer, with its content. */
async function read(archive: Buffer): Promise<{ outcome: ArchiveContents | Error; handed: string[] }> {
  const handed: string[] = [];
  const outcome = await readModelArchive(Readable.from([archive]), async (file) => {
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
