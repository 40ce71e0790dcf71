import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { etagForm, etagOfParts, multipartEtag, PartDigests } from '../../src/s3/etag.ts';

const md5 = (body: Buffer | string) => createHash('md5').update(body).digest();
const bytes = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8)) % 251));

describe('etagForm', () => {
  it('reads an MD5 as a single-part ETag and <md5>-N as a multipart one', () => {
    expect(etagForm('9b2cf535f27731c974343645a3985328', undefined)).toEqual({ kind: 'md5' });
    expect(etagForm('9B2CF535F27731C974343645A3985328', 'AES256')).toEqual({ kind: 'md5' });
    expect(etagForm('9b2cf535f27731c974343645a3985328-475', undefined)).toEqual({ kind: 'multipart', parts: 475 });
  });

  it('calls any other ETag, and every SSE-KMS or SSE-C one, opaque with the reason', () => {
    for (const etag of ['', 'abc', '9b2cf535f27731c974343645a398532', '9b2cf535f27731c974343645a3985328-', '9b2cf535f27731c974343645a3985328-0', 'W/"x"']) {
      expect(etagForm(etag, undefined).kind, etag).toBe('opaque');
    }
    expect(etagForm('9b2cf535f27731c974343645a3985328', 'aws:kms')).toEqual({
      kind: 'opaque',
      why: 'the object is encrypted with aws:kms, so its ETag is no MD5 of its bytes',
    });
    expect(etagForm('9b2cf535f27731c974343645a3985328-3', 'aws:kms:dsse').kind).toBe('opaque');
    expect(etagForm('9b2cf535f27731c974343645a3985328', 'SSE-C').kind).toBe('opaque');
    expect(etagForm('abc', undefined)).toEqual({ kind: 'opaque', why: 'its ETag abc is no MD5' });
  });
});

describe('multipartEtag and etagOfParts', () => {
  it('computes S3\'s multipart ETag: the MD5 of the binary part MD5s, then the count', () => {
    // Parts "a" and "b", computed with Python's hashlib.
    expect(multipartEtag([md5('a'), md5('b')])).toBe('96e024ba2074fe77e8e965ba43a704be-2');
  });

  it('gives a single-part object its MD5 and refuses an opaque form', () => {
    expect(etagOfParts({ kind: 'md5' }, [md5('abc')])).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(etagOfParts({ kind: 'md5' }, [md5('a'), md5('b')])).toBeUndefined();
    expect(etagOfParts({ kind: 'multipart', parts: 2 }, [md5('a'), md5('b')])).toBe(multipartEtag([md5('a'), md5('b')]));
    expect(etagOfParts({ kind: 'opaque', why: 'x' }, [md5('a')])).toBeUndefined();
  });
});

describe('PartDigests', () => {
  it('splits the stream at part boundaries whatever the chunk sizes', () => {
    const body = bytes(10_000);
    const expected = [0, 4096, 8192].map((first) => md5(body.subarray(first, first + 4096)));
    for (const chunk of [1, 100, 4096, 5000, 10_000]) {
      const digests = new PartDigests(4096);
      for (let first = 0; first < body.length; first += chunk) digests.update(body.subarray(first, first + chunk));
      expect(digests.digests(), `chunks of ${chunk}`).toEqual(expected);
    }
  });

  it('makes one part of the whole stream with an infinite part size, and of an empty one', () => {
    const whole = new PartDigests(Infinity);
    whole.update(Buffer.from('ab'));
    whole.update(Buffer.from('c'));
    expect(whole.digests()).toEqual([md5('abc')]);
    expect(new PartDigests(Infinity).digests()).toEqual([md5('')]);
    // A stream of exactly whole parts has no empty part after them.
    const exact = new PartDigests(2);
    exact.update(Buffer.from('abcd'));
    expect(exact.digests()).toEqual([md5('ab'), md5('cd')]);
    expect(() => new PartDigests(0)).toThrow(RangeError);
  });
});
