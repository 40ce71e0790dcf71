import { createHash, type Hash } from 'node:crypto';

/**
 * What an ETag says about the object's bytes. S3 gives a single-part upload (PutObject,
 * CopyObject) the MD5 of its bytes, and a multipart upload the MD5 of its parts' binary MD5s
 * followed by `-<part count>`; SSE-KMS and SSE-C objects get ETags of either shape that are no
 * MD5 of the bytes, so only the server's word on the encryption tells them apart.
 */
export type EtagForm =
  | { readonly kind: 'md5' }
  | { readonly kind: 'multipart'; readonly parts: number }
  | { readonly kind: 'opaque'; readonly why: string };

/** The encryption values (HEAD's `x-amz-server-side-encryption`, or `SSE-C`) whose ETags are not MD5s. */
const OPAQUE_ENCRYPTION = new Set(['aws:kms', 'aws:kms:dsse', 'SSE-C']);

export function etagForm(etag: string, encryption: string | undefined): EtagForm {
  if (encryption !== undefined && OPAQUE_ENCRYPTION.has(encryption)) {
    return { kind: 'opaque', why: `the object is encrypted with ${encryption}, so its ETag is no MD5 of its bytes` };
  }
  const match = /^([0-9a-f]{32})(?:-(\d+))?$/i.exec(etag);
  if (match === null) return { kind: 'opaque', why: `its ETag ${etag} is no MD5` };
  if (match[2] === undefined) return { kind: 'md5' };
  const parts = Number(match[2]);
  return parts >= 1 ? { kind: 'multipart', parts } : { kind: 'opaque', why: `its ETag ${etag} names no parts` };
}

/** S3's ETag of a multipart object from its parts' binary MD5s. */
export function multipartEtag(partDigests: readonly Buffer[]): string {
  return `${createHash('md5').update(Buffer.concat(partDigests)).digest('hex')}-${partDigests.length}`;
}

/**
 * The ETag bytes of this form would have, given the binary MD5 of each part (one part for a
 * single-part object).
 */
export function etagOfParts(form: EtagForm, partDigests: readonly Buffer[]): string | undefined {
  if (form.kind === 'md5') return partDigests.length === 1 ? partDigests[0]?.toString('hex') : undefined;
  if (form.kind === 'multipart') return multipartEtag(partDigests);
  return undefined;
}

/**
 * The binary MD5 of each `partSize` slice of a byte stream fed in chunks of any size, as S3
 * computes them for a multipart upload of that part size (every part but the last full).
 */
export class PartDigests {
  readonly #partSize: number;
  readonly #digests: Buffer[] = [];
  #current: Hash = createHash('md5');
  #currentBytes = 0;

  /** `Infinity` for a single part spanning the whole stream. */
  constructor(partSize: number) {
    if (!(partSize > 0)) throw new RangeError(`part size must be positive, not ${partSize}`);
    this.#partSize = partSize;
  }

  update(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, this.#partSize - this.#currentBytes);
      this.#current.update(chunk.subarray(offset, offset + take));
      this.#currentBytes += take;
      offset += take;
      if (this.#currentBytes === this.#partSize) this.#close();
    }
  }

  /** The digests of every part; an empty stream is one empty part, as a PutObject of no bytes. */
  digests(): Buffer[] {
    if (this.#currentBytes > 0 || this.#digests.length === 0) this.#close();
    return this.#digests;
  }

  #close(): void {
    this.#digests.push(this.#current.digest());
    this.#current = createHash('md5');
    this.#currentBytes = 0;
  }
}
