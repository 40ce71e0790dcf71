import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlobSASPermissions, generateBlobSASQueryParameters } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, type Azurite } from '../helpers/azurite.ts';

const SERVICE_PATH = '/twirp/github.actions.results.api.v1.CacheService/';
const CONTAINER = 'actions-cache';
const SAS_LIFETIME_MS = 10 * 60_000;

/** One cache entry as the service holds it. */
export interface CacheEntry {
  readonly id: number;
  readonly key: string;
  readonly version: string;
  readonly blobName: string;
  /** Set by FinalizeCacheEntryUpload; an entry is restorable only then. */
  sizeBytes: number | undefined;
}

/** How the signed URLs the service hands out address the blob store. */
export type BlobUrlStyle =
  /** `http://<account>.blob.core.windows.net:<port>/…`: the host for which the toolkit downloads through the Blob SDK (reach it through a forward proxy). */
  | { readonly kind: 'azure-host' }
  /** `<endpoint>/<account>/…`: any other host, which the toolkit reads with one plain GET. */
  | { readonly kind: 'endpoint'; readonly endpoint: string };

export interface ActionsCacheService {
  /** ACTIONS_RESULTS_URL. */
  readonly url: string;
  /** ACTIONS_RUNTIME_TOKEN: the only bearer token the service accepts. */
  readonly token: string;
  readonly entries: CacheEntry[];
  /** The RPCs received, in order: `CreateCacheEntry <key>`, … */
  readonly calls: string[];
  /** The entry's blob size as the blob store reports it. */
  blobSize(entry: CacheEntry): Promise<number>;
  blobBytes(entry: CacheEntry): Promise<Buffer>;
  stop(): Promise<void>;
}

export type Json = Record<string, unknown>;

class TwirpError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * The runner's cache service, protocol v2, as @actions/cache speaks it: Twirp JSON over HTTP
 * (proto field names), entries keyed by key and version, uploads and downloads straight to the
 * blob store through SAS URLs. What GitHub's service does that matters to a client: a second
 * entry for the same key and version is refused (409 already_exists), an entry is restorable
 * only once finalized with its blob's size, a lookup matches the key exactly and then the restore
 * keys as prefixes (newest first), and a request without the runtime token is unauthenticated.
 */
/**
 * Called before each RPC is served: resolves to a response to give instead (a refusal), or to
 * undefined to serve it; it may also take its time (to hold a call until something happened).
 */
export type BeforeCall = (method: string, body: Json) => Promise<Json | undefined>;

export async function startActionsCacheService(azurite: Azurite, style: BlobUrlStyle, before?: BeforeCall): Promise<ActionsCacheService> {
  const container = azurite.container(CONTAINER);
  await container.createIfNotExists();
  const token = runtimeToken();
  const entries: CacheEntry[] = [];
  const calls: string[] = [];

  const signedUrl = (entry: CacheEntry, permissions: string): string => {
    const sas = generateBlobSASQueryParameters(
      {
        containerName: CONTAINER,
        blobName: entry.blobName,
        permissions: BlobSASPermissions.parse(permissions),
        expiresOn: new Date(Date.now() + SAS_LIFETIME_MS),
      },
      azurite.credential,
    ).toString();
    const base =
      style.kind === 'azure-host'
        ? `http://${AZURITE_ACCOUNT}.blob.core.windows.net:${azurite.port}`
        : `${style.endpoint}/${AZURITE_ACCOUNT}`;
    return `${base}/${CONTAINER}/${entry.blobName}?${sas}`;
  };
  const finalized = (version: string) => entries.filter((entry) => entry.version === version && entry.sizeBytes !== undefined);

  const methods: Record<string, (body: Json) => Promise<Json>> = {
    CreateCacheEntry: async (body) => {
      const key = text(body, 'key');
      const version = text(body, 'version');
      if (entries.some((entry) => entry.key === key && entry.version === version)) {
        throw new TwirpError(409, 'already_exists', 'cache entry with the same key, version, and scope already exists');
      }
      const id = entries.length + 1;
      const entry: CacheEntry = { id, key, version, blobName: `entries/${id}`, sizeBytes: undefined };
      entries.push(entry);
      return { ok: true, signed_upload_url: signedUrl(entry, 'cw') };
    },
    FinalizeCacheEntryUpload: async (body) => {
      const key = text(body, 'key');
      const version = text(body, 'version');
      const sizeBytes = Number(text(body, 'size_bytes'));
      const entry = entries.find((candidate) => candidate.key === key && candidate.version === version && candidate.sizeBytes === undefined);
      if (entry === undefined) throw new TwirpError(404, 'not_found', `no reserved cache entry for key ${key}`);
      const stored = await blobSize(entry).catch(() => undefined);
      if (stored !== sizeBytes) return { ok: false, message: `the uploaded blob holds ${stored ?? 'no'} bytes, not ${sizeBytes}` };
      entry.sizeBytes = sizeBytes;
      return { ok: true, entry_id: String(entry.id) };
    },
    GetCacheEntryDownloadURL: async (body) => {
      const key = text(body, 'key');
      const restoreKeys = Array.isArray(body.restore_keys) ? body.restore_keys.map(String) : [];
      const candidates = finalized(text(body, 'version')).reverse();
      const match =
        candidates.find((entry) => entry.key === key) ??
        restoreKeys.map((prefix) => candidates.find((entry) => entry.key.startsWith(prefix))).find((entry) => entry !== undefined);
      if (match === undefined) return { ok: false };
      return { ok: true, signed_download_url: signedUrl(match, 'r'), matched_key: match.key };
    },
  };

  const blobSize = async (entry: CacheEntry) => (await container.getBlockBlobClient(entry.blobName).getProperties()).contentLength ?? 0;
  const server: Server = createServer((request, response) => {
    handle(request, methods, token, calls, before)
      .then((result) => reply(response, 200, result))
      .catch((error: unknown) => {
        const twirp = error instanceof TwirpError ? error : new TwirpError(500, 'internal', (error as Error).message);
        reply(response, twirp.status, { code: twirp.code, msg: twirp.message });
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    token,
    entries,
    calls,
    blobSize,
    blobBytes: (entry) => container.getBlockBlobClient(entry.blobName).downloadToBuffer(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  request: IncomingMessage,
  methods: Record<string, (body: Json) => Promise<Json>>,
  token: string,
  calls: string[],
  before: BeforeCall | undefined,
): Promise<Json> {
  const path = request.url ?? '';
  const method = path.startsWith(SERVICE_PATH) ? methods[path.slice(SERVICE_PATH.length)] : undefined;
  if (request.method !== 'POST' || method === undefined) throw new TwirpError(404, 'bad_route', `no handler for ${request.method} ${path}`);
  if (request.headers.authorization !== `Bearer ${token}`) throw new TwirpError(401, 'unauthenticated', 'a valid runtime token is required');
  let raw = '';
  for await (const chunk of request) raw += String(chunk);
  let body: Json;
  try {
    body = JSON.parse(raw) as Json;
  } catch {
    throw new TwirpError(400, 'malformed', 'the body is not JSON');
  }
  const name = path.slice(SERVICE_PATH.length);
  calls.push(`${name} ${String(body.key)}`);
  return (await before?.(name, body)) ?? method(body);
}

function reply(response: ServerResponse, status: number, body: Json): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function text(body: Json, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new TwirpError(400, 'invalid_argument', `${field} is required`);
  return value;
}

/** JWT-shaped, as the runner's: header.claims.signature, base64url. */
function runtimeToken(): string {
  const part = (value: object | Buffer) => Buffer.from(Buffer.isBuffer(value) ? value : JSON.stringify(value)).toString('base64url');
  const claims = { scp: 'Actions.Results:4242:1 Actions.GenericRead:00000000-0000-0000-0000-000000000000', exp: Math.floor(Date.now() / 1000) + 3600 };
  return [part({ typ: 'JWT', alg: 'RS256' }), part(claims), part(randomBytes(32))].join('.');
}
