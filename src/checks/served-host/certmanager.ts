// cert.certmanager: Certificate → CertificateRequest → Order → Challenge, with conditions,
// reasons and events; the ACME error parsed into a cause; the Issuer/ClusterIssuer (ready,
// production or staging ACME server).
import type { CheckDefinition } from '../../engine/definitions.ts';
import type { CheckOutcome, FindingInput } from '../../engine/definitions.ts';
import { condition, nameOf, readFailure, type HostClusterContext } from './cluster-context.ts';
import type { Certificate, CertificateRequest, Challenge, Issuer, KEvent, KObj, Order, Pod } from './types.ts';

const CM = '/apis/cert-manager.io/v1';
const ACME = '/apis/acme.cert-manager.io/v1';

export interface CertChain {
  certificate: Certificate;
  requests: CertificateRequest[];
  orders: Order[];
  challenges: Challenge[];
  issuer?: Issuer;
  issuerKind: string;
  issuerName: string;
  issuerError?: string;
  issuerForbidden?: boolean;
  events: KEvent[];
}

export interface CertManagerState {
  outcome?: CheckOutcome;
  chains: CertChain[];
  /** pending Challenges for the host, also those not linked to a Certificate we could read */
  challenges: Challenge[];
}

function ownedBy(o: { metadata: { ownerReferences?: { kind: string; name: string }[] } }, kind: string, name: string): boolean {
  return (o.metadata.ownerReferences ?? []).some((r) => r.kind === kind && r.name === name);
}

export function certManager(ctx: HostClusterContext): Promise<CertManagerState> {
  return ctx.once('certmanager', async (): Promise<CertManagerState> => {
    // no cluster to read: nothing to report here (the diagnosis declares whether the check applies)
    if (await ctx.clusterUnusable()) return { chains: [], challenges: [] };
    const d = await ctx.discover();
    if (d.certificateError && !d.certificateError.ok) {
      return { outcome: readFailure(d.certificateError, `${CM}/certificates`, 'cert-manager (certificates.cert-manager.io)'), chains: [], challenges: [] };
    }
    const allChallenges = await ctx.listScoped<Challenge>(ACME, 'challenges');
    const hostChallenges = allChallenges.ok ? allChallenges.body.filter((c) => c.spec?.dnsName === ctx.host) : [];
    const chains = await Promise.all(
      d.certificates.map(async (cert): Promise<CertChain> => {
        const ns = cert.metadata.namespace ?? 'default';
        const ref = cert.spec?.issuerRef ?? { name: '?' };
        const kind = ref.kind ?? 'Issuer';
        const issuerPath = kind === 'ClusterIssuer' ? `${CM}/clusterissuers/${ref.name}` : `${CM}/namespaces/${ns}/issuers/${ref.name}`;
        const [crs, orders, issuer, events] = await Promise.all([
          ctx.list<CertificateRequest>(`${CM}/namespaces/${ns}/certificaterequests`),
          ctx.list<Order>(`${ACME}/namespaces/${ns}/orders`),
          ctx.get<Issuer>(issuerPath),
          ctx.list<KEvent>(`/api/v1/namespaces/${ns}/events`),
        ]);
        const requests = crs.ok ? crs.body.filter((r) => r.metadata.annotations?.['cert-manager.io/certificate-name'] === cert.metadata.name || ownedBy(r, 'Certificate', cert.metadata.name)) : [];
        const myOrders = orders.ok ? orders.body.filter((o) => requests.some((r) => ownedBy(o, 'CertificateRequest', r.metadata.name))) : [];
        const challenges = allChallenges.ok ? allChallenges.body.filter((c) => myOrders.some((o) => ownedBy(c, 'Order', o.metadata.name)) || (c.metadata.namespace === ns && c.spec?.dnsName === ctx.host)) : [];
        const names = new Set([cert.metadata.name, ...requests.map((r) => r.metadata.name), ...myOrders.map((o) => o.metadata.name), ...challenges.map((c) => c.metadata.name)]);
        return {
          certificate: cert,
          requests,
          orders: myOrders,
          challenges: [...new Set(challenges)],
          issuer: issuer.ok ? issuer.body : undefined,
          issuerKind: kind,
          issuerName: ref.name,
          issuerError: issuer.ok ? undefined : issuer.message,
          issuerForbidden: !issuer.ok && issuer.reason === 'forbidden',
          events: events.ok ? events.body.filter((e) => e.involvedObject?.name && names.has(e.involvedObject.name)) : [],
        };
      }),
    );
    return { chains, challenges: hostChallenges };
  });
}

/** The solver pod, Service and Ingress of a presented HTTP-01 Challenge. */
async function solverParts(ctx: HostClusterContext, x: Challenge): Promise<{ missing: string[]; evidence: Record<string, unknown> }> {
  const ns = x.metadata.namespace ?? 'default';
  const token = x.spec!.token!;
  const d = await ctx.discover();
  const ing = d.ingresses.find((i) => i.metadata.namespace === ns && (i.spec?.rules ?? []).some((r) => (r.http?.paths ?? []).some((p) => p.path?.includes(token))));
  const backend = ing?.spec?.rules?.flatMap((r) => r.http?.paths ?? []).find((p) => p.path?.includes(token))?.backend.service;
  const [svc, pods] = await Promise.all([
    backend ? ctx.get<KObj>(`/api/v1/namespaces/${ns}/services/${backend.name}`) : Promise.resolve(undefined),
    ctx.list<Pod>(`/api/v1/namespaces/${ns}/pods`, { labelSelector: 'acme.cert-manager.io/http01-solver=true' }),
  ]);
  const missing: string[] = [];
  if (!ing) missing.push(`no solver Ingress routes /.well-known/acme-challenge/${token} for ${x.spec?.dnsName}`);
  if (backend && svc && !svc.ok && svc.reason === 'not-found') missing.push(`the solver Service ${ns}/${backend.name} does not exist`);
  const ready = pods.ok ? pods.body.filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) : [];
  if (pods.ok && ready.length === 0) missing.push(pods.body.length ? `the solver pod${pods.body.length > 1 ? 's' : ''} ${pods.body.map((p) => `${p.metadata.name} (${p.status?.phase ?? '?'})`).join(', ')} not ready` : `no solver pod in ${ns}`);
  return {
    missing,
    evidence: {
      solverIngress: ing ? nameOf(ing) : null,
      solverService: backend ? `${ns}/${backend.name}${svc && !svc.ok ? ` (${svc.reason})` : ''}` : null,
      solverPods: pods.ok ? pods.body.map((p) => `${p.metadata.name} ${p.status?.phase ?? '?'}`) : `not readable: ${pods.message}`,
    },
  };
}

export const STAGING_ACME = /acme-staging|staging/i;

/** The ACME error text turned into a cause. */
export function acmeCause(text: string): { code: string; cause: string } | undefined {
  if (/Timeout during connect \(likely firewall problem\)|Timeout after connect|i\/o timeout|context deadline exceeded.*acme-challenge/i.test(text)) {
    return { code: 'cert.certmanager.acme-timeout', cause: 'the ACME server could not connect to port 80 of the host (timeout: a firewall, or an address nobody answers for)' };
  }
  if (/connection refused/i.test(text)) return { code: 'cert.certmanager.acme-refused', cause: 'the ACME server reached the address, but nothing accepts connections on port 80' };
  if (/DNS problem|NXDOMAIN|no valid A records|SERVFAIL/i.test(text)) return { code: 'cert.certmanager.acme-dns', cause: 'the ACME server cannot resolve the host in public DNS' };
  if (/rateLimited|too many (certificates|failed authorizations|new orders)|rate limit/i.test(text)) return { code: 'cert.certmanager.acme-rate-limited', cause: "Let's Encrypt's rate limit was hit; wait for the window to pass (use the staging server while testing)" };
  if (/Invalid response from .*\b404\b|wrong status code '404'|404 Not Found/i.test(text)) return { code: 'cert.certmanager.acme-404', cause: 'the challenge URL answers 404: the request reaches a web server that does not route the token to the solver' };
  if (/Waiting for HTTP-01 challenge propagation|self check/i.test(text)) return { code: 'cert.certmanager.self-check', cause: "cert-manager's own self-check of the challenge URL fails" };
  if (/error|fail|invalid/i.test(text)) return { code: 'cert.certmanager.acme-other', cause: 'the ACME server rejected the challenge' };
  return undefined;
}

export const certManagerCheck: CheckDefinition<HostClusterContext> = {
  id: 'cert.certmanager',
  title: 'cert-manager',
  codes: [
    'cert.certmanager.not-ready',
    'cert.certmanager.acme-timeout',
    'cert.certmanager.acme-refused',
    'cert.certmanager.acme-dns',
    'cert.certmanager.acme-rate-limited',
    'cert.certmanager.acme-404',
    'cert.certmanager.self-check',
    'cert.certmanager.acme-other',
    'cert.certmanager.issuer-not-ready',
    'cert.certmanager.issuer-missing',
    'cert.certmanager.staging-issuer',
    'cert.certmanager.no-certificate',
    'cert.certmanager.solver-missing',
  ],
  timeoutMs: (ctx) => ctx.options.requestTimeoutMs * 4 + 1000,
  async run(ctx): Promise<CheckOutcome> {
    const st = await certManager(ctx);
    if (st.outcome) return st.outcome;
    if (st.chains.length === 0) {
      return { summary: `no cert-manager Certificate for ${ctx.host}`, findings: [{ code: 'cert.certmanager.no-certificate', message: `No cert-manager Certificate covers ${ctx.host} (and no Ingress annotation made one).` }] };
    }
    const findings: FindingInput[] = [];
    const tree: Record<string, unknown>[] = [];
    const solvers: Record<string, unknown>[] = [];
    const reproduce: string[] = [];
    const parts: string[] = [];
    for (const ch of st.chains) {
      const c = ch.certificate;
      const ns = c.metadata.namespace ?? 'default';
      const ready = condition(c, 'Ready');
      reproduce.push(`cmctl status certificate -n ${ns} ${c.metadata.name}`);
      reproduce.push(ctx.kubectl(`describe certificate,certificaterequest,order,challenge -n ${ns}`));
      const issuerUrl = ch.issuer?.spec?.acme?.server;
      const staging = !!issuerUrl && STAGING_ACME.test(issuerUrl);
      tree.push({
        certificate: nameOf(c),
        ready: ready ? `${ready.status} (${ready.reason ?? ''}: ${ready.message ?? ''})` : 'unknown',
        notAfter: c.status?.notAfter ?? null,
        issuer: `${ch.issuerKind}/${ch.issuerName}`,
        issuerReady: ch.issuer ? (condition(ch.issuer, 'Ready')?.status ?? 'unknown') : ch.issuerForbidden ? `not readable: ${ch.issuerError}` : null,
        acmeServer: issuerUrl ?? null,
        certificateRequests: ch.requests.map((r) => ({ name: r.metadata.name, ready: condition(r, 'Ready')?.status ?? null, reason: condition(r, 'Ready')?.reason ?? null, message: condition(r, 'Ready')?.message ?? null })),
        orders: ch.orders.map((o) => ({ name: o.metadata.name, state: o.status?.state ?? null, reason: o.status?.reason ?? null })),
        challenges: ch.challenges.map((x) => ({ name: x.metadata.name, type: x.spec?.type, state: x.status?.state ?? null, presented: x.status?.presented ?? null, reason: x.status?.reason ?? null })),
        events: ch.events.slice(-10).map((e) => `${e.type ?? ''} ${e.reason ?? ''} ${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}: ${e.message ?? ''}`),
      });
      if (!ch.issuer && ch.issuerForbidden) {
        // a namespace-scoped user may not read a ClusterIssuer: not a fault of the issuer
      } else if (!ch.issuer) {
        findings.push({ code: 'cert.certmanager.issuer-missing', message: `Certificate ${nameOf(c)} refers to ${ch.issuerKind} ${ch.issuerName}, which cannot be read: ${ch.issuerError}.` });
      } else {
        const ir = condition(ch.issuer, 'Ready');
        if (ir && ir.status !== 'True') findings.push({ code: 'cert.certmanager.issuer-not-ready', message: `${ch.issuerKind} ${ch.issuerName} is not Ready: ${ir.reason ?? ''} ${ir.message ?? ''}`.trim() + '.' });
        if (staging) {
          const prod = ch.issuerName.replace(/staging/i, 'prod') === ch.issuerName ? `${ch.issuerName}-prod` : ch.issuerName.replace(/staging/i, 'prod');
          const kindFlag = ch.issuerKind === 'ClusterIssuer' ? 'ClusterIssuer' : 'Issuer';
          const owner = (c.metadata.ownerReferences ?? []).find((r) => r.kind === 'Ingress');
          findings.push({
            code: 'cert.certmanager.staging-issuer',
            message: `${ch.issuerKind} ${ch.issuerName} uses the Let's Encrypt STAGING server (${issuerUrl}): its certificates are not trusted by browsers.`,
            remediation: [
              `Create a production ${kindFlag} ${prod}: a copy of ${ch.issuerName} with spec.acme.server https://acme-v02.api.letsencrypt.org/directory and its own spec.acme.privateKeySecretRef.name (${prod}-account-key).`,
              owner
                ? `Point the Ingress at it: \`kubectl annotate ingress -n ${ns} ${owner.name} --overwrite cert-manager.io/${kindFlag === 'ClusterIssuer' ? 'cluster-issuer' : 'issuer'}=${prod}\``
                : `Point the Certificate at it: \`kubectl patch certificate -n ${ns} ${c.metadata.name} --type merge -p '{"spec":{"issuerRef":{"name":"${prod}","kind":"${kindFlag}"}}}'\``,
              `Reissue at once: \`cmctl renew -n ${ns} ${c.metadata.name}\``,
            ],
          });
        }
      }
      if (ready?.status !== 'True') {
        findings.push({ code: 'cert.certmanager.not-ready', message: `Certificate ${nameOf(c)} is not Ready: ${ready?.reason ?? 'no Ready condition'}${ready?.message ? `: ${ready.message}` : ''}.` });
        // the deepest error wins: Challenge reason, then Order reason, then CertificateRequest message
        const texts = [
          ...ch.challenges.map((x) => ({ where: `Challenge ${nameOf(x)}`, text: x.status?.reason ?? '' })),
          ...ch.orders.map((o) => ({ where: `Order ${nameOf(o)}`, text: o.status?.reason ?? '' })),
          ...ch.requests.map((r) => ({ where: `CertificateRequest ${nameOf(r)}`, text: condition(r, 'Ready')?.message ?? '' })),
          ...ch.events.filter((e) => e.type === 'Warning').map((e) => ({ where: `event ${e.reason} on ${e.involvedObject?.kind}/${e.involvedObject?.name}`, text: e.message ?? '' })),
        ].filter((t) => t.text);
        for (const t of texts) {
          const cause = acmeCause(t.text);
          if (!cause) continue;
          findings.push({ code: cause.code, message: `${t.where}: "${t.text}": ${cause.cause}.` });
          break;
        }
      }
      // a presented HTTP-01 Challenge needs its solver: pod, Service and Ingress (cert-manager makes them)
      for (const x of ch.challenges.filter((y) => y.spec?.type === 'HTTP-01' && y.status?.presented && y.spec?.token)) {
        const solver = await solverParts(ctx, x);
        solvers.push({ challenge: nameOf(x), ...solver.evidence });
        if (solver.missing.length) {
          findings.push({
            code: 'cert.certmanager.solver-missing',
            message: `Challenge ${nameOf(x)} is presented, but its HTTP-01 solver is incomplete: ${solver.missing.join('; ')}.`,
            remediation: [`\`kubectl describe challenge -n ${ns} ${x.metadata.name}\` and the cert-manager controller logs say why; deleting the Challenge makes cert-manager present it again.`],
          });
        }
      }
      const ch0 = ch.challenges[0];
      parts.push(
        `${nameOf(c)} Ready=${ready?.status ?? '?'}` +
          (ch0 ? `; Challenge ${ch0.metadata.name} ${ch0.status?.state ?? 'pending'}` : '') +
          `; ${ch.issuerKind} ${ch.issuerName}${issuerUrl ? ` (${staging ? 'staging' : 'production'} ACME)` : ''}`,
      );
    }
    return { summary: parts.join('; '), findings, evidence: { certificates: tree, solvers }, reproduce };
  },
};
