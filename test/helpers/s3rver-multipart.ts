import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type S3rver from '@20minutes/s3rver';

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  type: string;
  body: unknown;
}

/**
 * The embedded server stores multipart uploads but implements neither ListMultipartUploads nor
 * AbortMultipartUpload (it answers NotImplemented / MethodNotAllowed). Both are needed to check
 * that a failed run leaves no upload behind, so they are added here over the server's own upload
 * store (`<bucket>/._S3rver_uploads/<uploadId>/key`), ahead of its routes.
 */
export function addMultipartListingAndAbort(server: S3rver): void {
  const store = (server as unknown as { store: { getResourcePath(bucket: string, key: undefined, resource: string): string } }).store;
  const middleware = (server as unknown as { middleware: Array<(ctx: KoaContext, next: () => Promise<void>) => Promise<void>> })
    .middleware;
  middleware.unshift(async (ctx, next) => {
    const [bucket = '', ...keyParts] = ctx.path.slice(1).split('/').filter((part, index) => index === 0 || part !== '');
    const uploadsDirectory = store.getResourcePath(bucket, undefined, 'uploads');
    if (ctx.method === 'GET' && keyParts.length === 0 && 'uploads' in ctx.query) {
      const uploads = await listUploads(uploadsDirectory);
      ctx.type = 'application/xml';
      ctx.body =
        '<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        `<Bucket>${bucket}</Bucket><IsTruncated>false</IsTruncated>` +
        uploads.map(({ key, uploadId }) => `<Upload><Key>${escapeXml(key)}</Key><UploadId>${uploadId}</UploadId></Upload>`).join('') +
        '</ListMultipartUploadsResult>';
      return;
    }
    const uploadId = ctx.query.uploadId;
    if (ctx.method === 'DELETE' && keyParts.length > 0 && typeof uploadId === 'string') {
      const directory = join(uploadsDirectory, uploadId);
      const exists = await readFile(join(directory, 'key')).then(() => true, () => false);
      if (!exists) {
        ctx.status = 404;
        ctx.type = 'application/xml';
        ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>';
        return;
      }
      await rm(directory, { recursive: true, force: true });
      ctx.status = 204;
      ctx.body = '';
      return;
    }
    await next();
  });
}

async function listUploads(directory: string): Promise<Array<{ key: string; uploadId: string }>> {
  const entries = await readdir(directory).catch(() => [] as string[]);
  const uploads = await Promise.all(
    entries.map(async (uploadId) => ({ uploadId, key: await readFile(join(directory, uploadId, 'key'), 'utf8').catch(() => '') })),
  );
  return uploads.filter((upload) => upload.key !== '');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
