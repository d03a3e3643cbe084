// The ingress and cert-manager checks, and the `ingress` verdict, on recorded evidence: the lab's
// cluster objects (the same the end-to-end labs serve) read through the client's classification,
// DNS and HTTP-01 probes as recorded. Every ingress.* and cert.certmanager.* finding code is reached.
import { describe, expect, it } from 'vitest';
import { INGRESS_CHECKS, diagnoseIngress, ingressDiagnosis } from '../../../src/checks/ingress/index.ts';
import type { Http01State, Probe } from '../../../src/checks/served-host/http01.ts';
import { CHALLENGE_KEY, CHALLENGE_TOKEN, INGRESS_LAB, clusterObjects, type ClusterSpec } from '../../lab/ingress-scenarios.ts';
import type { KubeObject } from '../../lab/objects.ts';
import { HOST, fakeContext, run, type Evidence } from './fake-cluster.ts';

// the lab's scenarios (test/lab/ingress-scenarios.ts): a healthy one and SPEC §1 incident 3
const BASE: ClusterSpec = { lb: INGRESS_LAB.lb, policy: 'Cluster', announcer: 'node-a', l2: true, solverClass: 'nginx', issuer: 'prod', certificate: 'ready', secret: true };
const INCIDENT_3: ClusterSpec = { ...BASE, lb: INGRESS_LAB.hole, policy: 'Local', announcer: 'node-b', certificate: 'invalid-timeout', secret: false };
const TLS_PEM = { cert: '-----BEGIN CERTIFICATE-----\nrecorded\n-----END CERTIFICATE-----\n', key: 'recorded-key' };

function objects(spec: Partial<ClusterSpec> = {}): KubeObject[] {
  return clusterObjects({ ...BASE, tlsCert: TLS_PEM as never, ...spec });
}

/** The objects with one changed (found by kind and name). */
function edit(list: KubeObject[], kind: string, name: string, change: (o: KubeObject & Record<string, any>) => void): KubeObject[] {
  const o = list.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} in the recorded objects`);
  change(o as KubeObject & Record<string, any>);
  return list;
}

const without = (list: KubeObject[], pred: (o: KubeObject) => boolean) => list.filter((o) => !pred(o));

/** The ingress diagnosis's checks on the evidence (cert.tls only with a recorded handshake: test/unit/cert has its judgement). */
async function ingress(e: Evidence) {
  const ctx = fakeContext(e);
  const r = await run(e.tls ? INGRESS_CHECKS : INGRESS_CHECKS.filter((c) => c.id !== 'cert.tls'), ctx);
  return { ...r, ctx, diagnosis: diagnoseIngress(r.results, ctx) };
}

const dnsAt = (address: string) => ({ addresses: [{ address, family: 4 as const, source: 'dns' as const }] });

describe('ingress.resource', () => {
  it('no Ingress for the host: not-found, and the verdict says so with the context', async () => {
    const r = await ingress({ objects: objects(), host: 'nothing.lab.test' });
    expect(r.codes('ingress.resource')).toEqual(['ingress.resource.not-found']);
    expect(r.diagnosis.rootCause).toBe('No Ingress in any namespace has a rule or TLS entry for nothing.lab.test. Check the spelling of the host, the kubeconfig context (dev@lab) and, for a namespace-scoped user, -n.');
  });
  it('a namespace-scoped user: only the context namespace is searched, and the finding says so', async () => {
    const r = await ingress({ objects: objects(), host: 'nothing.lab.test', forbidden: ['ingresses.networking.k8s.io@all'] });
    expect(r.check('ingress.resource').findings[0]!.message).toContain('No Ingress in namespace web has a rule or TLS entry for nothing.lab.test (RBAC forbids listing the other namespaces');
  });
  it('the API server cannot be used: api-unreachable, the other cluster checks not applicable', async () => {
    const r = await ingress({ unreachable: 'dial tcp 192.0.2.10:6443: connect: connection refused' });
    expect(r.codes('ingress.resource')).toEqual(['ingress.resource.api-unreachable']);
    expect(r.check('ingress.resource').findings[0]!.message).toBe('The cluster API cannot be used (dial tcp 192.0.2.10:6443: connect: connection refused).');
    for (const id of ['ingress.backend', 'ingress.lb', 'ingress.traffic-policy', 'cert.certmanager', 'ingress.annotations']) {
      expect(r.check(id).summary, id).toBe('not applicable: the cluster API cannot be used (dial tcp 192.0.2.10:6443: connect: connection refused)');
    }
    // DNS still runs, without a load balancer address to compare
    expect(r.check('ingress.dns').summary).toBe(`${HOST} → ${INGRESS_LAB.lb}`);
  });
  it('no kubeconfig: every cluster check is not applicable, and the diagnosis has a configuration error', async () => {
    const r = await ingress({ noKubeconfig: true });
    expect(r.check('ingress.resource').summary).toBe('not applicable: no kubeconfig');
    expect(r.check('cert.certmanager').summary).toBe('not applicable: no kubeconfig');
    expect(ingressDiagnosis.configError!(r.ctx)).toMatch(/^no kubeconfig: set KUBECONFIG or --kubeconfig/);
  });
  it('the TLS secret is missing: a warning while cert-manager issues it, a failure otherwise', async () => {
    const issuing = await ingress({ objects: objects({ secret: false, certificate: 'invalid-timeout' }) });
    const f = issuing.check('ingress.resource').findings.find((x) => x.code === 'ingress.resource.tls-secret-missing')!;
    expect(f.severity).toBe('warn');
    expect(f.message).toContain('cert-manager creates it once Certificate web/web-tls is issued');
    const alone = await ingress({ objects: objects({ secret: false, issuer: 'none' }) });
    expect(alone.check('ingress.resource').findings.find((x) => x.code === 'ingress.resource.tls-secret-missing')!.severity).toBe('fail');
  });
  it('no TLS entry for the host', async () => {
    const r = await ingress({ objects: edit(objects(), 'Ingress', 'web', (i) => delete i.spec.tls) });
    expect(r.codes('ingress.resource')).toContain('ingress.resource.no-tls');
  });
  it('an ingress class that does not exist; no class and no default class', async () => {
    const unknown = await ingress({ objects: edit(objects(), 'Ingress', 'web', (i) => (i.spec.ingressClassName = 'nginx-public')) });
    expect(unknown.codes('ingress.resource')).toEqual(['ingress.resource.class-unknown']);
    expect(unknown.check('ingress.resource').findings[0]!.message).toContain('existing: nginx, nginx-internal');
    let list = edit(objects(), 'Ingress', 'web', (i) => delete i.spec.ingressClassName);
    const withDefault = await ingress({ objects: list });
    expect(withDefault.codes('ingress.resource')).toEqual([]);
    list = edit(list, 'IngressClass', 'nginx', (c) => delete c.metadata.annotations);
    const none = await ingress({ objects: list });
    expect(none.codes('ingress.resource')).toEqual(['ingress.resource.no-class']);
  });
});

describe('ingress.backend', () => {
  it('the backend Service is missing', async () => {
    const r = await ingress({ objects: without(objects(), (o) => o.kind === 'Service' && o.metadata.name === 'web') });
    expect(r.codes('ingress.backend')).toEqual(['ingress.backend.service-missing']);
    expect(r.check('ingress.backend').findings[0]!.message).toContain('services "web" not found');
  });
  it('the Ingress names a port the Service does not have', async () => {
    const r = await ingress({ objects: edit(objects(), 'Ingress', 'web', (i) => (i.spec.rules[0].http.paths[0].backend.service.port.number = 8443)) });
    expect(r.codes('ingress.backend')).toEqual(['ingress.backend.port-missing']);
    expect(r.check('ingress.backend').findings[0]!.message).toContain('port 8443 of Service web/web, which has ports 80 (http)');
  });
  it('no ready endpoint: the controller answers 503', async () => {
    const r = await ingress({ objects: edit(objects(), 'EndpointSlice', 'web-7tq9m', (s) => (s.endpoints[0].conditions.ready = false)) });
    expect(r.codes('ingress.backend')).toEqual(['ingress.backend.no-ready-endpoints']);
    expect(r.check('ingress.backend').summary).toBe('web/web: 0/1 endpoints ready');
  });
  it('no Ingress for the host: not applicable', async () => {
    const r = await ingress({ objects: objects(), host: 'nothing.lab.test' });
    expect(r.check('ingress.backend').summary).toBe('not applicable: no Ingress for the host');
    expect(r.check('ingress.annotations').summary).toBe('not applicable: no Ingress for the host');
  });
});

describe('ingress.lb', () => {
  it('announced by L2: passes and names pool and advertisement', async () => {
    const r = await ingress({ objects: objects() });
    expect(r.check('ingress.lb').status).toBe('pass');
    expect(r.check('ingress.lb').summary).toBe(`ingress-nginx/ingress-nginx-controller ${INGRESS_LAB.lb} from pool public-pool, announced by L2Advertisement public-l2; externalTrafficPolicy Cluster`);
  });
  it('no L2Advertisement or BGPAdvertisement: no-advertisement, and the verdict names it', async () => {
    const r = await ingress({ objects: objects({ lb: INGRESS_LAB.hole, l2: false, announcer: undefined }), dns: dnsAt(INGRESS_LAB.hole) });
    expect(r.codes('ingress.lb')).toEqual(['ingress.lb.no-advertisement']);
    expect(r.diagnosis.rootCause).toContain('is in IPAddressPool metallb-system/public-pool, but no L2Advertisement or BGPAdvertisement covers that pool');
  });
  it('the address is in no pool', async () => {
    const list = edit(objects(), 'IPAddressPool', 'public-pool', (p) => (p.spec.addresses = ['203.0.113.0/28']));
    const r = await ingress({ objects: list });
    expect(r.codes('ingress.lb')).toEqual(['ingress.lb.not-in-pool']);
    expect(r.diagnosis.rootCause).toContain(`No MetalLB IPAddressPool contains ${INGRESS_LAB.lb}`);
  });
  it('EXTERNAL-IP pending', async () => {
    let list = edit(objects(), 'Service', 'ingress-nginx-controller', (s) => (s.status = { loadBalancer: {} }));
    list = edit(list, 'Ingress', 'web', (i) => (i.status = { loadBalancer: {} }));
    const r = await ingress({ objects: list });
    expect(r.codes('ingress.lb')).toEqual(['ingress.lb.pending']);
    expect(r.diagnosis.rootCause).toContain('has no external address (EXTERNAL-IP <pending>)');
  });
  it('no controller Service', async () => {
    const r = await ingress({ objects: without(objects(), (o) => o.kind === 'Service' && o.metadata.name === 'ingress-nginx-controller') });
    expect(r.codes('ingress.lb')).toEqual(['ingress.lb.controller-not-found']);
    expect(r.check('ingress.traffic-policy').summary).toBe('not applicable: no controller Service');
  });
  it('MetalLB not installed: another load balancer', async () => {
    const r = await ingress({ objects: without(objects(), (o) => o.apiVersion.startsWith('metallb.io/')) });
    expect(r.codes('ingress.lb')).toEqual(['ingress.lb.metallb-absent']);
    expect(r.check('ingress.lb').status).toBe('pass');
  });
  it('RBAC forbids listing Services: skipped naming the permission', async () => {
    const r = await ingress({ objects: objects(), forbidden: ['services@all'] });
    expect(r.check('ingress.lb').status).toBe('skip');
    expect(r.check('ingress.lb').summary).toBe('skipped: forbidden: needs the RBAC permission to list services in all namespaces');
    expect(r.check('ingress.lb').reproduce).toEqual(['kubectl auth can-i list services -A']);
  });
});

describe('ingress.traffic-policy', () => {
  it('SPEC §1 incident 3: Local, announced from a node without a controller pod; the verdict names node and fix', async () => {
    const r = await ingress({ objects: objects(INCIDENT_3), dns: dnsAt(INGRESS_LAB.hole) });
    expect(r.codes('ingress.traffic-policy')).toEqual(['ingress.traffic-policy.announcer-without-endpoint']);
    expect(r.diagnosis.rootCause).toContain(`uses externalTrafficPolicy: Local and MetalLB announces ${INGRESS_LAB.hole} from node-b, which has no ready ingress controller pod (ready pods run on node-a)`);
    expect(r.diagnosis.rootCause).toContain('Fix: set externalTrafficPolicy: Cluster');
    expect(r.diagnosis.remediation).toContain('Then let cert-manager retry at once: `cmctl renew -n web web-tls` (or delete the failed Order), and watch `kubectl get challenges -n web -w`.');
  });
  it('Local, announcer unknown, a node without a controller pod may announce: local-partial', async () => {
    const r = await ingress({ objects: objects({ ...INCIDENT_3, lb: INGRESS_LAB.lb, announcer: undefined }) });
    expect(r.codes('ingress.traffic-policy')).toEqual(['ingress.traffic-policy.local-partial']);
    expect(r.check('ingress.traffic-policy').findings[0]!.message).toContain('nodes node-b may announce');
  });
  it('Local, and only nodes with a controller pod may announce: local (info)', async () => {
    const r = await ingress({ objects: objects({ ...INCIDENT_3, lb: INGRESS_LAB.lb, announcer: 'node-a', l2Nodes: ['node-a'] }) });
    expect(r.codes('ingress.traffic-policy')).toEqual(['ingress.traffic-policy.local']);
    expect(r.check('ingress.traffic-policy').status).toBe('pass');
  });
});

describe('ingress.dns', () => {
  it.each([
    ['nxdomain', 'ingress.dns.nxdomain'],
    ['nodata', 'ingress.dns.nxdomain'],
    ['timeout', 'ingress.dns.timeout'],
    ['other', 'ingress.dns.error'],
  ])('a %s answer: %s', async (kind, code) => {
    const r = await ingress({ objects: objects(), dns: { addresses: [], error: { kind: kind as never, code: 'X', message: `lookup ${HOST}: ${kind}` } } });
    expect(r.codes('ingress.dns')).toEqual([code]);
    // HTTP-01 cannot be probed without an address
    expect(r.check('ingress.http01').summary).toBe('skipped because ingress.dns failed');
  });
  it('the host resolves elsewhere than the load balancer: mismatch, the root cause', async () => {
    const r = await ingress({ objects: objects(), dns: dnsAt('203.0.113.7') });
    expect(r.codes('ingress.dns')).toEqual(['ingress.dns.mismatch']);
    expect(r.diagnosis.rootCause).toBe(`${HOST} resolves to 203.0.113.7, but the ingress controller's address is ${INGRESS_LAB.lb}: clients and the ACME server go elsewhere.`);
  });
});

const URL = `http://${HOST}/.well-known/acme-challenge/${CHALLENGE_TOKEN}`;
const outside = (p: Partial<Probe>): Probe => ({ where: `${INGRESS_LAB.lb}:80`, url: URL, ok: true, durationMs: 3, ...p });
const insideOk = { where: 'service web/cm-acme-http-solver-7xk2p:8089 (API server service proxy)', url: 'http://cm-acme-http-solver-7xk2p.web.svc:8089/x', via: '/api/v1/namespaces/web/services/cm-acme-http-solver-7xk2p:8089/proxy/x', reproduce: 'kubectl get --raw …', ok: true, status: 200, body: CHALLENGE_KEY, durationMs: 4 };

function http01(p: Partial<Probe>, extra: Partial<Http01State> = {}): Http01State {
  return { token: CHALLENGE_TOKEN, outside: [outside(p)], inside: insideOk, ...extra };
}

describe('ingress.http01', () => {
  it.each([
    ['timeout', 'ingress.http01.timeout'],
    ['refused', 'ingress.http01.refused'],
    ['reset', 'ingress.http01.reset'],
    ['unreachable', 'ingress.http01.unreachable'],
  ])('outside %s while inside answers: %s', async (kind, code) => {
    const r = await ingress({ objects: objects(), http01: http01({ ok: false, errorKind: kind, error: `${kind} to ${INGRESS_LAB.lb}:80` }) });
    expect(r.codes('ingress.http01')).toEqual([code]);
    expect(r.check('ingress.http01').findings[0]!.message).toContain('while the same request from inside the cluster (service web/cm-acme-http-solver-7xk2p:8089 (API server service proxy)) answers 200');
  });
  it('outside times out, nothing in the cluster explains it: a firewall in front of the address', async () => {
    const r = await ingress({ objects: objects(), http01: http01({ ok: false, errorKind: 'timeout', error: 'timeout' }) });
    expect(r.diagnosis.rootCause).toMatch(new RegExp(`^External requests to ${INGRESS_LAB.lb.replace(/\./g, '\\.')}:80 time out while the in-cluster request succeeds: nothing in the cluster explains it`));
  });
  it('redirected to HTTPS, and the annotation that does it is the cause', async () => {
    const list = objects({ annotations: { 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' }, certificate: 'pending-self-check-tls', secret: false });
    const r = await ingress({ objects: list, http01: http01({ status: 308, location: `https://${HOST}/.well-known/acme-challenge/x` }, { challenge: undefined }) });
    expect(r.codes('ingress.http01')).toEqual(['ingress.http01.redirect']);
    const a = r.check('ingress.annotations').findings.find((f) => f.code === 'ingress.annotations.force-ssl-redirect')!;
    expect(a.severity).toBe('fail');
    expect(r.diagnosis.rootCause).toContain('The cause: Ingress web/web sets nginx.ingress.kubernetes.io/force-ssl-redirect: "true"');
  });
  it("404 for the pending Challenge's token; 200 without its key; a server error", async () => {
    const challenge = { metadata: { name: 'c', namespace: 'web' }, spec: { token: CHALLENGE_TOKEN, key: CHALLENGE_KEY, type: 'HTTP-01' } };
    const nf = await ingress({ objects: objects(), http01: http01({ status: 404, body: 'not found' }, { challenge }) });
    expect(nf.codes('ingress.http01')).toEqual(['ingress.http01.token-not-found']);
    const wrong = await ingress({ objects: objects(), http01: http01({ status: 200, body: 'hello' }, { challenge }) });
    expect(wrong.codes('ingress.http01')).toEqual(['ingress.http01.wrong-key']);
    const err = await ingress({ objects: objects(), http01: http01({ status: 502, body: 'bad gateway' }) });
    expect(err.codes('ingress.http01')).toEqual(['ingress.http01.http-error']);
  });
  it('from inside the cluster it fails too: inside-failed', async () => {
    const r = await ingress({ objects: objects(), http01: http01({ status: 200 }, { inside: { ...insideOk, ok: false, status: 503, body: 'no endpoints available' } }) });
    expect(r.codes('ingress.http01')).toEqual(['ingress.http01.inside-failed']);
    expect(r.check('ingress.http01').findings[0]!.message).toContain('fails: HTTP 503: no endpoints available');
  });
});

describe('ingress.annotations', () => {
  it('ssl-redirect without a pending challenge: a risk (warn); ssl-passthrough', async () => {
    const r = await ingress({ objects: objects({ annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true', 'nginx.ingress.kubernetes.io/ssl-passthrough': 'true' } }) });
    const codes = r.check('ingress.annotations').findings.map((f) => [f.code, f.severity]);
    expect(codes).toEqual([
      ['ingress.annotations.ssl-redirect', 'warn'],
      ['ingress.annotations.ssl-passthrough', 'warn'],
    ]);
  });
  it('ssl-redirect while the Challenge token is answered without a redirect: exempt (info)', async () => {
    const list = objects({ annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' }, certificate: 'pending-presented', secret: false });
    const challenge = { metadata: { name: 'c', namespace: 'web' }, spec: { token: CHALLENGE_TOKEN, type: 'HTTP-01' } };
    const r = await ingress({ objects: list, http01: http01({ status: 200, body: CHALLENGE_KEY }, { challenge }) });
    const f = r.check('ingress.annotations').findings.find((x) => x.code === 'ingress.annotations.ssl-redirect')!;
    expect(f.severity).toBe('info');
    expect(f.message).toContain('so HTTP-01 is not affected');
  });
  it("the solver's class is not the class that serves the host: class-mismatch, the root cause", async () => {
    const r = await ingress({ objects: objects({ solverClass: 'nginx-internal', certificate: 'pending-404', secret: false }), http01: http01({ status: 404 }, { challenge: { metadata: { name: 'c', namespace: 'web' }, spec: { token: CHALLENGE_TOKEN, key: CHALLENGE_KEY } } }) });
    expect(r.codes('ingress.annotations')).toEqual(['ingress.annotations.class-mismatch']);
    expect(r.diagnosis.rootCause).toMatch(/^The HTTP-01 solver uses ingress class "nginx-internal" .* Accordingly: GET .* answers 404/);
  });
});

describe('cert.certmanager', () => {
  it('ready Certificate from the production issuer: passes', async () => {
    const r = await ingress({ objects: objects() });
    expect(r.check('cert.certmanager').status).toBe('pass');
    expect(r.check('cert.certmanager').summary).toBe('web/web-tls Ready=True; ClusterIssuer letsencrypt-prod (production ACME)');
  });
  it('no Certificate for the host: no-certificate (ingress)', async () => {
    // cert-manager installed (its CRDs served), no Certificate
    const installed = ['certificates', 'certificaterequests', 'issuers', 'clusterissuers'].map((p) => `${p}.cert-manager.io`);
    const r = await ingress({ objects: objects({ certificate: 'none' }), installed });
    expect(r.codes('cert.certmanager')).toEqual(['cert.certmanager.no-certificate']);
    expect(r.check('cert.certmanager').status).toBe('warn');
  });
  it('not ready, the Challenge failed with a timeout: not-ready and acme-timeout, quoted in the verdict', async () => {
    const r = await ingress({ objects: objects({ certificate: 'invalid-timeout', secret: false }) });
    expect(r.codes('cert.certmanager')).toEqual(['cert.certmanager.not-ready', 'cert.certmanager.acme-timeout']);
    expect(r.diagnosis.rootCause).toContain('Certificate web/web-tls is not Ready: DoesNotExist: Issuing certificate as Secret does not exist.');
    expect(r.diagnosis.rootCause).toContain('cert-manager reports "Error accepting authorization: acme: authorization error for web.lab.test');
  });
  it('the issuer is not Ready; the issuer cannot be read', async () => {
    const notReady = edit(objects(), 'ClusterIssuer', 'letsencrypt-prod', (i) => (i.status.conditions[0] = { type: 'Ready', status: 'False', reason: 'ErrRegisterACMEAccount', message: 'Failed to register ACME account' }));
    expect((await ingress({ objects: notReady })).codes('cert.certmanager')).toEqual(['cert.certmanager.issuer-not-ready']);
    const missing = without(objects(), (o) => o.kind === 'ClusterIssuer');
    const r = await ingress({ objects: missing, installed: ['clusterissuers.cert-manager.io'] });
    expect(r.codes('cert.certmanager')).toEqual(['cert.certmanager.issuer-missing']);
    expect(r.check('cert.certmanager').findings[0]!.message).toContain('clusterissuers.cert-manager.io "letsencrypt-prod" not found');
  });
  it('a ClusterIssuer a namespace-scoped user may not read is not reported missing', async () => {
    const r = await ingress({ objects: objects(), forbidden: ['clusterissuers.cert-manager.io'] });
    expect(r.codes('cert.certmanager')).toEqual([]);
  });
  it("the staging issuer: staging-issuer with the production fix", async () => {
    const r = await ingress({ objects: objects({ issuer: 'staging' }) });
    const f = r.check('cert.certmanager').findings.find((x) => x.code === 'cert.certmanager.staging-issuer')!;
    expect(f.message).toContain("uses the Let's Encrypt STAGING server");
    expect(f.remediation[1]).toBe('Point the Ingress at it: `kubectl annotate ingress -n web web --overwrite cert-manager.io/cluster-issuer=letsencrypt-prod`');
  });
  it('a presented Challenge without its solver pod: solver-missing', async () => {
    const list = without(objects({ certificate: 'pending-presented', secret: false }), (o) => o.kind === 'Pod' && o.metadata.name.startsWith('cm-acme-http-solver-'));
    const r = await ingress({ objects: list });
    expect(r.codes('cert.certmanager')).toContain('cert.certmanager.solver-missing');
    expect(r.check('cert.certmanager').findings.find((f) => f.code === 'cert.certmanager.solver-missing')!.message).toContain('no solver pod in web');
  });
  it('RBAC forbids Certificates: skipped naming the permission; not installed: not applicable', async () => {
    const forbidden = await ingress({ objects: objects(), forbidden: ['certificates.cert-manager.io'] });
    expect(forbidden.check('cert.certmanager').summary).toBe('skipped: forbidden: needs the RBAC permission to list certificates.cert-manager.io in all namespaces');
    const absent = await ingress({ objects: objects({ issuer: 'none' }) });
    expect(absent.check('cert.certmanager').summary).toBe('not applicable: cert-manager (certificates.cert-manager.io) is not installed in the cluster (the server could not find the requested resource)');
  });
});

describe('the ingress verdict with nothing wrong', () => {
  it('says what works', async () => {
    const r = await ingress({ objects: objects(), http01: http01({ status: 404, body: 'not found' }) });
    expect(r.diagnosis.status).not.toBe('fail');
    expect(r.diagnosis.rootCause).toContain('Ingress: web/web (class nginx, TLS secret web-tls).');
    expect(r.diagnosis.rootCause).toContain('Load balancer: ingress-nginx/ingress-nginx-controller');
    expect(r.diagnosis.rootCause).not.toContain('No kubeconfig resolves');
  });
});
