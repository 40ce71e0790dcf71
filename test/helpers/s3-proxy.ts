import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** The path as the client sent it, e.g. `/bucket/key`. */
  readonly path: string;
  /** The query string without its `?`, e.g. `uploads` or `partNumber=2&uploadId=…`. */
  readonly query: string;
  /** `x-amz-copy-source`, for server-side copies. */
  readonly copySource: string | undefined;
  /** `x-amz-copy-source-range`, for part copies. */
  readonly copySourceRange: string | undefined;
  /** The copy's source conditions: S3's `x-amz-copy-source-if-match` and Ceph RGW's `x-amz-copy-if-match`. */
  readonly copySourceIfMatch: string | undefined;
  readonly copyIfMatch: string | undefined;
  /** The headers the SigV4 `Authorization` header says were signed, lower case. */
  readonly signedHeaders: readonly string[];
  /** `if-none-match`, for conditional writes. */
  readonly ifNoneMatch: string | undefined;
  /** Request body bytes that reached the server (uploads). */
  requestBytes: number;
  /** Response body bytes that reached the client (downloads). */
  responseBytes: number;
  /** The status the client saw. */
  status: number;
}

/** What to do to a matching request instead of passing it through. */
export type FaultAction =
  /** Answer with an S3 error (503 SlowDown, 500 InternalError, 501 NotImplemented…). */
  | { readonly kind: 'error'; readonly status: number; readonly code: string }
  /** Close the connection after this many bytes of the response body. */
  | { readonly kind: 'cut-response'; readonly afterBytes: number }
  /** Close the connection after this many bytes of the request body. */
  | { readonly kind: 'cut-request'; readonly afterBytes: number }
  /** Stop forwarding the response after this many bytes, keeping the connection open. */
  | { readonly kind: 'stall-response'; readonly afterBytes: number }
  /** Forward the whole response, at this pace (a slow link: progress has time to show). */
  | { readonly kind: 'slow-response'; readonly bytesPerSecond: number };

export interface Fault {
  readonly matches: (request: RecordedRequest) => boolean;
  readonly action: FaultAction;
  /** How many matching requests get the fault; later ones pass. */
  times: number;
}

/**
 * A loopback HTTP proxy between the action and the S3 server: records every request and injects
 * faults. Headers pass unchanged (Host included), so servers that verify signatures accept the
 * forwarded calls.
 */
export interface S3Proxy {
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  /** Requests that change something: PUT, POST, DELETE. */
  writes(): RecordedRequest[];
  inject(fault: Fault): void;
  stop(): Promise<void>;
}

export async function startS3Proxy(targetEndpoint: string): Promise<S3Proxy> {
  const target = new URL(targetEndpoint);
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const recorded = record(incoming);
    requests.push(recorded);
    const fault = faults.find((candidate) => candidate.times > 0 && candidate.matches(recorded));
    if (fault) fault.times -= 1;
    const action = fault?.action;
    if (action?.kind === 'error') {
      answerWithError(incoming, outgoing, recorded, action.status, action.code);
      return;
    }
    const forwarded = request(
      { hostname: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (response) => {
        recorded.status = response.statusCode ?? 502;
        outgoing.writeHead(recorded.status, response.headers);
        response.on('data', (chunk: Buffer) => {
          if (action?.kind === 'slow-response') {
            recorded.responseBytes += chunk.length;
            outgoing.write(chunk);
            response.pause();
            setTimeout(() => response.resume(), (1000 * chunk.length) / action.bytesPerSecond);
            return;
          }
          const limit = action?.kind === 'cut-response' || action?.kind === 'stall-response' ? action.afterBytes : Infinity;
          if (recorded.responseBytes + chunk.length <= limit) {
            recorded.responseBytes += chunk.length;
            outgoing.write(chunk);
            return;
          }
          const allowed = Math.max(limit - recorded.responseBytes, 0);
          if (allowed > 0) outgoing.write(chunk.subarray(0, allowed));
          recorded.responseBytes += allowed;
          response.destroy();
          // A stall keeps the client's connection open and silent; a cut closes it.
          if (action?.kind === 'cut-response') outgoing.socket?.destroy();
        });
        response.on('end', () => outgoing.end());
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.on('data', (chunk: Buffer) => {
      if (action?.kind === 'cut-request' && recorded.requestBytes + chunk.length > action.afterBytes) {
        forwarded.destroy();
        incoming.socket.destroy();
        return;
      }
      recorded.requestBytes += chunk.length;
      forwarded.write(chunk);
    });
    incoming.on('end', () => forwarded.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    writes: () => requests.filter((entry) => ['PUT', 'POST', 'DELETE'].includes(entry.method)),
    inject: (fault) => faults.push(fault),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answerWithError(
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  recorded: RecordedRequest,
  status: number,
  code: string,
): void {
  recorded.status = status;
  incoming.resume();
  incoming.on('end', () => {
    outgoing.writeHead(status, { 'content-type': 'application/xml' });
    outgoing.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message></Message></Error>`);
  });
}

function record(incoming: IncomingMessage): RecordedRequest {
  const url = incoming.url ?? '/';
  const queryAt = url.indexOf('?');
  const header = (name: string) => {
    const value = incoming.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    method: incoming.method ?? 'GET',
    path: queryAt < 0 ? url : url.slice(0, queryAt),
    query: queryAt < 0 ? '' : url.slice(queryAt + 1),
    copySource: header('x-amz-copy-source'),
    copySourceRange: header('x-amz-copy-source-range'),
    copySourceIfMatch: header('x-amz-copy-source-if-match'),
    copyIfMatch: header('x-amz-copy-if-match'),
    signedHeaders: /SignedHeaders=([^,]+)/.exec(header('authorization') ?? '')?.[1]?.split(';') ?? [],
    ifNoneMatch: header('if-none-match'),
    requestBytes: 0,
    responseBytes: 0,
    status: 0,
  };
}
