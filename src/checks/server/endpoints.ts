// server.endpoints: the `default/kubernetes` endpoints vs the kubeconfig server address(es) vs the
// SANs of the certificate EACH endpoint serves.
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import { joinHostPort } from '../../net/ip.ts';
import { judgeStalledHandshake, type StallCodes, type StallVerdict } from '../../kube/handshake-stall.ts';
import { goVerifyHostname, type CertInfo } from '../../net/x509.ts';
import type { ServerContext } from './context.ts';
import { apiServerConfig } from './local/config.ts';
import { cluster, httpsServer } from './requirements.ts';
import { endpointFacts, type ServedCertificate } from './served-certificates.ts';

function sansOf(c: CertInfo | undefined): string {
  return c?.sans.length ? c.sans.join(', ') : 'no SANs';
}

function publicServed(s: ServedCertificate) {
  const { certs: _certs, chain, ...rest } = s;
  return { ...rest, certificate: chain?.[0] ? { subject: chain[0].subject, issuer: chain[0].issuer, sans: chain[0].sans, notAfter: chain[0].notAfter, sha256: chain[0].sha256 } : undefined };
}

/**
 * How to add SANs, for the flavours that may run here. With --local the flavour is known (a
 * kubeadm manifest, a k3s/rke2 config, or only a process's command line): advise only that one.
 */
function sanFix(ctx: ServerContext, uncovered: string[]): string[] {
  const all = [
    `kubeadm: add ${uncovered.join(', ')} to ClusterConfiguration apiServer.certSANs, then on each control-plane node move /etc/kubernetes/pki/apiserver.{crt,key} aside and run \`kubeadm init phase certs apiserver --apiserver-cert-extra-sans=${uncovered.join(',')}\` (with --config for the other SANs), then restart kube-apiserver.`,
    `k3s/rke2: add \`tls-san: [${uncovered.map((u) => `"${u}"`).join(', ')}]\` to /etc/rancher/k3s/config.yaml (rke2: /etc/rancher/rke2/config.yaml), or --tls-san ${uncovered.join(' --tls-san ')}, and restart the service: the serving certificate is reissued with the new SANs.`,
    `Until then, point clients at a name the certificate covers (kubectl: --tls-server-name kubernetes, or a DNS SAN).`,
  ];
  const cfg = ctx.local ? apiServerConfig(ctx).config : undefined;
  if (!cfg) return all;
  if (cfg.flavour === 'kubeadm') return [all[0]!, all[2]!];
  if (cfg.flavour === 'k3s' || cfg.flavour === 'rke2') return [all[1]!, all[2]!];
  return [`Reissue the serving certificate (--tls-cert-file${cfg.certFile ? ` ${cfg.certFile}` : ''}) with ${uncovered.join(', ')} as SANs, signed by the cluster CA, and restart the kube-apiserver process (its command line: ${cfg.source}).`, all[2]!];
}

/** Where --bind-address and --advertise-address are fixed: with --local, where they actually come from. */
function deadAdvertiseFix(ctx: ServerContext): string[] {
  const cfg = ctx.local ? apiServerConfig(ctx).config : undefined;
  if (cfg) {
    const where = cfg.flavour === 'process' ? `where the kube-apiserver process is started (its systemd unit or script; the command line it runs with: ${cfg.source})` : `in ${cfg.source}`;
    return [`On the API server: make --advertise-address${cfg.advertiseAddress ? ` (${cfg.advertiseAddress})` : ''} an address it listens on, or set --bind-address${cfg.bindAddress ? ` (${cfg.bindAddress})` : ''} to 0.0.0.0 (or to the advertised address), ${where}, and restart it.`];
  }
  return [
    'On the API server: make --advertise-address an address it listens on, or set --bind-address to 0.0.0.0 (or to the advertised address), and restart it (kubeadm: /etc/kubernetes/manifests/kube-apiserver.yaml; k3s/rke2: advertise-address / bind-address in its config or command line).',
    '`kubectl netdiag server --local` on the control-plane node shows where both flags are set and what listens.',
  ];
}

export const ENDPOINT_STALL_CODES: StallCodes = {
  slow: 'server.endpoints.slow-handshake',
  mtuBlackhole: 'server.endpoints.mtu-blackhole',
  noAnswer: 'server.endpoints.no-answer',
  failed: 'server.endpoints.unreachable',
};

const STALL_WORDS: Record<string, string> = { 'mtu-blackhole': 'path-MTU black hole', 'no-answer': 'accepts and never answers', slow: 'slow handshake' };

export const endpointsCheck: CheckDefinition<ServerContext> = {
  id: 'server.endpoints',
  title: 'Endpoints vs certificate SANs',
  requires: ['server.connection'],
  appliesWhen: [cluster, httpsServer],
  codes: [
    'server.endpoints.san-missing',
    'server.endpoints.unreachable',
    'server.endpoints.mtu-blackhole',
    'server.endpoints.no-answer',
    'server.endpoints.slow-handshake',
    'server.endpoints.untrusted',
    'server.endpoints.unknown',
    'server.endpoints.not-written',
    'server.endpoints.advertised-dead',
  ],
  timeoutMs: (ctx) => ctx.options.requestTimeoutMs * 3 + ctx.timeoutMs * 6 + 1000,
  async run(ctx) {
    const f = await endpointFacts(ctx);
    const reproduce = [
      `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes -o wide${ctx.contextArgs}`,
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
    if (f.endpoints.length === 0 && f.endpointError) {
      findings.push({
        code: 'server.endpoints.unknown',
        message: `The default/kubernetes endpoints could not be read: ${f.endpointError}${f.endpointMessage ? ` ("${f.endpointMessage}")` : ''}. Only the kubeconfig address is checked; the addresses in-cluster clients reach are unknown.`,
      });
    } else if (f.endpoints.length === 0) {
      findings.push({
        code: 'server.endpoints.not-written',
        message:
          `default/kubernetes has no endpoints (the EndpointSlice list is empty): the API server writes its --advertise-address there itself, except an address in the loopback range (127.0.0.0/8), which it refuses to write; its log repeats \`Endpoints "kubernetes" is invalid: ... may not be in the loopback range\` every 10 s. ` +
          `In-cluster clients (kubernetes.default.svc, ClusterIP${f.clusterIP ? ` ${f.clusterIP}` : ''}) reach nothing; clients of the kubeconfig address are not affected.`,
      });
    }
    const missing: { address: string; name: string; why: string; cert: CertInfo | undefined; err: string }[] = [];
    // When the kubeconfig dials one of the endpoints directly, clients of that address reach only
    // that endpoint; otherwise (a load balancer, a VIP, a DNS name in front) they may reach any.
    const endpointHosts = new Set(f.endpoints.map((e) => e.address));
    const serverIsEndpoint = !ctx.api.config.cluster.tlsServerName && f.server.addresses.some((a) => endpointHosts.has(a));
    evidence.kubeconfigServerIsEndpoint = serverIsEndpoint;
    // a handshake that stalled after TCP connected: the probes tell why (something listens there)
    const stalls = new Map<ServedCertificate, StallVerdict>();
    for (const s of f.served) {
      if (s.ok || !s.stall) continue;
      const v = judgeStalledHandshake(ENDPOINT_STALL_CODES, s.address, s.address.replace(/:\d+$/, ''), ctx.timeoutMs, s.stall);
      if (v.code !== ENDPOINT_STALL_CODES.failed) stalls.set(s, v);
    }
    if (stalls.size) evidence.stalls = Object.fromEntries([...stalls].map(([s, v]) => [s.address, v.cause]));
    // every endpoint dead: every in-cluster client fails (kubernetes.default.svc → ClusterIP → these);
    // an address that accepts TCP and then stalls is not one nothing listens on
    const isEndpoint = (s: ServedCertificate) => s.sources.includes(f.endpointSource);
    const advertised = f.served.filter(isEndpoint);
    const allDead = advertised.length > 0 && advertised.every((s) => !s.ok && !stalls.has(s));
    if (allDead) {
      const answering = f.served.filter((s) => s.ok && !isEndpoint(s));
      findings.push({
        code: 'server.endpoints.advertised-dead',
        message:
          `${advertised.length === 1 ? `The only endpoint of default/kubernetes, ${advertised[0]!.address},` : `Every endpoint of default/kubernetes (${advertised.map((s) => s.address).join(', ')})`} does not complete TCP+TLS from here: ` +
          `${advertised.map((s) => `${s.address} via ${s.via}: ${s.error?.message ?? 'failed'}`).join('; ')}. ` +
          `In-cluster clients reach the API server only through ${advertised.length === 1 ? 'it' : 'them'} (kubernetes.default.svc → ClusterIP${f.clusterIP ? ` ${f.clusterIP}` : ''} → the endpoints), so every in-cluster client fails` +
          `${answering.length ? `, while the kubeconfig address ${answering.map((s) => s.address).join(', ')} answers` : ''}. ` +
          `The API server writes its own --advertise-address into default/kubernetes and rewrites it (nobody can remove it): it advertises an address it does not listen on, so --bind-address and --advertise-address disagree.`,
        remediation: deadAdvertiseFix(ctx),
      });
    }
    for (const s of f.served) {
      if (!s.ok) {
        if (allDead && isEndpoint(s)) continue;
        const stalled = stalls.get(s);
        if (stalled) {
          findings.push({
            code: stalled.code,
            message: `${stalled.message} ${s.address} is ${s.sources.join(', ')}: clients that pick it ${stalled.cause === 'slow' ? 'wait that long for every new connection' : 'fail'}.`,
          });
          continue;
        }
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
      // in-cluster clients land only on the endpoints, never on an address that is not one
      if (isEndpoint(s) && f.clusterIP && !names.has(f.clusterIP)) names.set(f.clusterIP, 'the kubernetes Service ClusterIP (in-cluster clients)');
      if (isEndpoint(s) && f.clusterIP) names.set('kubernetes.default.svc', 'the kubernetes Service DNS name (in-cluster clients)');
      for (const [name, why] of names) {
        // the address itself: the one rule of src/kube/probe.ts (api.endpoints applies it too)
        const err = name === host && s.coversAddress !== undefined ? (s.coversAddress ? undefined : s.nameError) : goVerifyHostname(cert, name);
        if (err) missing.push({ address: s.address, name, why, cert: leaf, err });
      }
    }
    const uncovered = [...new Set(missing.map((m) => m.name))];
    for (const m of missing) {
      findings.push({
        code: 'server.endpoints.san-missing',
        message: `The certificate served at ${m.address} (${m.cert?.subject ?? '?'}; SANs: ${sansOf(m.cert)}) does not cover ${m.name}, which clients dial (${m.why}). ${m.address.startsWith(m.name) || m.address.startsWith(`[${m.name}]`) ? 'A client that dials it' : `A client that dials ${m.name} and lands on ${m.address}`} fails with "x509: ${m.err.replace(/^x509: /, '')}".`,
        remediation: sanFix(ctx, uncovered),
      });
    }
    const ok = f.served.filter((s) => s.ok && s.trusted !== false);
    const okEndpoints = advertised.filter((s) => s.ok && s.trusted !== false);
    const others = f.served.filter((s) => !isEndpoint(s));
    const counted =
      `${okEndpoints.length} of ${advertised.length} endpoint${advertised.length === 1 ? '' : 's'} answer${okEndpoints.length === 1 ? 's' : ''} with a trusted certificate` +
      (others.length ? `; the kubeconfig address ${others.map((s) => `${s.address} ${s.ok && s.trusted !== false ? 'answers' : 'fails'}`).join(', ')}` : '');
    const problems = findings.filter((x) => x.code !== 'server.endpoints.unknown' && x.code !== 'server.endpoints.not-written');
    const head = f.endpointError ? `default/kubernetes not readable (${f.endpointError}); ` : f.endpoints.length === 0 ? 'default/kubernetes has no endpoints (loopback advertise address?); ' : '';
    const summary =
      problems.length === 0
        ? `${head}${f.served.length} address${f.served.length === 1 ? '' : 'es'} (${f.endpoints.length} endpoint${f.endpoints.length === 1 ? '' : 's'}${f.clusterIP ? `, ClusterIP ${f.clusterIP}` : ''}) serve certificates that cover every address clients dial`
        : head +
          [
            uncovered.length ? `not covered by the served certificate: ${uncovered.join(', ')}` : '',
            f.served.some((s) => !s.ok && !stalls.has(s)) ? `unreachable: ${f.served.filter((s) => !s.ok && !stalls.has(s)).map((s) => s.address).join(', ')}` : '',
            stalls.size ? `TLS handshake stalls: ${[...stalls].map(([s, v]) => `${s.address} (${STALL_WORDS[v.cause] ?? v.cause})`).join(', ')}` : '',
            f.served.some((s) => s.ok && s.trusted === false) ? `untrusted: ${f.served.filter((s) => s.ok && s.trusted === false).map((s) => s.address).join(', ')}` : '',
          ]
            .filter(Boolean)
            .join('; ') +
          ` (${advertised.length ? counted : `${ok.length} of ${f.served.length} addresses answer with a trusted certificate`})`;
    return { summary, findings, evidence, reproduce };
  },
};
