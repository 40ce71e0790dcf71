import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.ts';
import { MemoryObjectStore } from '../../src/s3/memory-object-store.ts';
import {
  MAX_STREAM_UPLOAD_BYTES,
  MultipartUploads,
  UPLOAD_MEMORY_BUDGET,
  partSizeFor,
  queueSizeFor,
  uploadStream,
} from '../../src/s3/multipart.ts';
import type { StreamUploadOptions } from '../../src/s3/object-store.ts';
import type { S3Location } from '../../src/s3/uri.ts';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const TIB = 1024 ** 4;

/** The in-memory store, noting the part size and parts in flight each upload is asked for. */
class RecordingStore extends MemoryObjectStore {
  readonly asked: Array<Pick<StreamUploadOptions, 'partSize' | 'queueSize'>> = [];

  override uploadStream(target: S3Location, body: Readable, options: StreamUploadOptions): Promise<{ etag: string }> {
    this.asked.push({ partSize: options.partSize, queueSize: options.queueSize });
    return super.uploadStream(target, body, options);
  }
}

describe('part size and parts in flight', () => {
  it('uses 8 MiB parts, 4 in flight, up to 70 GiB', () => {
    expect(partSizeFor(100)).toBe(8 * MIB);
    expect(partSizeFor(3.7 * GIB)).toBe(8 * MIB);
    expect(partSizeFor(70 * GIB)).toBe(8 * MIB);
    expect(queueSizeFor(8 * MIB)).toBe(4);
  });

  it('puts fewer parts in flight as parts grow, never holding more than the budget', () => {
    expect(UPLOAD_MEMORY_BUDGET).toBe(32 * MIB);
    expect(queueSizeFor(partSizeFor(75 * GIB))).toBe(3);
    expect(queueSizeFor(partSizeFor(100 * GIB))).toBe(2);
    expect(queueSizeFor(partSizeFor(MAX_STREAM_UPLOAD_BYTES))).toBe(2);
    for (let size = GIB; size <= MAX_STREAM_UPLOAD_BYTES; size += 7 * GIB) {
      const partSize = partSizeFor(size);
      expect(partSize * queueSizeFor(partSize), `${size} bytes`).toBeLessThanOrEqual(UPLOAD_MEMORY_BUDGET);
      expect(Math.ceil(size / partSize), `${size} bytes`).toBeLessThanOrEqual(9000);
    }
  });

  it('tops out at 9,000 parts of 16 MiB: 140.63 GiB', () => {
    expect(MAX_STREAM_UPLOAD_BYTES).toBe(9000 * 16 * MIB);
    expect(partSizeFor(MAX_STREAM_UPLOAD_BYTES)).toBe(16 * MIB);
  });
});

describe('uploadStream', () => {
  const location = { bucket: 'models', key: 'staging/models/huge.riva' };

  it('asks the store for the part size and parts in flight the size needs', async () => {
    const store = new RecordingStore();
    store.createBucket('models');
    const body = new PassThrough();
    body.end(Buffer.from('model'));
    await uploadStream(store, new MultipartUploads(), location, body, 100 * GIB, 'models/huge.riva');
    expect(store.asked).toEqual([{ partSize: 12 * MIB, queueSize: 2 }]);
  });

  it('refuses a size claimed past the largest upload before reading or sending anything', async () => {
    const store = new RecordingStore();
    store.createBucket('models');
    const body = new PassThrough();
    let errors = 0;
    body.on('error', () => (errors += 1));
    const error = await uploadStream(store, new MultipartUploads(), location, body, 2 * TIB, 'models/huge.riva').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(
      'Cannot upload models/huge.riva: it is 2.00 TiB (2199023255552 bytes), and the largest file this tool uploads is 140.63 GiB ' +
        '(9000 parts of at most 16.00 MiB, so that memory stays bounded).',
    );
    expect(store.asked).toEqual([]);
    expect(store.requests).toEqual([]);
    // Ended quietly: nothing is left waiting on it, and nobody is told twice.
    expect(body.destroyed).toBe(true);
    expect(errors).toBe(0);
  });
});
