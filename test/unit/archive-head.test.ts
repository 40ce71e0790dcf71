import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Header, Pax, type HeaderData } from 'tar';
import { describe, expect, it, vi } from 'vitest';
import { ARCHIVE_HEAD_BYTES, archiveHeadProblem, readArchiveHead } from '../../src/archive/archive-head.ts';
import { httpStatusOf } from '../../src/s3/errors.ts';
import { MemoryObjectStore } from '../../src/s3/memory-object-store.ts';
import { makeModelArchive, makeRawArchive } from '../helpers/fixtures.ts';

const KIB = 1024;
const NOT_TAR = 'is gzip but does not hold a tar archive: ';

/** The check as a reference mode runs it: on the object's first 64 KiB, knowing its size. */
const problemOf = (object: Buffer) => archiveHeadProblem(object.subarray(0, ARCHIVE_HEAD_BYTES), object.length);

/** One tar record: a header, then its content padded to whole blocks. */
function record(header: HeaderData, content = Buffer.alloc(0)): Buffer {
  const block = Buffer.alloc(512);
  new Header({ mode: 0o644, uid: 0, gid: 0, mtime: new Date('2025-09-01T00:00:00Z'), ...header, size: content.length }).encode(block, 0);
  return Buffer.concat([block, content, Buffer.alloc((512 - (content.length % 512)) % 512)]);
}

/** A gzip'd tar of the given records and the end-of-archive blocks. */
const tarGz = (...records: Buffer[]) => gzipSync(Buffer.concat([...records, Buffer.alloc(1024)]));

/** A PAX extended header record, written by node-tar as `tar --format=pax` writes one before the entry it describes. */
const paxRecord = (fields: HeaderData, global = false) => new Pax(fields, global).encode();

/** A GNU long-name record, as GNU tar writes one before an entry whose name exceeds 100 bytes. */
const longNameRecord = (path: string) => record({ path: '././@LongLink', type: 'NextFileHasLongPath' }, Buffer.from(`${path}\0`));

const riva = randomBytes(96 * KIB);

describe('archiveHeadProblem', () => {
  it('accepts a gzip\'d tar made by node-tar, from its head alone', async () => {
    const { bytes } = await makeModelArchive();
    expect(bytes.length).toBeGreaterThan(ARCHIVE_HEAD_BYTES);
    expect(problemOf(bytes)).toBeUndefined();
  });

  it('accepts an archive that is smaller than the head and read whole', () => {
    expect(problemOf(makeRawArchive([{ path: 'm/a.riva', content: Buffer.from('model') }]))).toBeUndefined();
  });

  it('accepts the root directory first, as `tar -C dir .` writes it', () => {
    expect(problemOf(tarGz(record({ path: './', type: 'Directory' }), record({ path: './m/a.riva' }, riva)))).toBeUndefined();
  });

  it('accepts a truncated gzip of a valid tar when the first header is inside it', () => {
    const archive = tarGz(record({ path: 'm/a.riva' }, riva));
    const cut = archive.subarray(0, 2 * KIB);
    expect(archiveHeadProblem(cut, archive.length)).toBeUndefined();
  });

  it('refuses a head too short to inflate to a tar header, saying how much it read', () => {
    const archive = tarGz(record({ path: 'm/a.riva' }, riva));
    expect(archiveHeadProblem(archive.subarray(0, 20), archive.length)).toMatch(
      /^is gzip but does not hold a tar archive: its first 20 bytes inflate to \d+ bytes, less than one 512-byte tar header$/,
    );
  });

  it('refuses an empty object', () => {
    expect(archiveHeadProblem(Buffer.alloc(0), 0)).toBe('is empty');
  });

  it.each([
    ['a zip file', Buffer.concat([Buffer.from('504b0304140000000800', 'hex'), randomBytes(100)]), '50 4b 03 04: a zip file'],
    ['plain text', Buffer.from('hello, this is not an archive\n'), '68 65 6c 6c'],
    ['an uncompressed tar', Buffer.concat([record({ path: 'model.riva' }, riva), Buffer.alloc(1024)]), '6d 6f 64 65: an uncompressed tar'],
    ['bzip2', Buffer.from('BZh91AY&SY'), '42 5a 68 39: bzip2-compressed'],
  ])('refuses %s as not gzip-compressed', (_, object, start) => {
    expect(problemOf(object)).toBe(`is not gzip-compressed (it starts with ${start})`);
  });

  it('refuses a gzip signature with another compression method than deflate', () => {
    expect(problemOf(Buffer.from('1f8b0700000000000003', 'hex'))).toBe('starts like gzip but names compression method 7, not deflate (8)');
  });

  it('refuses gzip whose compressed data is corrupt', () => {
    expect(problemOf(Buffer.from('1f8b0800000000000003ffffffffffff', 'hex'))).toBe('is gzip but its compressed data is corrupt (invalid block type)');
  });

  it('refuses a gzip of text that is not a tar', () => {
    expect(problemOf(gzipSync('not a tar archive\n'.repeat(100)))).toBe(`${NOT_TAR}its first header fails the tar header checksum`);
    expect(problemOf(gzipSync('short\n'))).toBe(`${NOT_TAR}it inflates to 6 bytes, less than one 512-byte tar header`);
  });

  it('refuses a gzip\'d tar with no entries', () => {
    expect(problemOf(gzipSync(Buffer.alloc(10 * KIB)))).toBe('is gzip but holds an empty tar archive');
  });

  it('refuses a first header of an unknown entry type', () => {
    const block = record({ path: 'm/a.riva' }, riva);
    block.write('Z', 156, 'latin1');
    // Re-sign the header: the checksum counts its own field as spaces.
    block.fill(' ', 148, 156);
    const sum = block.subarray(0, 512).reduce((total, byte) => total + byte, 0);
    block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    expect(problemOf(tarGz(block))).toBe(`${NOT_TAR}its first header has the unknown entry type "Z"`);
  });

  it.each([
    ['../x.riva', 'climbs out of the archive with ".."'],
    ['m/../../x.riva', 'climbs out of the archive with ".."'],
    ['/abs', 'has an absolute path; entries must be relative'],
    ['m/line\nbreak.riva', 'has control characters or a backslash in its path'],
  ])('refuses a first entry named %j', (path, problem) => {
    expect(problemOf(makeRawArchive([{ path, content: riva }]))).toBe(`its first tar entry has an unsafe name: ${JSON.stringify(path)} ${problem}`);
  });

  describe('with extension headers first', () => {
    const longPath = `m/${'long-directory-name/'.repeat(8)}model.riva`;

    it('accepts the PAX header node-tar writes for a long name', async () => {
      const { bytes } = await makeModelArchive({ [`${'x'.repeat(120)}.riva`]: 200 * KIB });
      // The first record is a PAX header: the name does not fit the 100-byte field.
      expect(new Header(gunzipSync(bytes)).type).toBe('ExtendedHeader');
      expect(problemOf(bytes)).toBeUndefined();
    });

    it('checks the name a PAX header gives the entry, not the one in the entry\'s own header', () => {
      expect(problemOf(tarGz(paxRecord({ path: longPath }), record({ path: 'short.riva' }, riva)))).toBeUndefined();
      expect(problemOf(tarGz(paxRecord({ path: '../evil.riva' }), record({ path: 'harmless.riva' }, riva)))).toBe(
        'its first tar entry has an unsafe name: "../evil.riva" climbs out of the archive with ".."',
      );
    });

    it('follows a global PAX header and then a per-entry one', () => {
      const global = paxRecord({ comment: 'exported by the model pipeline' }, true);
      expect(problemOf(tarGz(global, record({ path: 'a.riva' }, riva)))).toBeUndefined();
      expect(problemOf(tarGz(global, paxRecord({ path: '/etc/evil.riva' }), record({ path: 'a.riva' }, riva)))).toBe(
        'its first tar entry has an unsafe name: "/etc/evil.riva" has an absolute path; entries must be relative',
      );
    });

    it('checks the name a GNU long-name record gives the entry', () => {
      expect(problemOf(tarGz(longNameRecord(longPath), record({ path: longPath.slice(0, 99) }, riva)))).toBeUndefined();
      expect(problemOf(tarGz(longNameRecord(`../${longPath}`), record({ path: 'harmless.riva' }, riva)))).toBe(
        `its first tar entry has an unsafe name: ${JSON.stringify(`../${longPath}`)} climbs out of the archive with ".."`,
      );
    });

    it('accepts a small archive read whole whose PAX record runs past the part inflated to check it', () => {
      // 20 KiB that compress to a few bytes, then 4 KiB that do not: the check stops inflating inside the record.
      const comment = `${'c'.repeat(20 * KIB)}${randomBytes(3 * KIB).toString('base64')}`;
      const archive = tarGz(paxRecord({ path: longPath, comment }), record({ path: 'short.riva' }, Buffer.from('model')));
      expect(archive.length).toBeLessThan(ARCHIVE_HEAD_BYTES);
      expect(problemOf(archive)).toBeUndefined();
    });

    it('refuses an archive read whole that ends inside its first entry\'s headers', () => {
      const cut = gzipSync(paxRecord({ path: longPath }));
      expect(problemOf(cut)).toBe(`${NOT_TAR}it ends inside the headers of its first entry`);
    });
  });
});

describe('readArchiveHead', () => {
  const location = { bucket: 'models', key: 'bintarball/model.tar.gz' };

  function storeHolding(object: Buffer): { store: MemoryObjectStore; etag: string; ranges: Array<[number, number]> } {
    const store = new MemoryObjectStore();
    store.createBucket('models');
    const etag = store.putObject('models', location.key, object);
    const ranges: Array<[number, number]> = [];
    const readRange = store.readRange.bind(store);
    vi.spyOn(store, 'readRange').mockImplementation(async (at, range, stop) => {
      ranges.push([range.first, range.last]);
      return readRange(at, range, stop);
    });
    return { store, etag, ranges };
  }

  it('asks for the head of a large object alone, with one ranged GET', async () => {
    const object = randomBytes(2 * 1024 * KIB);
    const { store, etag, ranges } = storeHolding(object);
    const head = await readArchiveHead(store, location, etag, object.length, 100 * KIB);
    expect(head.equals(object.subarray(0, 100 * KIB))).toBe(true);
    expect(store.requests).toEqual([{ operation: 'readRange', key: `models/${location.key}` }]);
    expect(ranges).toEqual([[0, 100 * KIB - 1]]);
  });

  it('reads 64 KiB by default, all of an object smaller than that, and nothing of an empty one', async () => {
    const large = storeHolding(randomBytes(1024 * KIB));
    expect((await readArchiveHead(large.store, location, large.etag, 1024 * KIB)).length).toBe(ARCHIVE_HEAD_BYTES);
    const small = storeHolding(Buffer.from('tiny'));
    expect((await readArchiveHead(small.store, location, small.etag, 4)).toString()).toBe('tiny');
    expect(small.ranges).toEqual([[0, 3]]);
    const empty = storeHolding(Buffer.alloc(0));
    expect((await readArchiveHead(empty.store, location, empty.etag, 0)).length).toBe(0);
    expect(empty.store.requests).toEqual([]);
  });

  it('reads the object the run validated: another ETag is the store\'s 412', async () => {
    const { store } = storeHolding(randomBytes(10 * KIB));
    const error = await readArchiveHead(store, location, 'd41d8cd98f00b204e9800998ecf8427e', 10 * KIB).then(
      () => expect.fail('expected a rejection'),
      (rejection: unknown) => rejection,
    );
    expect(httpStatusOf(error)).toBe(412);
  });

  it('gives archiveHeadProblem what it needs to accept a real archive', async () => {
    const { bytes } = await makeModelArchive();
    const { store, etag } = storeHolding(bytes);
    expect(archiveHeadProblem(await readArchiveHead(store, location, etag, bytes.length), bytes.length)).toBeUndefined();
  });
});
