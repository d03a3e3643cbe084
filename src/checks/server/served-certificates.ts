// What server.endpoints and server.certs both judge, gathered once: the default/kubernetes
// endpoints (EndpointSlice, else Endpoints), the kubeconfig server's addresses, and one TCP+TLS
// handshake per address with the certificate it serves.
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { joinHostPort, stripBrackets } from '../../net/ip.ts';
import { kubernetesClusterIP, kubernetesEndpoints } from '../../kube/apiserver-endpoints.ts';
import { judgeCertificate, probeAddress, verifiedName } from '../../kube/probe.ts';
import { watchHandshakeStall, type StallEvidence } from '../../kube/handshake-stall.ts';
import type { NetError } from '../../net/tcp.ts';
import type { CertInfo } from '../../net/x509.ts';
import { failureText } from './api-answer.ts';
import type { ServerContext } from './context.ts';
import { monotonicMs } from '../../net/clock.ts';

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
  /** the certificate covers the address itself (judgeCertificate) */
  coversAddress?: boolean;
  nameError?: string;
  /** the handshake stalled (TCP connected, direct): what the probes that tell its causes apart saw */
  stall?: StallEvidence;
}

export interface EndpointFacts {
  endpoints: { address: string; port: number }[];
  endpointSource: string;
  endpointError?: string;
  /** the server's own words for it (a 403 names the user and the permission) */
  endpointMessage?: string;
  clusterIP?: string;
  server: { host: string; port: number; name: string; addresses: string[] };
  served: ServedCertificate[];
}

async function servedAt(ctx: ServerContext, host: string, port: number, sources: string[]): Promise<ServedCertificate> {
  const api = ctx.api;
  const startedAt = monotonicMs();
  const pending = probeAddress(api, host, port);
  // "net/http: TLS handshake timeout" told apart as `api` does (direct connections only)
  const servername = api.config.cluster.tlsServerName || (isIP(host) ? undefined : host);
  const stall = watchHandshakeStall(
    { host, port, ...(servername ? { servername } : {}) },
    { timeoutMs: api.timeoutMs, startedAt },
    pending.then((p) => !p.proxy && p.connected && p.tls?.ok === false && p.tls.error?.kind === 'timeout'),
  );
  const hs = await pending;
  const { address } = hs;
  const via = hs.proxy ? `proxy ${hs.proxy} → ${address}` : address;
  if (!hs.tls?.ok) {
    const probes = !hs.proxy && hs.connected && hs.tls?.error?.kind === 'timeout' ? await stall : undefined;
    return { address, sources, via, ok: false, error: hs.error, ...(probes ? { stall: probes } : {}) };
  }
  const tls = hs.tls;
  // THE rule api.endpoints applies too (src/kube/probe.ts): trust to the kubeconfig CA, and whether
  // the certificate covers the address itself (the other names clients dial: server.endpoints)
  const v = judgeCertificate(api, tls.certificates, verifiedName(api, host, sources.some((x) => x.startsWith('kubeconfig server'))));
  return { address, sources, via, ok: true, chain: tls.chain, certs: tls.certificates, trusted: !v.unknownAuthority, verifyError: v.unknownAuthority ? v.goError : undefined, coversAddress: v.covers, nameError: v.covers ? undefined : v.goError };
}

/** The endpoints, the kubeconfig addresses and one handshake per address, shared by both checks. */
export function endpointFacts(ctx: ServerContext): Promise<EndpointFacts> {
  return ctx.once('endpoint-facts', async () => {
    const api = ctx.api;
    const [k, clusterIP] = await Promise.all([kubernetesEndpoints(ctx.api), kubernetesClusterIP(ctx.api)]);
    const { endpoints, endpointSource } = k;
    const endpointError = k.failure ? failureText(k.failure) : undefined;
    const endpointMessage = k.failure?.status ? k.failure.message : undefined;
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
    const served = await Promise.all([...targets.values()].map((t) => servedAt(ctx, stripBrackets(t.host), t.port, t.sources)));
    return { endpoints, endpointSource, endpointError, endpointMessage, clusterIP, server: { host, port: api.port, name, addresses }, served };
  });
}
