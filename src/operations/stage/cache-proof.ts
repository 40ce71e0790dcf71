import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { CachedArchive } from '../../cache/archive-cache.ts';
import { DeadlineError, errorMessage } from '../../errors.ts';
import type { ReferencedObject } from '../../metadata.ts';
import { etagForm, etagOfParts, PartDigests, type EtagForm } from '../../s3/etag.ts';
import type { ObjectStore, PartInfo } from '../../s3/object-store.ts';

/**
 * Whether a cached archive's bytes are the source object's. The cache's own sidecar proves
 * nothing (whoever can replace the file can replace it too); only what S3 says about the object,
 * or a hash the caller vouches for, does.
 */
export type CacheProof =
  | { readonly kind: 'proven'; readonly how: string }
  /** Nothing at hand can tell: the entry may be genuine, but is not used. */
  | { readonly kind: 'unproven'; readonly why: string }
  /** The bytes are not the source's (or the entry is corrupt). */
  | { readonly kind: 'disproven'; readonly problem: string };

export interface ProofContext {
  readonly source: ReferencedObject;
  readonly store: ObjectStore;
  /** Hex SHA-256s the caller vouches for as the source object's. */
  readonly knownSha256: readonly string[];
}

/** How to recompute the ETag from the file (part size; `Infinity` for one part), or why it cannot be. */
type EtagPlan = { readonly form: EtagForm; readonly partSize: number } | { readonly why: string };

/**
 * Checks a cached archive against the source object, reading the file once for its SHA-256
 * and, where the ETag is an MD5 of the bytes, the MD5s that recompute it.
 */
export async function proveCachedArchive(cached: CachedArchive, context: ProofContext): Promise<CacheProof> {
  const { info } = context.source;
  if (cached.sizeBytes !== info.size) return { kind: 'disproven', problem: `${cached.sizeBytes} bytes, the archive has ${info.size}` };
  if (info.sha256 !== null) return againstS3Sha256(cached, info.sha256);
  const plan = await etagPlan(context);
  const digests = await digestsOf(cached.path, 'partSize' in plan ? plan.partSize : undefined);
  if (digests.sha256 !== cached.sha256) {
    return { kind: 'disproven', problem: `its SHA-256 is ${digests.sha256}, ${cached.sha256} was recorded` };
  }
  if (context.knownSha256.some((known) => known.toLowerCase() === digests.sha256)) {
    return { kind: 'proven', how: 'its SHA-256 is one this run knows for the archive' };
  }
  if (!('form' in plan)) return { kind: 'unproven', why: plan.why };
  const etag = etagOfParts(plan.form, digests.parts);
  if (etag === info.etag.toLowerCase()) return { kind: 'proven', how: 'its ETag matches S3\'s' };
  // Genuine bytes uploaded with parts of varying sizes would land here too: a needless download,
  // never other bytes used.
  return { kind: 'disproven', problem: `its bytes give the ETag ${etag ?? 'none'}, S3's is ${info.etag}` };
}

/** S3's own SHA-256 of the whole object settles it, either way. */
async function againstS3Sha256(cached: CachedArchive, s3Sha256: string): Promise<CacheProof> {
  // The recorded hash spares reading a file that cannot match.
  if (cached.sha256 !== s3Sha256) return { kind: 'disproven', problem: 'recorded SHA-256 differs from S3\'s' };
  const { sha256 } = await digestsOf(cached.path, undefined);
  if (sha256 === s3Sha256) return { kind: 'proven', how: 'its SHA-256 matches S3\'s' };
  return { kind: 'disproven', problem: `its SHA-256 is ${sha256}, S3's is ${s3Sha256}` };
}

async function etagPlan(context: ProofContext): Promise<EtagPlan> {
  const { location, info } = context.source;
  const form = etagForm(info.etag, info.encryption);
  if (form.kind === 'opaque') return { why: form.why };
  if (form.kind === 'md5') return { form, partSize: Infinity };
  // A multipart ETag depends on the part size, which only the server knows: part 1's size, as
  // uploaders use one size for every part but the last.
  const needs = 'its multipart ETag needs the part size';
  let part: PartInfo;
  try {
    part = await context.store.headPart(location, 1, 'the model archive');
  } catch (error) {
    if (error instanceof DeadlineError) throw error;
    return { why: `${needs}, and the server did not answer a HEAD of part 1: ${errorMessage(error)}` };
  }
  if (part.partsCount === undefined) return { why: `${needs}, and the server reports no part count for a HEAD of part 1` };
  if (part.etag !== info.etag) return { why: `the archive's ETag changed to ${part.etag} meanwhile` };
  if (part.partsCount !== form.parts) return { why: `the server counts ${part.partsCount} parts, the ETag ${form.parts}` };
  if (part.size <= 0 || Math.ceil(info.size / part.size) !== form.parts) {
    return { why: `its ${form.parts} parts are not all of part 1's ${part.size} bytes` };
  }
  return { form, partSize: part.size };
}

/** SHA-256 of the file and, given a part size, the binary MD5 of each part, in one read. */
async function digestsOf(path: string, partSize: number | undefined): Promise<{ sha256: string; parts: Buffer[] }> {
  const sha256 = createHash('sha256');
  const parts = partSize === undefined ? undefined : new PartDigests(partSize);
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    sha256.update(chunk as Buffer);
    parts?.update(chunk as Buffer);
  }
  return { sha256: sha256.digest('hex'), parts: parts?.digests() ?? [] };
}
