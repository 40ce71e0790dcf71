import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** The path as the client sent it, e.g. `/bucket/key`. */
  readonly path: string;
  /** The query string without its `?`, e.g. `uploads` or `partNumber=2&uploadId=…`. */
  readonly query: string;
}

/**
 * A loopback HTTP proxy between the action and the S3 server that records every request. Headers
 * pass unchanged (Host included), so servers that verify signatures accept the forwarded calls.
 */
export interface S3Proxy {
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  /** Requests that change something: PUT, POST, DELETE. */
  writes(): RecordedRequest[];
  stop(): Promise<void>;
}

export async function startS3Proxy(targetEndpoint: string): Promise<S3Proxy> {
  const target = new URL(targetEndpoint);
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const url = incoming.url ?? '/';
    const queryAt = url.indexOf('?');
    requests.push({
      method: incoming.method ?? 'GET',
      path: queryAt < 0 ? url : url.slice(0, queryAt),
      query: queryAt < 0 ? '' : url.slice(queryAt + 1),
    });
    const forwarded = request(
      {
        hostname: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    writes: () => requests.filter((entry) => ['PUT', 'POST', 'DELETE'].includes(entry.method)),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
