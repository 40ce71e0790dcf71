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
  /** The region the request was signed for (the SigV4 credential scope). */
  readonly region: string | undefined;
  /** Every request header as the client sent it, names in lower case (one value per name). */
  readonly headers: Readonly<Record<string, string>>;
  /** The S3 error code of a failed answer (`<Code>` of its body), as the client saw it. */
  errorCode: string | undefined;
  /** `if-match`, for pinned reads and conditional writes. */
  readonly ifMatch: string | undefined;
  /** `range`, for ranged reads. */
  readonly range: string | undefined;
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
  | { readonly kind: 'error'; readonly status: number; readonly code: string; readonly headers?: Readonly<Record<string, string>> }
  /** Close the connection after this many bytes of the response body. */
  | { readonly kind: 'cut-response'; readonly afterBytes: number }
  /** Close the connection after this many bytes of the request body. */
  | { readonly kind: 'cut-request'; readonly afterBytes: number }
  /** Stop forwarding the response after this many bytes, keeping the connection open. */
  | { readonly kind: 'stall-response'; readonly afterBytes: number }
  /** Forward the request with the byte at this offset of its body inverted: damage in transit. */
  | { readonly kind: 'flip-request-byte'; readonly at: number }
  /** Forward the request only once `until` has settled (something changes on the server meanwhile). */
  | { readonly kind: 'hold'; readonly until: () => Promise<unknown> }
  /** Forward the whole response, at this pace (a slow link: progress has time to show). */
  | { readonly kind: 'slow-response'; readonly bytesPerSecond: number };

export interface Fault {
  readonly matches: (request: RecordedRequest) => boolean;
  readonly action: FaultAction;
  /** How many matching requests get the fault; later ones pass. */
  times: number;
}

/**
 * A loopback HTTP proxy between the action and the S3 server: records every request (its
 * headers, and the error code of a failed answer) and injects faults. Headers pass unchanged (Host included), so servers that verify signatures accept the
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
  /** Requests on hold: handled again, as recorded, once released. */
  const held = new Map<IncomingMessage, RecordedRequest>();
  const server: Server = createServer((incoming, outgoing) => {
    const released = held.get(incoming);
    held.delete(incoming);
    const recorded = released ?? record(incoming);
    if (released === undefined) requests.push(recorded);
    const fault = released === undefined ? faults.find((candidate) => candidate.times > 0 && candidate.matches(recorded)) : undefined;
    if (fault) fault.times -= 1;
    const action = fault?.action;
    if (action?.kind === 'hold') {
      // Not paused: a body nobody reads yet waits, and flows once the released request attaches its listener.
      held.set(incoming, recorded);
      void action.until().finally(() => server.emit('request', incoming, outgoing));
      return;
    }
    if (action?.kind === 'error') {
      answerWithError(incoming, outgoing, recorded, action);
      return;
    }
    const forwarded = request(
      { hostname: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (response) => {
        recorded.status = response.statusCode ?? 502;
        outgoing.writeHead(recorded.status, response.headers);
        let errorBody = '';
        response.on('data', (chunk: Buffer) => {
          if (action?.kind === 'slow-response') {
            recorded.responseBytes += chunk.length;
            outgoing.write(chunk);
            response.pause();
            setTimeout(() => response.resume(), (1000 * chunk.length) / action.bytesPerSecond);
            return;
          }
          if (recorded.status >= 400 && errorBody.length < 4096) errorBody += chunk.toString('utf8');
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
        response.on('end', () => {
          recorded.errorCode = /<Code>([^<]*)<\/Code>/.exec(errorBody)?.[1];
          outgoing.end();
        });
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.on('data', (chunk: Buffer) => {
      if (action?.kind === 'cut-request' && recorded.requestBytes + chunk.length > action.afterBytes) {
        forwarded.destroy();
        incoming.socket.destroy();
        return;
      }
      const offset = recorded.requestBytes;
      recorded.requestBytes += chunk.length;
      if (action?.kind === 'flip-request-byte' && action.at >= offset && action.at < offset + chunk.length) {
        const damaged = Buffer.from(chunk);
        damaged[action.at - offset] = damaged[action.at - offset]! ^ 0xff;
        forwarded.write(damaged);
        return;
      }
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
  { status, code, headers }: { readonly status: number; readonly code: string; readonly headers?: Readonly<Record<string, string>> },
): void {
  recorded.status = status;
  recorded.errorCode = code;
  incoming.resume();
  incoming.on('end', () => {
    outgoing.writeHead(status, { 'content-type': 'application/xml', ...headers });
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
    region: /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(header('authorization') ?? '')?.[1],
    headers: Object.fromEntries(Object.keys(incoming.headers).map((name) => [name, header(name) ?? ''])),
    errorCode: undefined,
    ifMatch: header('if-match'),
    range: header('range'),
    requestBytes: 0,
    responseBytes: 0,
    status: 0,
  };
}
