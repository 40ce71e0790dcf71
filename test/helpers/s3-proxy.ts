import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** The path as the client sent it, e.g. `/bucket/key`. */
  readonly path: string;
  /** The query string without its `?`, e.g. `uploads` or `partNumber=2&uploadId=…`. */
  readonly query: string;
  /** `x-amz-copy-source`, for server-side copies. */
  readonly copySource: string | undefined;
  /** Request body bytes that passed through (uploads). */
  requestBytes: number;
  /** Response body bytes that passed through (downloads). */
  responseBytes: number;
}

/** A fault to inject: cut the connection after `afterBytes` of a matching response body. */
export interface ResponseCut {
  readonly matches: (request: RecordedRequest) => boolean;
  readonly afterBytes: number;
  /** How many matching responses to cut; later ones pass. */
  times: number;
}

/** A fault to inject: answer matching requests with an S3 error instead of forwarding them. */
export interface ErrorAnswer {
  readonly matches: (request: RecordedRequest) => boolean;
  readonly status: number;
  readonly code: string;
  /** How many matching requests to answer so; later ones pass. */
  times: number;
}

/**
 * A loopback HTTP proxy between the action and the S3 server that records every request and
 * can break responses. Headers pass unchanged (Host included), so servers that verify
 * signatures accept the forwarded calls.
 */
export interface S3Proxy {
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  /** Requests that change something: PUT, POST, DELETE. */
  writes(): RecordedRequest[];
  cutResponses(cut: ResponseCut): void;
  answerWithError(answer: ErrorAnswer): void;
  stop(): Promise<void>;
}

export async function startS3Proxy(targetEndpoint: string): Promise<S3Proxy> {
  const target = new URL(targetEndpoint);
  const requests: RecordedRequest[] = [];
  const cuts: ResponseCut[] = [];
  const errorAnswers: ErrorAnswer[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const recorded = record(incoming);
    requests.push(recorded);
    const answer = errorAnswers.find((candidate) => candidate.times > 0 && candidate.matches(recorded));
    if (answer) {
      answer.times -= 1;
      incoming.resume();
      incoming.on('end', () => {
        outgoing.writeHead(answer.status, { 'content-type': 'application/xml' });
        outgoing.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${answer.code}</Code><Message></Message></Error>`);
      });
      return;
    }
    const cut = cuts.find((candidate) => candidate.times > 0 && candidate.matches(recorded));
    if (cut) cut.times -= 1;
    incoming.on('data', (chunk: Buffer) => (recorded.requestBytes += chunk.length));
    const forwarded = request(
      { hostname: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.on('data', (chunk: Buffer) => {
          if (cut && recorded.responseBytes + chunk.length > cut.afterBytes) {
            const allowed = cut.afterBytes - recorded.responseBytes;
            if (allowed > 0) outgoing.write(chunk.subarray(0, allowed));
            recorded.responseBytes += Math.max(allowed, 0);
            response.destroy();
            outgoing.socket?.destroy();
            return;
          }
          recorded.responseBytes += chunk.length;
          outgoing.write(chunk);
        });
        response.on('end', () => outgoing.end());
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
    cutResponses: (cut) => cuts.push(cut),
    answerWithError: (answer) => errorAnswers.push(answer),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function record(incoming: IncomingMessage): RecordedRequest {
  const url = incoming.url ?? '/';
  const queryAt = url.indexOf('?');
  const copySource = incoming.headers['x-amz-copy-source'];
  return {
    method: incoming.method ?? 'GET',
    path: queryAt < 0 ? url : url.slice(0, queryAt),
    query: queryAt < 0 ? '' : url.slice(queryAt + 1),
    copySource: Array.isArray(copySource) ? copySource[0] : copySource,
    requestBytes: 0,
    responseBytes: 0,
  };
}
