import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A blob request as it reached the proxy. */
export interface BlobRequest {
  readonly method: string;
  /** The host the client addressed: `<account>.blob.core.windows.net` as a forward proxy, else the proxy's own. */
  readonly host: string;
  /** The path without the query (the SAS). */
  readonly path: string;
  /** `x-ms-range` or `Range`: the Blob SDK downloads in ranges, a plain GET reads the whole blob. */
  readonly range: string | undefined;
  responseBytes: number;
  status: number;
}

export interface BlobProxy {
  /** `http://127.0.0.1:<port>`: as HTTP_PROXY, or as a blob endpoint in place of Azurite's. */
  readonly url: string;
  readonly requests: BlobRequest[];
  stop(): Promise<void>;
}

const AZURE_BLOB_HOST = /\.blob\.core\.windows\.net$/;

/**
 * Between the action and Azurite, recording every request. Two roles in one server:
 * - a forward proxy (HTTP_PROXY) that resolves `*.blob.core.windows.net` to loopback, so the
 *   toolkit sees the host name for which it downloads through the Blob SDK, without touching
 *   /etc/hosts; any other host is refused;
 * - a reverse proxy for Azurite's own address, for URLs the toolkit reads with one plain GET.
 */
export async function startBlobProxy(azurite: { readonly port: number }): Promise<BlobProxy> {
  const requests: BlobRequest[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const absolute = /^https?:\/\//.test(incoming.url ?? '');
    const url = new URL(incoming.url ?? '/', absolute ? undefined : `http://${incoming.headers.host ?? '127.0.0.1'}`);
    const range = incoming.headers['x-ms-range'] ?? incoming.headers.range;
    const recorded: BlobRequest = {
      method: incoming.method ?? 'GET',
      host: url.hostname,
      path: url.pathname,
      range: Array.isArray(range) ? range.join(',') : range,
      responseBytes: 0,
      status: 0,
    };
    requests.push(recorded);
    if (absolute && !AZURE_BLOB_HOST.test(url.hostname)) {
      recorded.status = 403;
      outgoing.writeHead(403).end(`this proxy only reaches *.blob.core.windows.net, not ${url.hostname}`);
      return;
    }
    // Headers unchanged: Azurite reads the account from a production-style Host.
    const forwarded = request(
      { hostname: '127.0.0.1', port: azurite.port, method: incoming.method, path: url.pathname + url.search, headers: incoming.headers },
      (response) => {
        recorded.status = response.statusCode ?? 502;
        outgoing.writeHead(recorded.status, response.headers);
        response.on('data', (chunk: Buffer) => (recorded.responseBytes += chunk.length));
        response.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
