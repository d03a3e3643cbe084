// What server.endpoints and server.certs both judge, gathered once: the default/kubernetes
// endpoints (EndpointSlice, else Endpoints), the kubeconfig server's addresses, and one TCP+TLS
// handshake per address with the certificate it serves.
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import { httpConnect } from '../../net/connect.ts';
import { joinHostPort, stripBrackets } from '../../net/ip.ts';
import { redactUrl, selectProxy } from '../../net/proxy.ts';
import { openTcp, type NetError } from '../../net/tcp.ts';
import { tlsHandshake } from '../../net/tls.ts';
import { verifyChain, type CertInfo } from '../../net/x509.ts';
import { failureText } from './api-answer.ts';
import type { ServerContext } from './context.ts';

export interface ServedCertificate {
  /** host:port */
  address: string;
  /** why it is probed: "EndpointSlice default/kubernetes", "kubeconfig server", "DNS api.example.com" */
  sources: string[];
  via: string;
  ok: boolean;
  error?: NetError;
  chain?: CertInfo[];
  /** not sent to the report */
  certs?: X509Certificate[];
  trusted?: boolean;
  verifyError?: string;
}

export interface EndpointFacts {
  endpoints: { address: string; port: number }[];
  endpointSource: string;
  endpointError?: string;
  clusterIP?: string;
  server: { host: string; port: number; name: string; addresses: string[] };
  served: ServedCertificate[];
}

async function probeAddress(ctx: ServerContext, host: string, port: number, sources: string[]): Promise<ServedCertificate> {
  const api = ctx.api;
  const address = joinHostPort(host, port);
  const decision = selectProxy(new URL(`https://${address}`), api.clientOptions.env, api.config.cluster.proxyUrl);
  let socket;
  let via = address;
  if (decision.proxy) {
    via = `proxy ${redactUrl(decision.proxy)} → ${address}`;
    const r = await httpConnect(decision.proxy, host, port, { timeoutMs: ctx.timeoutMs });
    if (!r.ok || !r.socket) return { address, sources, via, ok: false, error: r.error ?? { kind: 'proxy', message: r.statusLine ?? 'CONNECT failed' } };
    socket = r.socket;
  } else {
    const r = await openTcp(host, port, { timeoutMs: ctx.timeoutMs });
    if (!r.ok || !r.socket) return { address, sources, via, ok: false, error: r.error };
    socket = r.socket;
  }
  const tlsName = api.config.cluster.tlsServerName;
  const tls = await tlsHandshake({ socket, host, port, servername: tlsName || (isIP(host) ? undefined : host), timeoutMs: ctx.timeoutMs });
  socket.destroy();
  if (!tls.ok) return { address, sources, via, ok: false, error: tls.error };
  const roots = api.roots().roots;
  // trust only here (the chain to the kubeconfig CA, validity); names are judged per address below
  const v = verifyChain(tls.certificates, { roots: roots ?? 'system', serverName: '', now: ctx.now() });
  const trusted = !v.problems.some((p) => p.kind === 'unknown-authority');
  return { address, sources, via, ok: true, chain: tls.chain, certs: tls.certificates, trusted, verifyError: trusted ? undefined : v.goError };
}

export interface KubernetesEndpoints {
  endpoints: { address: string; port: number }[];
  endpointSource: string;
  endpointError?: string;
  clusterIP?: string;
}

/**
 * Where the API server advertises itself: the EndpointSlice of default/kubernetes (before
 * discovery.k8s.io/v1, or when it may not be read: the Endpoints object), and the Service's ClusterIP.
 */
export async function kubernetesEndpoints(ctx: ServerContext): Promise<KubernetesEndpoints> {
  const api = ctx.api;
  const endpoints: { address: string; port: number }[] = [];
  const [slices, svc] = await Promise.all([
    api.list<V1EndpointSlice>('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', { query: { labelSelector: 'kubernetes.io/service-name=kubernetes' } }),
    api.get<V1Service>('/api/v1/namespaces/default/services/kubernetes'),
  ]);
  const clusterIP = svc.ok && svc.body.spec?.clusterIP && svc.body.spec.clusterIP !== 'None' ? svc.body.spec.clusterIP : undefined;
  if (slices.ok) {
    for (const item of slices.body) {
      const port = item.ports?.find((p) => p.name === 'https')?.port ?? item.ports?.[0]?.port ?? api.port;
      for (const ep of item.endpoints ?? []) for (const a of ep.addresses ?? []) endpoints.push({ address: a, port });
    }
    return { endpoints, endpointSource: 'EndpointSlice default/kubernetes', clusterIP };
  }
  const e = await api.get<V1Endpoints>('/api/v1/namespaces/default/endpoints/kubernetes');
  if (!e.ok) return { endpoints, endpointSource: 'Endpoints default/kubernetes', endpointError: failureText(slices), clusterIP };
  for (const s of e.body.subsets ?? []) {
    const port = s.ports?.find((p) => p.name === 'https')?.port ?? s.ports?.[0]?.port ?? api.port;
    for (const a of s.addresses ?? []) endpoints.push({ address: a.ip, port });
  }
  return { endpoints, endpointSource: 'Endpoints default/kubernetes', clusterIP };
}

/** The endpoints, the kubeconfig addresses and one handshake per address, shared by both checks. */
export function endpointFacts(ctx: ServerContext): Promise<EndpointFacts> {
  return ctx.once('endpoint-facts', async () => {
    const api = ctx.api;
    const { endpoints, endpointSource, endpointError, clusterIP } = await kubernetesEndpoints(ctx);
    const host = api.host;
    const name = api.config.cluster.tlsServerName || host;
    const addresses = api.isIpServer ? [host] : (await api.dns()).addresses.map((a) => a.address);
    const targets = new Map<string, { host: string; port: number; sources: string[] }>();
    const add = (h: string, port: number, source: string) => {
      const key = joinHostPort(h, port);
      const t = targets.get(key) ?? { host: h, port, sources: [] };
      if (!t.sources.includes(source)) t.sources.push(source);
      targets.set(key, t);
    };
    for (const e of endpoints) add(e.address, e.port, endpointSource);
    const viaProxy = (() => {
      try {
        return api.proxy().proxy !== undefined;
      } catch {
        return false;
      }
    })();
    // through a proxy the kubeconfig host is dialled by name; directly, each of its addresses
    if (viaProxy || api.isIpServer) add(host, api.port, 'kubeconfig server');
    else for (const a of addresses) add(a, api.port, `kubeconfig server (DNS ${host})`);
    const served = await Promise.all([...targets.values()].map((t) => probeAddress(ctx, stripBrackets(t.host), t.port, t.sources)));
    return { endpoints, endpointSource, endpointError, clusterIP, server: { host, port: api.port, name, addresses }, served };
  });
}
