// One TCP+TLS handshake with one address of the API server, on the path kubectl would take to
// it (the proxy the environment or kubeconfig selects for that address, else direct) and with the
// SNI kubectl would send: what `api.endpoints` and `server.endpoints` learn about each address.
import { isIP } from 'node:net';
import { httpConnect } from '../net/connect.ts';
import { joinHostPort } from '../net/ip.ts';
import { selectProxy } from '../net/proxy.ts';
import { redactUrl } from '../report/redact.ts';
import { openTcp, type NetError } from '../net/tcp.ts';
import { tlsHandshake, type TlsResult } from '../net/tls.ts';
import { verifyChain } from '../net/x509.ts';
import type { X509Certificate } from 'node:crypto';
import type { KubeClient } from './client.ts';
import { caFingerprint } from './probe-cache.ts';

export interface AddressProbe {
  /** host:port */
  address: string;
  /** the proxy used for it (redacted), when one applies */
  proxy?: string;
  /** the TCP connection (or the CONNECT tunnel) opened */
  connected: boolean;
  /** the handshake, once connected (the socket is closed) */
  tls?: TlsResult;
  error?: NetError;
}

export function probeAddress(client: KubeClient, host: string, port: number): Promise<AddressProbe> {
  // contexts of a fleet run that know the same address share the probe (kube/probe-cache.ts)
  const cache = client.clientOptions.probeCache;
  if (!cache) return probeOnce(client, host, port);
  const proxy = selectProxy(new URL(`https://${joinHostPort(host, port)}`), client.clientOptions.env, client.config.cluster.proxyUrl).proxy;
  const key = `address:${joinHostPort(host, port)}|${proxy ?? 'direct'}|${client.config.cluster.tlsServerName ?? ''}|${client.timeoutMs}`;
  return cache.shared(key, () => probeOnce(client, host, port));
}

async function probeOnce(client: KubeClient, host: string, port: number): Promise<AddressProbe> {
  const address = joinHostPort(host, port);
  const timeoutMs = client.timeoutMs;
  const decision = selectProxy(new URL(`https://${address}`), client.clientOptions.env, client.config.cluster.proxyUrl);
  const proxy = decision.proxy ? redactUrl(decision.proxy) : undefined;
  let socket;
  if (decision.proxy) {
    const r = await httpConnect(decision.proxy, host, port, { timeoutMs });
    if (!r.ok || !r.socket) return { address, proxy, connected: false, error: r.error ?? { kind: 'proxy', message: r.statusLine ?? 'CONNECT failed' } };
    socket = r.socket;
  } else {
    const r = await openTcp(host, port, { timeoutMs });
    if (!r.ok || !r.socket) return { address, proxy, connected: false, error: r.error };
    socket = r.socket;
  }
  const servername = client.config.cluster.tlsServerName || (isIP(host) ? undefined : host);
  const tls = await tlsHandshake({ socket, host, port, servername, timeoutMs });
  socket.destroy();
  return { address, proxy, connected: true, tls, ...(tls.ok ? {} : { error: tls.error }) };
}

export interface CertificateVerdict {
  /** the chain verifies against the kubeconfig CA (or the system roots) and is within its validity */
  trusted: boolean;
  /** the chain does not lead to the kubeconfig CA (an expired certificate of the right CA is trusted but not valid) */
  unknownAuthority: boolean;
  /** the certificate covers the name a client of that address verifies */
  covers: boolean;
  /** Go's words for the first problem (what kubectl prints), when not trusted or not covering */
  goError?: string;
}

/**
 * THE rule for one address of the API server, shared by `api.endpoints` and `server.endpoints`: a
 * client that dials `serverName` (the address itself, unless a tls-server-name overrides it) works
 * only when the chain verifies against the kubeconfig CA AND the certificate covers that name, as
 * kubectl (Go's crypto/x509) decides.
 */
/** Verdicts per presented chain (the shared probe's array), name and CA: a fleet's contexts judge a chain once. */
const verdicts = new WeakMap<X509Certificate[], Map<string, CertificateVerdict>>();

export function judgeCertificate(client: KubeClient, certificates: X509Certificate[], serverName: string): CertificateVerdict {
  if (!client.clientOptions.probeCache) return judge(client, certificates, serverName);
  let byKey = verdicts.get(certificates);
  if (!byKey) verdicts.set(certificates, (byKey = new Map()));
  const key = `${serverName}|${caFingerprint(client.config.cluster.caPem)}`;
  let v = byKey.get(key);
  if (!v) byKey.set(key, (v = judge(client, certificates, serverName)));
  return v;
}

function judge(client: KubeClient, certificates: X509Certificate[], serverName: string): CertificateVerdict {
  const roots = client.roots().roots;
  const v = verifyChain(certificates, { roots: roots ?? 'system', serverName, now: client.now() });
  const trusted = !v.problems.some((p) => p.kind === 'unknown-authority' || p.kind === 'expired' || p.kind === 'not-yet-valid');
  const covers = !v.problems.some((p) => p.kind === 'name-mismatch' || p.kind === 'no-ip-san' || p.kind === 'legacy-cn-only');
  return { trusted, unknownAuthority: v.problems.some((p) => p.kind === 'unknown-authority'), covers, goError: v.goError };
}

/** The name a client verifies when it dials `host`: the kubeconfig's tls-server-name for the kubeconfig address, else the address. */
export function verifiedName(client: KubeClient, host: string, isKubeconfigServer: boolean): string {
  return (isKubeconfigServer && client.config.cluster.tlsServerName) || host;
}
