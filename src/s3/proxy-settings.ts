import { BlockList, isIP } from 'node:net';

/**
 * Which forward proxy a request goes through: from the `http-proxy` input, else the standard
 * HTTPS_PROXY / HTTP_PROXY variables, with NO_PROXY naming hosts reached directly. Pure: the
 * agent in proxy-agent.ts asks `proxyFor` once per connection.
 */

/** Where a proxy was set, for messages: the input or the variable that held it. */
export interface ProxySource {
  readonly url: string;
  readonly from: string;
}

export interface ProxySettings {
  /** For https:// requests (S3 on AWS); undefined: they go direct. */
  readonly https: ProxySource | undefined;
  /** For http:// requests (an S3-compatible endpoint without TLS). */
  readonly http: ProxySource | undefined;
  /** NO_PROXY entries, lower case: `*`, `host`, `.domain`, `*.domain`, each optionally with `:port`, and CIDR ranges. */
  readonly noProxy: readonly string[];
}

// Lower case first, as curl and the Actions toolkit (whose cache traffic follows the same
// variables) read them: one run never splits its traffic between two proxies.
const HTTPS_VARIABLES = ['https_proxy', 'HTTPS_PROXY'] as const;
const HTTP_VARIABLES = ['http_proxy', 'HTTP_PROXY'] as const;
const NO_PROXY_VARIABLES = ['no_proxy', 'NO_PROXY'] as const;

/**
 * Credential endpoints that must never see a proxy: the instance metadata service and the
 * container credential endpoints (ECS, EKS Pod Identity). A proxy would answer with its own
 * credentials or leak the role's. The SDK reaches them with agents of its own; this list keeps
 * the proxied agent from ever routing them even if that changes.
 */
export const NEVER_PROXIED_HOSTS: readonly string[] = ['169.254.169.254', 'fd00:ec2::254', '169.254.170.2', '169.254.170.23', 'fd00:ec2::23'];

/** `from` of a proxy the `http-proxy` input (or RIVA_STAGE_HTTP_PROXY) set. */
const PROXY_INPUT = 'http-proxy';

const PROXY_URL_RULE = 'must be an http:// or https:// proxy URL such as http://proxy.example.com:3128';

/** A proxy URL as given → its normal form, or the problem with it. Without a scheme, http:// is meant (as curl reads it). */
export function parseProxyUrl(value: string): { url: string } | { problem: string } {
  const withScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { problem: PROXY_URL_RULE };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: `${PROXY_URL_RULE} (${url.protocol.slice(0, -1)} proxies are not supported)` };
  if (url.hostname === '') return { problem: PROXY_URL_RULE };
  return { url: url.href };
}

/**
 * The run's proxies: the `http-proxy` input (already parsed) for both schemes, else each
 * scheme's variable; NO_PROXY applies to either. Throws nothing: a variable's bad value comes
 * back as a problem naming the variable.
 */
export function resolveProxySettings(
  input: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  inputName = '`http-proxy`',
): { settings: ProxySettings | undefined; problem?: undefined } | { settings?: undefined; problem: string } {
  const noProxy = splitNoProxy(firstSet(env, NO_PROXY_VARIABLES)?.value ?? '');
  if (input !== undefined) {
    const source = { url: input, from: PROXY_INPUT };
    return { settings: { https: source, http: source, noProxy } };
  }
  const sources: Array<ProxySource | undefined> = [];
  for (const variables of [HTTPS_VARIABLES, HTTP_VARIABLES]) {
    const set = firstSet(env, variables);
    if (set === undefined) {
      sources.push(undefined);
      continue;
    }
    const parsed = parseProxyUrl(set.value);
    if ('problem' in parsed) {
      return { problem: `${set.name} ${parsed.problem}; got "${withoutUserinfo(set.value)}". Fix it, unset it, or set ${inputName}, which takes precedence.` };
    }
    sources.push({ url: parsed.url, from: set.name });
  }
  const [https, http] = sources;
  return { settings: https === undefined && http === undefined ? undefined : { https, http, noProxy } };
}

/** The proxy for a request to `target`, or undefined to connect directly. */
export function proxyFor(target: URL, settings: ProxySettings): string | undefined {
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (NEVER_PROXIED_HOSTS.includes(host)) return undefined;
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  if (settings.noProxy.some((entry) => bypasses(entry, host, port))) return undefined;
  return (target.protocol === 'https:' ? settings.https : settings.http)?.url;
}

/**
 * `https://user:secret@host/` → `https://***@host/`: no message shows the credentials of a proxy
 * (or of an endpoint). By the last `@`, not by a URL parser, so that a value no parser accepts
 * (a `/` in the password) is masked all the same.
 */
export function withoutUserinfo(url: string): string {
  const at = url.lastIndexOf('@');
  if (at < 0) return url;
  const scheme = url.indexOf('://');
  const start = scheme >= 0 && scheme < at ? scheme + '://'.length : 0;
  return `${url.slice(0, start)}***${url.slice(at)}`;
}

/** One line for the log: which proxy each scheme uses, credentials masked. */
export function describeProxySettings(settings: ProxySettings): string {
  const describe = (source: ProxySource | undefined) => (source === undefined ? 'direct' : `${withoutUserinfo(source.url)} (from ${source.from})`);
  const same = settings.https !== undefined && settings.https.url === settings.http?.url && settings.https.from === settings.http.from;
  const routes = same ? `through ${describe(settings.https)}` : `https through ${describe(settings.https)}, http through ${describe(settings.http)}`;
  const bypass = settings.noProxy.length > 0 ? `; direct for NO_PROXY ${settings.noProxy.join(',')}` : '';
  return `Requests go ${routes}${bypass}; never for the instance metadata or container credential endpoints.`;
}

/**
 * When the proxy came from the `http-proxy` input, the variables are set to it too, so that the
 * traffic of libraries that read only the environment (the Actions cache) takes the same route.
 */
export function exportProxyInput(settings: ProxySettings | undefined, env: NodeJS.ProcessEnv): void {
  if (settings?.https?.from !== PROXY_INPUT) return;
  for (const name of [...HTTPS_VARIABLES, ...HTTP_VARIABLES]) env[name] = settings.https.url;
}

function firstSet(env: Readonly<Record<string, string | undefined>>, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

function splitNoProxy(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
}

/** Whether a NO_PROXY entry covers `host:port`: `*`, the host itself or a parent domain, optionally only on one port, or a CIDR range holding it. */
function bypasses(entry: string, host: string, port: string): boolean {
  if (entry === '*') return true;
  if (entry.includes('/')) return inRange(entry, host);
  const { name, entryPort } = splitEntry(entry);
  if (entryPort !== undefined && entryPort !== port) return false;
  const domain = name.replace(/^\*?\./, '');
  return domain !== '' && (host === domain || host.endsWith(`.${domain}`));
}

/**
 * `10.0.0.0/8`, `fd00::/8`: whether `host` is an IP address in the range. As curl reads such an
 * entry, no name is resolved: a host name never falls in a range. An entry that is not a range
 * (a bad address or prefix length) covers nothing, as other tools that share NO_PROXY ignore it.
 */
function inRange(entry: string, host: string): boolean {
  const slash = entry.lastIndexOf('/');
  const network = entry.slice(0, slash);
  const prefix = Number(entry.slice(slash + 1));
  const family = isIP(network);
  if (family === 0 || isIP(host) !== family || !/^\d{1,3}$/.test(entry.slice(slash + 1)) || prefix > (family === 4 ? 32 : 128)) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const range = new BlockList();
  range.addSubnet(network, prefix, type);
  return range.check(host, type);
}

/** `host:80`, `[::1]:80`, `::1` (a bare IPv6 address has no port), `host`. */
function splitEntry(entry: string): { name: string; entryPort: string | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1]!, entryPort: bracketed[2] };
  const withPort = /^([^:]+):(\d+)$/.exec(entry);
  if (withPort) return { name: withPort[1]!, entryPort: withPort[2] };
  return { name: entry, entryPort: undefined };
}
