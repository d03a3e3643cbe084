// From the cert/ingress findings to one root cause naming the broken link, and the fix: the verdict
// of both diagnoses (each calls it with what it left out).
import type { CheckResult, Diagnosis, Finding } from '../../report/types.ts';
import { worstStatus } from '../../report/types.ts';
import type { CertInfo } from '../../net/x509.ts';
import type { ServedHostContext } from './context.ts';

interface Lookup {
  check(id: string): CheckResult | undefined;
  finding(code: string): Finding | undefined;
  findings(prefix: string): Finding[];
}

function lookup(results: CheckResult[]): Lookup {
  const byId = new Map(results.map((r) => [r.id, r]));
  const all = results.flatMap((r) => r.findings);
  return {
    check: (id) => byId.get(id),
    finding: (code) => all.find((f) => f.code === code),
    findings: (prefix) => all.filter((f) => f.code.startsWith(prefix) && f.severity !== 'info'),
  };
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

function strip(s: string): string {
  return s.replace(/\.$/, '');
}

function acmeSentence(l: Lookup): string {
  const f = l.findings('cert.certmanager.').find((x) => /^cert\.certmanager\.(acme|self-check)/.test(x.code));
  if (!f) return '';
  const q = /: "([\s\S]*)": /.exec(f.message)?.[1];
  return q ? ` cert-manager reports "${q}".` : ` ${f.message}`;
}

function renewStep(l: Lookup): string[] {
  const cm = l.check('cert.certmanager');
  const certs = (cm?.evidence?.certificates as { certificate: string; ready: string }[] | undefined) ?? [];
  const notReady = certs.filter((c) => typeof c.ready === 'string' && typeof c.certificate === 'string' && !c.ready.startsWith('True'));
  return notReady.map((c) => {
    const [ns, name] = c.certificate.split('/');
    return `Then let cert-manager retry at once: \`cmctl renew -n ${ns} ${name}\` (or delete the failed Order), and watch \`kubectl get challenges -n ${ns} -w\`.`;
  });
}

export interface VerdictOptions {
  /** the cluster checks were left out because no kubeconfig resolves (`cert` without a cluster): say so */
  clusterLeftOut?: boolean;
}

export function diagnoseServedHost(results: CheckResult[], ctx: ServedHostContext, opts: VerdictOptions = {}): Diagnosis {
  const s = worstStatus(results.map((r) => r.status));
  const status = s === 'skip' ? 'pass' : s;
  const l = lookup(results);
  const host = ctx.host;
  const lb = l.check('ingress.lb');
  const addr = (lb?.evidence?.address as string | undefined) ?? undefined;
  const acme = acmeSentence(l);
  const outsideFail = ['timeout', 'refused', 'reset', 'unreachable'].map((k) => l.finding(`ingress.http01.${k}`)).find(Boolean);
  const http01 = l.check('ingress.http01');
  const inside = http01?.evidence?.inside as { ok?: boolean; status?: number; where?: string } | null | undefined;
  const outsideText = (() => {
    if (!outsideFail) return '';
    const e = (http01?.evidence?.outside as { where: string; error?: string }[] | undefined)?.find((p) => p.error);
    const what = outsideFail.code.split('.').pop();
    const verb = what === 'timeout' ? 'time out' : what === 'refused' ? 'are refused' : what === 'reset' ? 'are reset' : 'find no route';
    return `external requests to ${e?.where ?? `${addr}:80`} ${verb}${inside?.ok ? ' while the in-cluster request succeeds' : ''}`;
  })();

  // 0. nothing in the cluster serves the host
  const none = l.finding('ingress.resource.not-found');
  if (none) {
    const dnsFail = ['ingress.dns.nxdomain', 'ingress.dns.timeout', 'ingress.dns.error'].map((c) => l.finding(c)).find(Boolean);
    return {
      status,
      rootCause: `${none.message}${dnsFail ? ` ${dnsFail.message}` : ''} Check the spelling of the host, the kubeconfig context (${ctx.cluster.contextName ?? '?'}) and, for a namespace-scoped user, -n.`,
      remediation: dedupe([...none.remediation, ...(dnsFail?.remediation ?? [])]),
    };
  }

  // 1. SPEC §1 incident 3: Local traffic policy and a MetalLB announcer without a controller pod
  const tp = l.finding('ingress.traffic-policy.announcer-without-endpoint');
  if (tp) {
    const ev = l.check('ingress.traffic-policy')?.evidence ?? {};
    const node = ev.announcingNode as string;
    const ready = (ev.nodesWithReadyControllerPod as string[]) ?? [];
    const svc = lb?.evidence?.service as string;
    const lead = outsideText ? `${outsideText[0]!.toUpperCase()}${outsideText.slice(1)}; the` : 'The';
    const rootCause =
      `${lead} controller Service ${svc} uses externalTrafficPolicy: Local and MetalLB announces ${addr} from ${node}, which has no ready ingress controller pod (ready pods run on ${ready.join(', ') || 'no node'}), ` +
      `so ${node} drops every external connection to ${addr}${outsideText.includes('in-cluster') ? '' : ' while requests from inside the cluster still work'}.${acme} ` +
      `Fix: set externalTrafficPolicy: Cluster, or run the controller on every node MetalLB may announce from, or restrict the L2Advertisement's nodeSelectors to nodes that run it.`;
    return { status, rootCause, remediation: dedupe([...tp.remediation, ...renewStep(l)]) };
  }

  // 2. the address is never announced, or never assigned
  for (const code of ['ingress.lb.no-advertisement', 'ingress.lb.not-in-pool', 'ingress.lb.pending']) {
    const f = l.finding(code);
    if (!f) continue;
    const rootCause = `${outsideText ? `${outsideText[0]!.toUpperCase()}${outsideText.slice(1)}: ` : ''}${f.message}${acme}`;
    return { status, rootCause, remediation: dedupe([...f.remediation, ...renewStep(l)]) };
  }

  // 3. DNS
  for (const code of ['ingress.dns.nxdomain', 'ingress.dns.mismatch', 'ingress.dns.timeout', 'ingress.dns.error']) {
    const f = l.finding(code);
    if (f && f.severity === 'fail') return { status, rootCause: `${f.message}${acme}`, remediation: dedupe([...f.remediation, ...renewStep(l)]) };
  }

  // 4. the challenge path is redirected
  const redirect = l.finding('ingress.http01.redirect');
  if (redirect) {
    const ann = l.findings('ingress.annotations.').filter((f) => /ssl-redirect/.test(f.code));
    const rootCause = `${strip(redirect.message)}.${ann.length ? ` The cause: ${ann.map((a) => strip(a.message.split(': plain-HTTP')[0]!.split(': HTTP requests')[0]!)).join('; ')}.` : ''}${acme}`;
    return { status, rootCause, remediation: dedupe([...(ann.length ? ann.flatMap((a) => a.remediation) : redirect.remediation), ...renewStep(l)]) };
  }

  // 5. the solver's class is served by no controller that receives the traffic
  const cls = l.finding('ingress.annotations.class-mismatch');
  if (cls) {
    const nf = l.finding('ingress.http01.token-not-found');
    const rootCause = `${cls.message}${nf ? ` Accordingly: ${nf.message}` : ''}${acme}`;
    return { status, rootCause, remediation: dedupe([...cls.remediation, ...renewStep(l)]) };
  }

  const tlsCheck = l.check('cert.tls');
  const leaf = (tlsCheck?.evidence?.chain as CertInfo[] | undefined)?.[0];

  // 6. the ACME server cannot reach the solver, and what we may read of the cluster does not explain it
  const hidden = ['ingress.lb', 'ingress.traffic-policy'].map((id) => l.check(id)).filter((c) => c?.status === 'skip' && c.summary.startsWith('skipped: forbidden'));
  if (outsideFail && hidden.length) {
    const byWhy = new Map<string, string[]>();
    for (const c of hidden) byWhy.set(c!.summary.replace(/^skipped: forbidden: /, ''), [...(byWhy.get(c!.summary.replace(/^skipped: forbidden: /, '')) ?? []), c!.id]);
    const probed = (http01?.evidence?.outside as { where: string }[] | undefined)?.[0]?.where.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    const rootCause =
      `${outsideText[0]!.toUpperCase()}${outsideText.slice(1)}, so the break is between the outside and the ingress controller, and the checks that would place it could not run: ` +
      `${[...byWhy].map(([why, ids]) => `${ids.join(' and ')} (${why})`).join('; ')}. ` +
      `The usual causes are a MetalLB address announced from a node without a ready controller pod while the controller Service has externalTrafficPolicy: Local, a pool without an L2Advertisement, or a firewall in front of ${addr ?? probed ?? host}.${acme}`;
    return {
      status,
      rootCause,
      remediation: dedupe([
        `Ask a cluster admin to run \`kubectl netdiag ingress ${host}\` (it reads the controller Service, MetalLB, nodes and events), or to grant you what is missing (check with ${dedupe(hidden.flatMap((c) => c!.reproduce)).map((x) => `\`${x}\``).join(', ')}).`,
        `Meanwhile, check from outside the network: \`curl -v -m 10 http://${host}/.well-known/acme-challenge/test\` must answer (a 404 is fine).`,
        ...renewStep(l),
      ]),
    };
  }
  if (outsideFail) {
    const rootCause = `${outsideText[0]!.toUpperCase()}${outsideText.slice(1)}: nothing in the cluster explains it (the address is assigned and announced${l.check('ingress.traffic-policy')?.summary ? `; ${l.check('ingress.traffic-policy')!.summary}` : ''}), so a firewall or the network in front of ${addr ?? host} drops port 80.${acme}`;
    const where = addr ?? host;
    return {
      status,
      rootCause,
      remediation: dedupe([
        `Ask the network team to allow TCP 80 and 443 from the internet to ${where} (firewall, security group, router port forwarding), then check from outside the network: \`curl -v -m 10 http://${host}/.well-known/acme-challenge/test\` must answer (a 404 is fine).`,
        'If port 80 cannot be opened to the internet, switch the issuer to a DNS-01 solver.',
        ...renewStep(l),
      ]),
    };
  }

  // 7. the way to the HTTPS side: a proxy (HTTPS_PROXY) that refuses the CONNECT, or that intercepts TLS
  const proxyRefused = l.finding('cert.tls.proxy-refused');
  if (proxyRefused) {
    return { status, rootCause: `No certificate could be read from ${ctx.hostPort}: ${proxyRefused.message}`, remediation: dedupe(proxyRefused.remediation) };
  }
  const intercepted = l.finding('cert.tls.proxy-intercepted');
  if (intercepted) return { status, rootCause: intercepted.message, remediation: dedupe(intercepted.remediation) };

  // 8. what the HTTPS side serves
  const fake = l.finding('cert.tls.fake-certificate');
  const missingSecret = l.finding('ingress.resource.tls-secret-missing');
  if (fake || missingSecret) {
    const notReady = l.finding('cert.certmanager.not-ready');
    const rootCause =
      `${missingSecret ? missingSecret.message : ''}${fake ? `${missingSecret ? ' Indeed, ' : ''}${missingSecret ? fake.message.charAt(0).toLowerCase() + fake.message.slice(1) : fake.message}` : ''}` +
      `${notReady ? ` ${notReady.message}` : ''}${acme}`;
    return { status, rootCause: rootCause.trim(), remediation: dedupe([...(missingSecret ? missingSecret.remediation : (fake?.remediation ?? [])), ...renewStep(l)]) };
  }
  const staging = l.finding('cert.tls.staging') ?? l.finding('cert.certmanager.staging-issuer');
  if (staging) {
    const issuer = l.finding('cert.certmanager.staging-issuer');
    const served = l.finding('cert.tls.staging');
    const rootCause = `${served ? served.message : `${host} does not serve a staging certificate yet.`}${issuer ? ` ${issuer.message}` : ''}`;
    return { status, rootCause, remediation: dedupe(issuer ? issuer.remediation : (served?.remediation ?? [])) };
  }

  // 9. any other failure, layer by layer
  const order = ['cert.tls', 'ingress.resource', 'ingress.backend', 'ingress.lb', 'ingress.dns', 'ingress.http01', 'cert.certmanager', 'ingress.annotations', 'ingress.traffic-policy'];
  for (const id of order) {
    const c = l.check(id);
    if (!c || (c.status !== 'fail' && c.status !== 'error')) continue;
    const fails = c.findings.filter((f) => f.severity === 'fail');
    const unread = id === 'cert.tls' && fails.some((f) => f.code === 'cert.tls.connect-failed' || f.code === 'cert.tls.handshake-failed');
    const lead =
      id !== 'cert.tls'
        ? `${c.title}:`
        : unread
          ? `No certificate could be read from ${ctx.hostPort}:`
          : `The certificate served at ${ctx.hostPort}${leaf ? ` (${leaf.subject}, issued by ${leaf.issuer})` : ''} is not acceptable:`;
    return { status, rootCause: `${lead} ${fails.map((f) => f.message).join(' ') || c.summary}${id !== 'cert.certmanager' ? acme : ''}`, remediation: dedupe([...fails.flatMap((f) => f.remediation), ...renewStep(l)]) };
  }

  // no failure: what works, and what to watch
  const parts: string[] = [];
  if (tlsCheck && tlsCheck.status !== 'skip' && leaf) {
    const trust = tlsCheck.evidence?.trust as { system?: { anchoredBy?: string }; caFile?: { anchoredBy?: string } } | undefined;
    const chain = (tlsCheck.evidence?.chain as CertInfo[]) ?? [];
    parts.push(
      `${ctx.hostPort}${tlsCheck.evidence?.proxy ? ` (through the ${String(tlsCheck.evidence.via)})` : ''} serves ${leaf.subject} (${leaf.keyType}, ${leaf.signatureAlgorithm ?? '?'}, SHA-256 ${leaf.sha256}), issued by ${leaf.issuer}, valid until ${leaf.notAfter}, for ${leaf.sans.join(', ') || 'no SANs'}; ` +
        `the server sends ${chain.length} certificate${chain.length === 1 ? '' : 's'} (${chain.map((c) => c.subject).join(' → ')}) and the chain is trusted by ${trust?.system?.anchoredBy ? `the system store (${trust.system.anchoredBy})` : `--ca-file (${trust?.caFile?.anchoredBy ?? '?'})`}.`,
    );
  }
  const res = l.check('ingress.resource');
  if (res && res.status !== 'skip') parts.push(`Ingress: ${res.summary}.`);
  if (lb && lb.status !== 'skip') parts.push(`Load balancer: ${lb.summary}.`);
  if (http01 && http01.status !== 'skip') parts.push(`HTTP-01 path: ${http01.summary}.`);
  const cm = l.check('cert.certmanager');
  if (cm && cm.status !== 'skip') parts.push(`cert-manager: ${cm.summary}.`);
  const skippedForbidden = results.filter((r) => r.status === 'skip' && r.summary.startsWith('skipped: forbidden'));
  if (opts.clusterLeftOut) parts.push('No kubeconfig resolves, so the cert-manager and ingress checks were left out.');
  if (skippedForbidden.length) parts.push(`Not checked: ${skippedForbidden.map((r) => `${r.id} (${r.summary.replace(/^skipped: forbidden: /, '')})`).join('; ')}.`);
  const warns = results.flatMap((r) => r.findings.filter((f) => f.severity === 'warn'));
  if (warns.length) parts.push(`To watch: ${warns.map((w) => w.message).join(' ')}`);
  return { status, rootCause: parts.join(' ') || `Nothing wrong found for ${host}.`, remediation: dedupe(warns.flatMap((w) => w.remediation)) };
}
