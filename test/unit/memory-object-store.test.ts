import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { AccessDeniedError, DeadlineError, NotFoundError, ValidationError } from '../../src/errors.ts';
import { errorCodeOf, httpStatusOf } from '../../src/s3/errors.ts';
import { MemoryObjectStore, s3ServiceError, type MemoryObjectStoreOptions } from '../../src/s3/memory-object-store.ts';
import { MultipartUploads } from '../../src/s3/multipart.ts';
import { ObjectExistsError, type OpenUpload, type StreamUploadOptions } from '../../src/s3/object-store.ts';
import { resumableDownload } from '../../src/s3/resumable-download.ts';
import { serverSideCopy, supportsServerSideCopy } from '../../src/s3/server-side-copy.ts';

const KIB = 1024;
const md5 = (body: Buffer | string) => createHash('md5').update(body).digest('hex');
const sha256 = (body: Buffer | string) => createHash('sha256').update(body).digest('hex');
/** S3's multipart ETag, computed here independently of the store. */
const multipartEtag = (parts: Buffer[]) =>
  `${md5(Buffer.concat(parts.map((part) => createHash('md5').update(part).digest())))}-${parts.length}`;
/** Bytes that differ from part to part, so a misplaced range changes the result. */
const bytes = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8)) % 251));

const at = (key: string, bucket = 'models') => ({ bucket, key });

function storeWith(options: MemoryObjectStoreOptions = {}): MemoryObjectStore {
  const store = new MemoryObjectStore(options);
  store.createBucket('models');
  return store;
}

/** The rejection of `promise`, failing the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

function uploadOptions(partSize: number, opened: OpenUpload[] = []): StreamUploadOptions {
  return { partSize, queueSize: 2, contentType: 'application/gzip', onOpen: (upload) => opened.push(upload) };
}

describe('MemoryObjectStore objects and ETags', () => {
  it('gives single-part objects the MD5 of their body as ETag and reports their facts', async () => {
    const store = storeWith();
    const etag = await store.putText(at('a/metadata.json'), '{"a":1}', 'application/json', 'the metadata');
    expect(etag).toBe(md5('{"a":1}'));
    const info = await store.describe(at('a/metadata.json'), 'the metadata');
    expect(info).toMatchObject({ size: 7, etag, sha256: null });
    expect(info.lastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(await store.getText(at('a/metadata.json'), 'the metadata')).toBe('{"a":1}');
    expect(store.putObject('models', 'b.bin', 'xyz')).toBe(md5('xyz'));
    expect(store.getObject('models', 'b.bin')?.toString()).toBe('xyz');
    expect(store.keys('models')).toEqual(['a/metadata.json', 'b.bin']);
  });

  it('reports a full-object SHA-256 only when asked to, and never for a multipart object', async () => {
    const store = storeWith({ fullObjectSha256: true });
    store.putObject('models', 'single', 'abc');
    expect((await store.head(at('single'), 'x'))?.sha256).toBe(sha256('abc'));
    await store.uploadStream(at('multi'), Readable.from([bytes(10)]), uploadOptions(4));
    expect((await store.head(at('multi'), 'x'))?.sha256).toBeNull();
  });

  it('gives a stream upload the ETag lib-storage would produce: MD5, or the multipart formula over partSize parts', async () => {
    const store = storeWith();
    const small = bytes(4);
    expect(await store.uploadStream(at('small'), Readable.from([small]), uploadOptions(4))).toEqual({ etag: md5(small) });
    const large = bytes(10);
    const result = await store.uploadStream(at('large'), Readable.from([large.subarray(0, 3), large.subarray(3)]), uploadOptions(4));
    expect(result.etag).toBe(multipartEtag([large.subarray(0, 4), large.subarray(4, 8), large.subarray(8)]));
    expect(result.etag).toMatch(/-3$/);
    expect(store.getObject('models', 'large')).toEqual(large);
    expect((await store.head(at('large'), 'x'))?.etag).toBe(result.etag);
    expect(store.openUploads()).toEqual([]);
  });

  it('answers a HEAD of one part as S3: its size and the part count of a multipart object, 416 past the last part', async () => {
    const store = storeWith();
    const body = bytes(10);
    const { etag } = await store.uploadStream(at('multi'), Readable.from([body]), uploadOptions(4));
    expect(await store.headPart(at('multi'), 1, 'x')).toEqual({ size: 4, partsCount: 3, etag });
    expect(await store.headPart(at('multi'), 3, 'x')).toEqual({ size: 2, partsCount: 3, etag });
    const past = await rejectionOf(store.headPart(at('multi'), 4, 'the archive'));
    expect((past as Error).message).toContain('InvalidPartNumber');

    const uploadId = await store.createMultipartUpload(at('copied'));
    const source = { location: at('multi'), etag };
    const parts = [
      await store.uploadPartCopy(at('copied'), uploadId, 1, source, { first: 0, last: 5 }),
      await store.uploadPartCopy(at('copied'), uploadId, 2, source, { first: 6, last: 9 }),
    ];
    await store.completeMultipartUpload(at('copied'), uploadId, parts);
    expect(await store.headPart(at('copied'), 2, 'x')).toMatchObject({ size: 4, partsCount: 2 });

    // Part 1 of a single-part object is all of it, with no part count.
    const single = store.putObject('models', 'single', 'abc');
    expect(await store.headPart(at('single'), 1, 'x')).toEqual({ size: 3, partsCount: undefined, etag: single });
    expect(await rejectionOf(store.headPart(at('nothing'), 1, 'the archive'))).toBeInstanceOf(NotFoundError);
  });

  it('imitates a server that ignores partNumber on HEAD, and one that stores objects with SSE-KMS', async () => {
    const plain = storeWith({ partHeads: false });
    const { etag } = await plain.uploadStream(at('multi'), Readable.from([bytes(10)]), uploadOptions(4));
    expect(await plain.headPart(at('multi'), 1, 'x')).toEqual({ size: 10, partsCount: undefined, etag });
    expect((await plain.head(at('multi'), 'x'))?.encryption).toBeUndefined();

    const kms = storeWith({ sseKms: true });
    const single = kms.putObject('models', 'single', 'abc');
    expect(single).toMatch(/^[0-9a-f]{32}$/);
    expect(single).not.toBe(md5('abc'));
    expect(await kms.head(at('single'), 'x')).toMatchObject({ etag: single, encryption: 'aws:kms' });
    const multi = await kms.uploadStream(at('multi'), Readable.from([bytes(10)]), uploadOptions(4));
    expect(multi.etag).toMatch(/^[0-9a-f]{32}-3$/);
    expect(multi.etag).not.toBe(multipartEtag([bytes(10).subarray(0, 4), bytes(10).subarray(4, 8), bytes(10).subarray(8)]));
  });

  it('lists like ListObjectsV2: prefix match, common prefixes rolled up at the delimiter, byte order', async () => {
    const store = storeWith();
    for (const key of ['s/b.json', 's/a.json', 's/😀.json', 's/z.json', 's/\uff5e.json', 's/v2/x', 's/v2/y', 's/v1/deep/x', 't/other', 's']) {
      store.putObject('models', key, key);
    }
    const listing = await store.list(at('s/'), 'the staging', { delimiter: '/' });
    // UTF-16 order (a plain sort) puts the emoji's surrogates before U+FF5E; S3's UTF-8 byte order after it.
    expect(listing.objects.map((object) => object.key)).toEqual(['s/a.json', 's/b.json', 's/z.json', 's/\uff5e.json', 's/😀.json']);
    expect(listing.objects[0]).toEqual({ key: 's/a.json', size: 8, etag: md5('s/a.json') });
    expect(listing.prefixes).toEqual(['s/v1/', 's/v2/']);
    const flat = await store.list(at('s/v'), 'the staging');
    expect(flat.objects.map((object) => object.key)).toEqual(['s/v1/deep/x', 's/v2/x', 's/v2/y']);
    expect(flat.prefixes).toEqual([]);
  });

  it('deletes an object, and a missing key without complaint as S3 does', async () => {
    const store = storeWith();
    store.putObject('models', 'a', 'a');
    await store.delete(at('a'), 'a');
    await store.delete(at('a'), 'a');
    expect(store.keys('models')).toEqual([]);
  });
});

describe('MemoryObjectStore conditions and errors', () => {
  it('refuses a conditional write of an existing object, unless the server ignores the condition', async () => {
    const store = storeWith();
    await store.putText(at('marker'), 'first', 'text/plain', 'the marker', { onlyIfAbsent: true });
    const error = await rejectionOf(store.putText(at('marker'), 'second', 'text/plain', 'the marker', { onlyIfAbsent: true }));
    expect(error).toBeInstanceOf(ObjectExistsError);
    expect(store.getObject('models', 'marker')?.toString()).toBe('first');
    await store.putText(at('marker'), 'third', 'text/plain', 'the marker');
    expect(store.getObject('models', 'marker')?.toString()).toBe('third');

    const lax = storeWith({ conditionalWrites: false });
    lax.putObject('models', 'marker', 'first');
    await lax.putText(at('marker'), 'second', 'text/plain', 'the marker', { onlyIfAbsent: true });
    expect(lax.getObject('models', 'marker')?.toString()).toBe('second');
  });

  it('answers a missing key or bucket as S3: undefined from head, typed errors from documents, raw 404s from transfers', async () => {
    const store = storeWith();
    expect(await store.head(at('nothing'), 'x')).toBeUndefined();
    expect(await store.head(at('x', 'no-bucket'), 'x')).toBeUndefined();
    const missing = await rejectionOf(store.describe(at('nothing'), 'the archive'));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as Error).message).toBe('Could not find the archive (s3://models/nothing): no such object. Check the bucket and key in the URI and that the upload finished.');
    const noBucket = await rejectionOf(store.getText(at('x', 'no-bucket'), 'the metadata'));
    expect(noBucket).toBeInstanceOf(NotFoundError);
    expect((noBucket as Error).message).toContain('the bucket does not exist');
    expect(await rejectionOf(store.putText(at('x', 'no-bucket'), 'x', 'text/plain', 'x'))).toBeInstanceOf(NotFoundError);
    expect(await rejectionOf(store.list(at('x/', 'no-bucket'), 'x'))).toBeInstanceOf(NotFoundError);
    const read = await rejectionOf(store.openRead(at('nothing'), { ifMatch: 'e', offset: 0 }));
    expect([httpStatusOf(read), errorCodeOf(read)]).toEqual([404, 'NoSuchKey']);
    const bucket = await rejectionOf(store.openRead(at('x', 'no-bucket'), { ifMatch: 'e', offset: 0 }));
    expect([httpStatusOf(bucket), errorCodeOf(bucket)]).toEqual([404, 'NoSuchBucket']);
  });

  it('reads a pinned object from an offset in several chunks, and answers 412 when the ETag differs', async () => {
    const store = storeWith();
    const body = bytes(200 * KIB);
    const etag = store.putObject('models', 'archive', body);
    const chunks: Buffer[] = [];
    for await (const chunk of await store.openRead(at('archive'), { ifMatch: `"${etag}"`, offset: 1000 })) chunks.push(chunk as Buffer);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).equals(body.subarray(1000))).toBe(true);
    const changed = await rejectionOf(store.openRead(at('archive'), { ifMatch: md5('other'), offset: 0 }));
    expect([httpStatusOf(changed), errorCodeOf(changed)]).toEqual([412, 'PreconditionFailed']);
  });

  it('turns injected faults into the same typed errors as the SDK store, for as many requests as asked', async () => {
    const store = storeWith();
    store.putObject('models', 'a', 'a');
    store.inject({ operation: 'head', error: { status: 403, code: 'AccessDenied' } });
    expect(await rejectionOf(store.head(at('a'), 'the archive'))).toBeInstanceOf(AccessDeniedError);
    expect(await store.head(at('a'), 'the archive')).toBeDefined();

    store.inject({ operation: 'getText', error: { status: 404, code: 'NoSuchKey' } });
    expect(await rejectionOf(store.getText(at('a'), 'x'))).toBeInstanceOf(NotFoundError);

    store.inject({ operation: 'delete', times: 2, matches: (location) => location.key === 'a' });
    await store.delete(at('b'), 'b');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const error = await rejectionOf(store.delete(at('a'), 'the archive'));
      expect((error as Error).message).toBe('Could not delete the archive (s3://models/a): HTTP 500 InternalError');
    }
    await store.delete(at('a'), 'the archive');
    expect(store.keys('models')).toEqual([]);

    // A 409 to a conditional write is another writer's conflict, as on S3.
    store.inject({ operation: 'putText', error: { status: 409, code: 'ConditionalRequestConflict' } });
    expect(await rejectionOf(store.putText(at('m'), 'x', 'text/plain', 'x', { onlyIfAbsent: true }))).toBeInstanceOf(ObjectExistsError);

    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    store.inject({ operation: 'openRead', error: reset });
    expect(await rejectionOf(store.openRead(at('m'), { ifMatch: md5('x'), offset: 0 }))).toBe(reset);
    store.inject({ operation: 'createMultipartUpload', error: { status: 503, code: 'SlowDown' } });
    const slow = await rejectionOf(store.createMultipartUpload(at('c')));
    expect([httpStatusOf(slow), errorCodeOf(slow)]).toEqual([503, 'SlowDown']);
  });

  it('records every request and tells the writes apart', async () => {
    const store = storeWith();
    await store.putText(at('a'), 'a', 'text/plain', 'a');
    await store.head(at('a'), 'a');
    await store.list(at(''), 'all');
    await store.delete(at('a'), 'a');
    store.putObject('models', 'direct', 'not a request');
    expect(store.requests).toEqual([
      { operation: 'putText', key: 'models/a' },
      { operation: 'head', key: 'models/a' },
      { operation: 'list', key: 'models/' },
      { operation: 'delete', key: 'models/a' },
    ]);
    expect(store.writes().map((request) => request.operation)).toEqual(['putText', 'delete']);
  });

  it('rejects every request after the deadline, the documents as DeadlineError, yet still aborts uploads', async () => {
    const deadline = new AbortController();
    const store = storeWith({ signal: deadline.signal });
    const etag = store.putObject('models', 'a', 'a');
    const uploadId = await store.createMultipartUpload(at('c'));
    deadline.abort();
    expect(store.signal?.aborted).toBe(true);
    const documents = [
      () => store.head(at('a'), 'a'),
      () => store.getText(at('a'), 'a'),
      () => store.putText(at('b'), 'b', 'text/plain', 'b'),
      () => store.delete(at('a'), 'a'),
      () => store.list(at(''), 'a'),
    ];
    for (const request of documents) expect(await rejectionOf(request())).toBeInstanceOf(DeadlineError);
    const transfers = [
      () => store.openRead(at('a'), { ifMatch: etag, offset: 0 }),
      () => store.copyObject({ location: at('a'), etag, sizeBytes: 1 }, at('b')),
      () => store.createMultipartUpload(at('b')),
      () => store.uploadStream(at('b'), Readable.from([Buffer.from('b')]), uploadOptions(4)),
    ];
    for (const request of transfers) expect(await rejectionOf(request())).toHaveProperty('name', 'AbortError');
    expect(store.keys('models')).toEqual(['a']);
    await store.abortMultipartUpload(at('c'), uploadId);
    expect(store.openUploads()).toEqual([]);
  });
});

describe('MemoryObjectStore copies and multipart uploads', () => {
  it('copies an object pinned to its ETag, and answers 412 when it changed', async () => {
    const store = storeWith();
    const etag = store.putObject('models', 'src', 'archive');
    expect(await store.copyObject({ location: at('src'), etag, sizeBytes: 7 }, at('dst'))).toEqual({ etag });
    expect(store.getObject('models', 'dst')?.toString()).toBe('archive');
    const stale = await rejectionOf(store.copyObject({ location: at('src'), etag: md5('old'), sizeBytes: 7 }, at('dst2')));
    expect([httpStatusOf(stale), errorCodeOf(stale)]).toEqual([412, 'PreconditionFailed']);
    expect(store.getObject('models', 'dst2')).toBeUndefined();
  });

  it('assembles copied ranges in part order, with the multipart ETag, and leaves no upload open', async () => {
    const store = storeWith();
    const body = bytes(100);
    const etag = store.putObject('models', 'src', body);
    const uploadId = await store.createMultipartUpload(at('dst'));
    expect(store.openUploads()).toEqual([`dst#${uploadId}`]);
    const source = { location: at('src'), etag };
    const second = await store.uploadPartCopy(at('dst'), uploadId, 2, source, { first: 40, last: 99 });
    const first = await store.uploadPartCopy(at('dst'), uploadId, 1, { location: at('src'), etag: undefined }, { first: 0, last: 39 });
    expect(first.etag).toBe(`"${md5(body.subarray(0, 40))}"`);
    const completed = await store.completeMultipartUpload(at('dst'), uploadId, [first, second]);
    expect(completed.etag).toBe(multipartEtag([body.subarray(0, 40), body.subarray(40)]));
    expect(store.getObject('models', 'dst')).toEqual(body);
    expect(store.openUploads()).toEqual([]);

    const again = await store.createMultipartUpload(at('dst2'));
    const stale = await rejectionOf(store.uploadPartCopy(at('dst2'), again, 1, { location: at('src'), etag: md5('old') }, { first: 0, last: 1 }));
    expect(httpStatusOf(stale)).toBe(412);
    const outOfOrder = await rejectionOf(store.completeMultipartUpload(at('dst2'), again, [second, first]));
    expect(errorCodeOf(outOfOrder)).toBe('InvalidPartOrder');
    await store.abortMultipartUpload(at('dst2'), again);
    expect(store.openUploads()).toEqual([]);
    const unknown = await rejectionOf(store.abortMultipartUpload(at('dst2'), again));
    expect([httpStatusOf(unknown), errorCodeOf(unknown)]).toEqual([404, 'NoSuchUpload']);
    expect(store.keys('models')).toEqual(['dst', 'src']);
  });

  it('imitates a server without server-side copy or without multipart abort', async () => {
    const store = storeWith({ serverSideCopy: false, abortMultipartUpload: false });
    const etag = store.putObject('models', 'src', 'archive');
    const copy = await rejectionOf(store.copyObject({ location: at('src'), etag, sizeBytes: 7 }, at('dst')));
    expect([httpStatusOf(copy), errorCodeOf(copy)]).toEqual([501, 'NotImplemented']);
    const uploadId = await store.createMultipartUpload(at('dst'));
    const part = await rejectionOf(store.uploadPartCopy(at('dst'), uploadId, 1, { location: at('src'), etag }, { first: 0, last: 1 }));
    expect(httpStatusOf(part)).toBe(501);
    const abort = await rejectionOf(store.abortMultipartUpload(at('dst'), uploadId));
    expect([httpStatusOf(abort), errorCodeOf(abort)]).toEqual([405, 'MethodNotAllowed']);
    expect(store.openUploads()).toEqual([`dst#${uploadId}`]);
  });

  it('rejects a stream upload whose body fails with that error, stores nothing, and lets the run abort what it opened', async () => {
    const store = storeWith();
    const broken = new Error('gunzip failed');
    const body = Readable.from(
      (async function* () {
        yield bytes(10);
        throw broken;
      })(),
    );
    const opened: OpenUpload[] = [];
    expect(await rejectionOf(store.uploadStream(at('archive'), body, uploadOptions(4, opened)))).toBe(broken);
    expect(store.keys('models')).toEqual([]);
    expect(opened).toHaveLength(1);
    const uploadId = opened[0]?.uploadId;
    expect(store.openUploads()).toEqual([`archive#${uploadId}`]);
    await opened[0]?.abort();
    expect(store.openUploads()).toEqual([]);
  });

  it('fails a stream upload aborted while it reads', async () => {
    const store = storeWith();
    const opened: OpenUpload[] = [];
    const body = Readable.from(
      (async function* () {
        yield Buffer.from('ab');
        await opened[0]?.abort();
        yield Buffer.from('cd');
      })(),
    );
    const error = await rejectionOf(store.uploadStream(at('archive'), body, uploadOptions(8, opened)));
    expect(error).toHaveProperty('name', 'AbortError');
    expect(store.keys('models')).toEqual([]);
  });
});

describe('the transfers against MemoryObjectStore', () => {
  it('copies server-side part by part, refuses a changed source, and probes copy support', async () => {
    const store = storeWith();
    const body = bytes(100 * KIB);
    const etag = store.putObject('models', 'src.tar.gz', body);
    const source = { location: at('src.tar.gz'), etag, sizeBytes: body.length };
    const uploads = new MultipartUploads();

    const warnings: string[] = [];
    expect(await supportsServerSideCopy(store, uploads, source, at('staging/probe'), (message) => warnings.push(message))).toBe(true);
    const copied = await serverSideCopy(store, uploads, source, at('staging/archive.tar.gz'), { singleCopyLimit: 10 * KIB, partSize: 32 * KIB });
    const parts = [0, 1, 2, 3].map((index) => body.subarray(index * 32 * KIB, (index + 1) * 32 * KIB));
    expect(copied.etag).toBe(multipartEtag(parts));
    expect(store.getObject('models', 'staging/archive.tar.gz')?.equals(body)).toBe(true);
    expect(store.openUploads()).toEqual([]);
    expect(await uploads.abortAll()).toEqual({ aborted: [], failed: [] });

    store.putObject('models', 'src.tar.gz', bytes(5));
    const changed = await rejectionOf(serverSideCopy(store, uploads, source, at('staging/again.tar.gz')));
    expect(changed).toBeInstanceOf(ValidationError);
    expect((changed as Error).message).toContain('changed');
    expect(store.keys('models')).toEqual(['src.tar.gz', 'staging/archive.tar.gz']);

    const noCopy = storeWith({ serverSideCopy: false });
    noCopy.putObject('models', 'src.tar.gz', body);
    expect(await supportsServerSideCopy(noCopy, uploads, source, at('staging/probe'), (message) => warnings.push(message))).toBe(false);
    expect(noCopy.openUploads()).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('a server that cannot abort (the stock embedded one) still answers the probe, with a warning naming the upload left open', async () => {
    const store = storeWith({ abortMultipartUpload: false });
    const body = bytes(100);
    const source = { location: at('src.tar.gz'), etag: store.putObject('models', 'src.tar.gz', body), sizeBytes: body.length };
    const warnings: string[] = [];

    expect(await supportsServerSideCopy(store, new MultipartUploads(), source, at('staging/probe'), (message) => warnings.push(message))).toBe(true);
    expect(store.openUploads()).toHaveLength(1);
    expect(warnings).toEqual([expect.stringMatching(/^Could not abort the multipart upload \S+ of s3:\/\/models\/staging\/probe .*MethodNotAllowed.*lifecycle rule/)]);
  });

  it('a server that answers 405 to a part copy has no server-side copy', async () => {
    const store = storeWith();
    store.inject({ operation: 'uploadPartCopy', error: { status: 405, code: 'MethodNotAllowed' } });
    const body = bytes(100);
    const source = { location: at('src.tar.gz'), etag: store.putObject('models', 'src.tar.gz', body), sizeBytes: body.length };

    expect(await supportsServerSideCopy(store, new MultipartUploads(), source, at('staging/probe'), () => {})).toBe(false);
  });

  it('downloads a pinned object through resumableDownload, and calls a changed one changed', async () => {
    const store = storeWith();
    const body = bytes(300 * KIB);
    const etag = store.putObject('models', 'src.tar.gz', body);
    const options = { etag, sizeBytes: body.length, maxAttempts: 3, what: 'the model archive' };
    expect((await buffer(resumableDownload(store, at('src.tar.gz'), options))).equals(body)).toBe(true);
    const stale = await rejectionOf(buffer(resumableDownload(store, at('src.tar.gz'), { ...options, etag: md5('old') })));
    expect(stale).toBeInstanceOf(ValidationError);
    expect((stale as Error).message).toContain('changed while it was read');
  });

  it('builds errors the S3 error readers understand', () => {
    const error = s3ServiceError(503, 'SlowDown', 'Please reduce your request rate.');
    expect([httpStatusOf(error), errorCodeOf(error), error.message]).toEqual([503, 'SlowDown', 'Please reduce your request rate.']);
  });
});
