// server.endpoints and server.certs: the `default/kubernetes` endpoints vs the kubeconfig server
// address(es) vs the SANs of the certificate EACH endpoint serves, and serving-certificate expiry.
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { CheckDefinition } from '../../engine/definitions.ts';
import type { FindingInput } from '../../engine/definitions.ts';
import { httpConnect } from '../../net/connect.ts';
import { selectProxy } from '../../net/proxy.ts';
import { redactUrl } from '../../report/redact.ts';
import { openTcp, type NetError } from '../../net/tcp.ts';
import { tlsHandshake } from '../../net/tls.ts';
import { goVerifyHostname, verifyChain, type CertInfo } from '../../net/x509.ts';
import { joinHostPort, stripBrackets } from '../../net/ip.ts';
import type { ServerContext } from './context.ts';
import { args, noCluster, parseJson } from './remote.ts';

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
  const decision = selectProxy(new URL(`https://${address}`), api.options.env, api.config.cluster.proxyUrl);
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

/** The endpoints, the kubeconfig addresses and one handshake per address, shared by both checks. */
export function endpointFacts(ctx: ServerContext): Promise<EndpointFacts> {
  return ctx.once('endpoint-facts', async () => {
    const api = ctx.api;
    const endpoints: { address: string; port: number }[] = [];
    let endpointSource = 'EndpointSlice default/kubernetes';
    let endpointError: string | undefined;
    const [slice, svc] = await Promise.all([
      api.request('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes', { auth: true }),
      api.request('GET', '/api/v1/namespaces/default/services/kubernetes', { auth: true }),
    ]);
    if (slice.response?.statusCode === 200) {
      const list = parseJson(slice.response.body) as { items?: { endpoints?: { addresses?: string[] }[]; ports?: { port?: number; name?: string }[] }[] } | undefined;
      for (const item of list?.items ?? []) {
        const port = item.ports?.find((p) => p.name === 'https')?.port ?? item.ports?.[0]?.port ?? api.port;
        for (const ep of item.endpoints ?? []) for (const a of ep.addresses ?? []) endpoints.push({ address: a, port });
      }
    } else {
      // before discovery.k8s.io/v1 (or forbidden): the Endpoints object
      const e = await api.request('GET', '/api/v1/namespaces/default/endpoints/kubernetes', { auth: true });
      endpointSource = 'Endpoints default/kubernetes';
      if (e.response?.statusCode === 200) {
        const obj = parseJson(e.response.body) as { subsets?: { addresses?: { ip: string }[]; ports?: { port: number; name?: string }[] }[] } | undefined;
        for (const s of obj?.subsets ?? []) {
          const port = s.ports?.find((p) => p.name === 'https')?.port ?? s.ports?.[0]?.port ?? api.port;
          for (const a of s.addresses ?? []) endpoints.push({ address: a.ip, port });
        }
      } else {
        endpointError = slice.response ? `${slice.response.statusCode} ${slice.response.statusMessage}` : (slice.error?.message ?? 'no answer');
      }
    }
    let clusterIP: string | undefined;
    if (svc.response?.statusCode === 200) {
      const s = parseJson(svc.response.body) as { spec?: { clusterIP?: string } } | undefined;
      if (s?.spec?.clusterIP && s.spec.clusterIP !== 'None') clusterIP = s.spec.clusterIP;
    }
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

function sansOf(c: CertInfo | undefined): string {
  return c?.sans.length ? c.sans.join(', ') : 'no SANs';
}

function publicServed(s: ServedCertificate) {
  const { certs: _certs, chain, ...rest } = s;
  return { ...rest, certificate: chain?.[0] ? { subject: chain[0].subject, issuer: chain[0].issuer, sans: chain[0].sans, notAfter: chain[0].notAfter, sha256: chain[0].sha256 } : undefined };
}

export const endpointsCheck: CheckDefinition<ServerContext> = {
  id: 'server.endpoints',
  title: 'Endpoints vs certificate SANs',
  requires: ['server.connection'],
  codes: ['server.endpoints.san-missing', 'server.endpoints.unreachable', 'server.endpoints.untrusted', 'server.endpoints.unknown'],
  timeoutMs: (ctx) => ctx.options.requestTimeoutMs * 3 + ctx.timeoutMs * 6 + 1000,
  async run(ctx) {
    const skip = noCluster(ctx);
    if (skip) return skip;
    const f = await endpointFacts(ctx);
    const reproduce = [
      `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes -o wide${args(ctx)}`,
      ...f.served.map((s) => `openssl s_client -connect ${s.address} </dev/null 2>/dev/null | openssl x509 -noout -subject -ext subjectAltName`),
    ];
    const evidence: Record<string, unknown> = {
      endpoints: f.endpoints.map((e) => joinHostPort(e.address, e.port)),
      endpointSource: f.endpointSource,
      endpointError: f.endpointError,
      clusterIP: f.clusterIP,
      kubeconfigServer: { url: ctx.api.config.cluster.server, verifiedName: f.server.name, addresses: f.server.addresses },
      served: f.served.map(publicServed),
    };
    const findings: FindingInput[] = [];
    if (f.endpoints.length === 0) {
      findings.push({ code: 'server.endpoints.unknown', message: `The default/kubernetes endpoints could not be read (${f.endpointError ?? 'empty'}); only the kubeconfig address is checked.` });
    }
    const missing: { address: string; name: string; why: string; cert: CertInfo | undefined; err: string }[] = [];
    // When the kubeconfig dials one of the endpoints directly, clients of that address reach only
    // that endpoint; otherwise (a load balancer, a VIP, a DNS name in front) they may reach any.
    const endpointHosts = new Set(f.endpoints.map((e) => e.address));
    const serverIsEndpoint = !ctx.api.config.cluster.tlsServerName && f.server.addresses.some((a) => endpointHosts.has(a));
    evidence.kubeconfigServerIsEndpoint = serverIsEndpoint;
    for (const s of f.served) {
      if (!s.ok) {
        findings.push({
          code: 'server.endpoints.unreachable',
          message: `${s.address} (${s.sources.join(', ')}) does not complete TCP+TLS from here via ${s.via}: ${s.error?.message ?? 'failed'}. Clients that pick this address fail.`,
        });
        continue;
      }
      const leaf = s.chain?.[0];
      if (s.trusted === false) {
        findings.push({
          code: 'server.endpoints.untrusted',
          message: `${s.address} (${s.sources.join(', ')}) serves ${leaf?.subject ?? '?'} issued by ${leaf?.issuer ?? '?'}, which does not verify against the kubeconfig CA: ${s.verifyError ?? 'unknown authority'}.`,
        });
        continue;
      }
      const cert = s.certs?.[0];
      if (!cert) continue;
      // every name a client dials to reach THIS server: its own address (kubelets, anything
      // using the endpoint directly), the kubeconfig server name (clients of the LB / DNS name
      // in front), and the kubernetes Service ClusterIP (in-cluster clients)
      const host = s.address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
      const names = new Map<string, string>();
      names.set(host, s.sources.join(', '));
      const reachedByServer = !serverIsEndpoint || f.server.addresses.includes(host) || s.sources.includes('kubeconfig server');
      if (reachedByServer && !names.has(f.server.name)) names.set(f.server.name, `the kubeconfig server ${ctx.api.config.cluster.server}${ctx.api.config.cluster.tlsServerName ? ' (tls-server-name)' : ''}`);
      if (f.clusterIP && !names.has(f.clusterIP)) names.set(f.clusterIP, 'the kubernetes Service ClusterIP (in-cluster clients)');
      if (f.clusterIP) names.set('kubernetes.default.svc', 'the kubernetes Service DNS name (in-cluster clients)');
      for (const [name, why] of names) {
        const err = goVerifyHostname(cert, name);
        if (err) missing.push({ address: s.address, name, why, cert: leaf, err });
      }
    }
    const uncovered = [...new Set(missing.map((m) => m.name))];
    for (const m of missing) {
      findings.push({
        code: 'server.endpoints.san-missing',
        message: `The certificate served at ${m.address} (${m.cert?.subject ?? '?'}; SANs: ${sansOf(m.cert)}) does not cover ${m.name}, which clients dial (${m.why}). ${m.address.startsWith(m.name) || m.address.startsWith(`[${m.name}]`) ? 'A client that dials it' : `A client that dials ${m.name} and lands on ${m.address}`} fails with "x509: ${m.err.replace(/^x509: /, '')}".`,
        remediation: [
          `kubeadm: add ${uncovered.join(', ')} to ClusterConfiguration apiServer.certSANs, then on each control-plane node move /etc/kubernetes/pki/apiserver.{crt,key} aside and run \`kubeadm init phase certs apiserver --apiserver-cert-extra-sans=${uncovered.join(',')}\` (with --config for the other SANs), then restart kube-apiserver.`,
          `k3s/rke2: add \`tls-san: [${uncovered.map((u) => `"${u}"`).join(', ')}]\` to /etc/rancher/k3s/config.yaml (rke2: /etc/rancher/rke2/config.yaml), or --tls-san ${uncovered.join(' --tls-san ')}, and restart the service: the serving certificate is reissued with the new SANs.`,
          `Until then, point clients at a name the certificate covers (kubectl: --tls-server-name kubernetes, or a DNS SAN).`,
        ],
      });
    }
    const ok = f.served.filter((s) => s.ok && s.trusted !== false);
    const summary =
      findings.filter((x) => x.code !== 'server.endpoints.unknown').length === 0
        ? `${f.served.length} address${f.served.length === 1 ? '' : 'es'} (${f.endpoints.length} endpoint${f.endpoints.length === 1 ? '' : 's'}${f.clusterIP ? `, ClusterIP ${f.clusterIP}` : ''}) serve certificates that cover every address clients dial`
        : [
            uncovered.length ? `not covered by the served certificate: ${uncovered.join(', ')}` : '',
            f.served.some((s) => !s.ok) ? `unreachable: ${f.served.filter((s) => !s.ok).map((s) => s.address).join(', ')}` : '',
            f.served.some((s) => s.ok && s.trusted === false) ? `untrusted: ${f.served.filter((s) => s.ok && s.trusted === false).map((s) => s.address).join(', ')}` : '',
          ]
            .filter(Boolean)
            .join('; ') + ` (${ok.length} of ${f.served.length} addresses answer with a trusted certificate)`;
    return { summary, findings, evidence, reproduce };
  },
};

const DAY = 86_400_000;
const EXPIRING_DAYS = 30;

export function daysLeft(notAfter: string, now: Date): number {
  return Math.floor((Date.parse(notAfter) - now.getTime()) / DAY);
}

export const certsCheck: CheckDefinition<ServerContext> = {
  id: 'server.certs',
  title: 'Serving certificate expiry',
  requires: ['server.connection'],
  codes: ['server.certs.expired', 'server.certs.expiring-soon'],
  timeoutMs: (ctx) => ctx.options.requestTimeoutMs * 3 + ctx.timeoutMs * 6 + 1000,
  async run(ctx) {
    const skip = noCluster(ctx);
    if (skip) return skip;
    const f = await endpointFacts(ctx);
    const now = ctx.now();
    // one row per distinct certificate, with every address that serves it
    const byFp = new Map<string, { cert: CertInfo; addresses: string[]; role: string }>();
    for (const s of f.served) {
      for (const [i, c] of (s.chain ?? []).entries()) {
        const row = byFp.get(c.sha256) ?? { cert: c, addresses: [], role: i === 0 ? 'serving' : c.selfSigned ? 'root CA (sent in the chain)' : 'intermediate CA' };
        if (!row.addresses.includes(s.address)) row.addresses.push(s.address);
        byFp.set(c.sha256, row);
      }
    }
    const rows = [...byFp.values()].map((r) => ({ subject: r.cert.subject, issuer: r.cert.issuer, role: r.role, notAfter: r.cert.notAfter, daysLeft: daysLeft(r.cert.notAfter, now), addresses: r.addresses }));
    const evidence = { certificates: rows };
    const reproduce = f.served.map((s) => `openssl s_client -connect ${s.address} </dev/null 2>/dev/null | openssl x509 -noout -subject -enddate`);
    if (rows.length === 0) return { skip: true, summary: 'no certificate could be fetched (see server.endpoints)', evidence, reproduce };
    const findings: FindingInput[] = [];
    const renew = [
      'kubeadm: `kubeadm certs check-expiration`, then `kubeadm certs renew apiserver` (or `all`) on each control-plane node and restart kube-apiserver.',
      'k3s/rke2: `k3s certificate rotate` (rke2: `rke2 certificate rotate`) with the service stopped, then start it; both also renew certificates that expire within 90 days at start-up.',
    ];
    for (const r of rows) {
      if (r.daysLeft < 0) {
        findings.push({ code: 'server.certs.expired', message: `The ${r.role} certificate ${r.subject} served at ${r.addresses.join(', ')} expired on ${r.notAfter} (${-r.daysLeft} days ago): kubectl fails with "x509: certificate has expired or is not yet valid".`, remediation: renew });
      } else if (r.daysLeft < EXPIRING_DAYS) {
        findings.push({ code: 'server.certs.expiring-soon', message: `The ${r.role} certificate ${r.subject} served at ${r.addresses.join(', ')} expires on ${r.notAfter}, in ${r.daysLeft} days.`, remediation: renew });
      }
    }
    const leaf = rows.filter((r) => r.role === 'serving');
    const soonest = [...leaf].sort((a, b) => a.daysLeft - b.daysLeft)[0];
    const summary = soonest
      ? `${leaf.length} serving certificate${leaf.length === 1 ? '' : 's'}; ${soonest.daysLeft < 0 ? `${soonest.subject} EXPIRED ${soonest.notAfter}` : `the first expires ${soonest.notAfter.slice(0, 10)} (${soonest.daysLeft} days)`}`
      : `${rows.length} certificates`;
    return { summary, findings, evidence, reproduce };
  },
};
