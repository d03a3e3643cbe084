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
import type { KubeClient } from './client.ts';

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
