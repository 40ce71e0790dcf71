import { Agent as HttpAgent, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { proxyFor, type ProxySettings } from './proxy-settings.ts';

/** As the SDK's own agents: connections kept alive, at most this many per host. */
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 50 };

/** What Node's ClientRequest passes to its agent. */
interface RequestOptions {
  readonly host?: string | null;
  readonly port?: number | string | null;
}
type AddRequest = (request: ClientRequest, options: object) => void;

/**
 * The SDK handler's agents (one per scheme), routing each request by its target: through the
 * proxy `proxyFor` names (a CONNECT tunnel for https://, an absolute-URI request for http://,
 * both TooTallNate's proxy agents, which own the proxy protocol), or directly, for NO_PROXY hosts
 * and the credential endpoints. Per request, not per client, because one client reaches several
 * hosts (a bucket per virtual host on AWS) and NO_PROXY may name some of them.
 *
 * The choice is made in `addRequest`, as the request is created, and handed to the chosen agent
 * at once: the HTTP proxy agent rewrites the request line to an absolute URI there, before any
 * body is queued (deciding later, as agent-base's asynchronous `connect` does, leaves a reused
 * connection with the original relative request line, which the proxy rejects).
 */
export function proxyRoutingAgents(settings: ProxySettings): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
  const proxied = new Map<string, HttpAgent>();
  const proxyAgentFor = (secure: boolean, options: RequestOptions): HttpAgent | undefined => {
    const host = (options.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
    const target = new URL(`${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}`);
    if (options.port) target.port = String(options.port);
    const proxy = proxyFor(target, settings);
    if (proxy === undefined) return undefined;
    const key = `${secure ? 'https' : 'http'} ${proxy}`;
    let agent = proxied.get(key);
    if (agent === undefined) {
      agent = secure ? new HttpsProxyAgent(proxy, AGENT_OPTIONS) : new HttpProxyAgent(proxy, AGENT_OPTIONS);
      proxied.set(key, agent);
    }
    return agent;
  };
  const destroyProxied = () => {
    for (const agent of proxied.values()) agent.destroy();
    proxied.clear();
  };

  class RoutedHttpAgent extends HttpAgent {
    addRequest(request: ClientRequest, options: RequestOptions): void {
      const agent = proxyAgentFor(false, options);
      if (agent) return (agent as unknown as { addRequest: AddRequest }).addRequest(request, { ...options, secureEndpoint: false, protocol: 'http:' });
      return (HttpAgent.prototype as unknown as { addRequest: AddRequest }).addRequest.call(this, request, options);
    }
    override destroy(): void {
      destroyProxied();
      super.destroy();
    }
  }
  class RoutedHttpsAgent extends HttpsAgent {
    addRequest(request: ClientRequest, options: RequestOptions): void {
      const agent = proxyAgentFor(true, options);
      if (agent) return (agent as unknown as { addRequest: AddRequest }).addRequest(request, { ...options, secureEndpoint: true, protocol: 'https:' });
      return (HttpsAgent.prototype as unknown as { addRequest: AddRequest }).addRequest.call(this, request, options);
    }
    override destroy(): void {
      destroyProxied();
      super.destroy();
    }
  }
  return { httpAgent: new RoutedHttpAgent(AGENT_OPTIONS), httpsAgent: new RoutedHttpsAgent(AGENT_OPTIONS) };
}
