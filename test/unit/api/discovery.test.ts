// api.discovery and the api.endpoints verdicts (issue 11 points 3, 5 and 6) on recorded answers of
// the real kube-apiserver 1.24 (test/lab/fixtures/kube-apiserver-1.24/) and on the evidence the
// real lab showed: nothing is dialled.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { discoveryCheck, judgeDiscovery } from '../../../src/checks/api/discovery.ts';
import { judgeEndpoints, type EndpointProbe } from '../../../src/checks/api/endpoints.ts';
import { judgeCertificate } from '../../../src/kube/probe.ts';
import { cleanupTempDirs, pems } from '../kube/helpers.ts';
import { answer, apiContext, codes, recorded, routeRequests, runOne, seedReachable } from './helpers.ts';

afterAll(cleanupTempDirs);

const FIXTURES = join(import.meta.dirname, '../../lab/fixtures/kube-apiserver-1.24');
/** the recorded /apis plus metrics.k8s.io, as the aggregator lists it while its APIService is down */
function apisWithMetrics() {
  const apis = JSON.parse(readFileSync(join(FIXTURES, 'apis.body'), 'utf8')) as { groups: unknown[] };
  apis.groups.push({ name: 'metrics.k8s.io', versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }], preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' } });
  return apis;
}
// what the lab's real server answered for the APIService (kubectl get apiservice -o json)
const METRICS_APISERVICE = {
  kind: 'APIService',
  metadata: { name: 'v1beta1.metrics.k8s.io' },
  spec: { service: { name: 'metrics-server', namespace: 'kube-system', port: 443 }, group: 'metrics.k8s.io', version: 'v1beta1' },
  status: { conditions: [{ type: 'Available', status: 'False', reason: 'EndpointsNotFound', message: 'cannot find endpoints for service/metrics-server in "kube-system"' }] },
};
// the kube-aggregator's answer for a group version whose APIService is not Available
const SERVICE_UNAVAILABLE = () => answer(503, 'service unavailable\n', { 'content-type': 'text/plain; charset=utf-8' });
const KUBECTL_LINE = "couldn't get resource list for metrics.k8s.io/v1beta1: the server is currently unable to handle the request";

function discovering(apiservice: () => ReturnType<typeof answer>) {
  const ctx = apiContext();
  seedReachable(ctx);
  const seen = routeRequests(ctx, (_m, p) => {
    if (p === '/apis') return answer(200, apisWithMetrics());
    if (p === '/apis/metrics.k8s.io/v1beta1') return SERVICE_UNAVAILABLE();
    if (p === '/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io') return apiservice();
    if (/^\/apis\/[^/]+\/[^/]+$/.test(p)) return answer(200, { kind: 'APIResourceList', groupVersion: p.slice(6), resources: [] });
    return undefined;
  });
  return { ctx, seen };
}

describe('api.discovery (issue 11 point 3)', () => {
  it('an aggregated API that is not Available: a warning with the APIService, its reason and kubectl\'s own line; kubectl still works', async () => {
    const { ctx, seen } = discovering(() => answer(200, METRICS_APISERVICE));
    const r = await runOne(discoveryCheck, ctx);
    expect(r.status).toBe('warn');
    expect(codes(r)).toEqual(['api.discovery.unavailable']);
    expect(r.summary).toMatch(/^1 of \d+ API group versions fail discovery: metrics\.k8s\.io\/v1beta1 \(APIService v1beta1\.metrics\.k8s\.io: EndpointsNotFound\); kubectl still works but prints discovery errors$/);
    const m = r.findings[0]!.message;
    expect(m).toMatch(/^APIService v1beta1\.metrics\.k8s\.io \(service kube-system\/metrics-server\) is not Available: EndpointsNotFound \("cannot find endpoints for service\/metrics-server in "kube-system""\)\. kubectl still works/);
    expect(m).toContain(`prints "${KUBECTL_LINE}" on every discovery`);
    expect(m).toContain('`kubectl api-resources` exits 1 ("error: unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: the server is currently unable to handle the request")');
    expect(m).toMatch(/`kubectl apply` of metrics\.k8s\.io\/v1beta1 objects fails, and namespace deletion and garbage collection in the cluster stall/);
    expect(m).not.toMatch(/fails for every kubectl command/i);
    expect(r.findings[0]!.remediation[0]).toMatch(/describe apiservice v1beta1\.metrics\.k8s\.io`, then the service behind it: `kubectl .*get endpointslices -n kube-system -l kubernetes\.io\/service-name=metrics-server`/);
    // kubectl's discovery: /apis, then every group version
    expect(seen).toContain('GET /apis');
    expect(seen).toContain('GET /apis/apps/v1');
  });

  it('an identity that may not read the APIService: the group version and kubectl\'s line, the reason named unreadable', async () => {
    const forbidden = () => answer(403, { kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: 'apiservices.apiregistration.k8s.io "v1beta1.metrics.k8s.io" is forbidden: User "netdiag-viewer" cannot get resource "apiservices" in API group "apiregistration.k8s.io" at the cluster scope' });
    const r = await runOne(discoveryCheck, discovering(forbidden).ctx);
    expect(codes(r)).toEqual(['api.discovery.unavailable']);
    expect(r.findings[0]!.message).toMatch(/^APIService v1beta1\.metrics\.k8s\.io \(its status is not readable by this identity: 403 Forbidden\)\. kubectl still works/);
    expect(r.findings[0]!.message).toContain(KUBECTL_LINE);
  });

  it('every group version answers (the recorded 1.24 /apis): passes; an /apis that cannot be read is not applicable', async () => {
    const ctx = apiContext();
    seedReachable(ctx);
    routeRequests(ctx, (_m, p) => (p === '/apis' ? recorded('apis') : /^\/apis\/[^/]+\/[^/]+$/.test(p) ? answer(200, { kind: 'APIResourceList', resources: [] }) : undefined));
    const r = await runOne(discoveryCheck, ctx);
    expect(r.status).toBe('pass');
    expect(r.summary).toMatch(/^all \d+ API group versions answer discovery$/);
    const denied = apiContext();
    seedReachable(denied);
    routeRequests(denied, () => recorded('bad-token'));
    expect(await runOne(discoveryCheck, denied)).toMatchObject({ status: 'skip' });
  });

  it('judgeDiscovery: nothing broken, no finding', () => {
    expect(judgeDiscovery([], (a) => `kubectl ${a}`)).toEqual([]);
  });
});

function probe(address: string, sources: string[], over: Partial<EndpointProbe> = {}): EndpointProbe {
  return { address, sources, via: address, tcp: 'ok', tls: 'ok', ok: true, durationMs: 1, trusted: true, coversAddress: true, ...over };
}
const SLICE = 'EndpointSlice default/kubernetes';

describe('api.endpoints verdicts (issue 11 points 5 and 6)', () => {
  it('one rule (src/kube/probe.ts): a trusted certificate that does not cover the address dialled is not usable there, in x509\'s words', () => {
    const ctx = apiContext();
    // the test certificates are minted now; the client's clock is the recordings' (2026-11-22)
    ctx.now = () => new Date();
    const cert = new X509Certificate(pems().serverCert);
    expect(judgeCertificate(ctx, [cert], '127.0.0.1')).toMatchObject({ trusted: true, covers: true });
    const v = judgeCertificate(ctx, [cert], '198.51.100.15');
    expect(v).toMatchObject({ trusted: true, covers: false });
    expect(v.goError).toMatch(/x509: certificate is valid for 127\.0\.0\.1, not 198\.51\.100\.15/);
    expect(judgeCertificate(ctx, [new X509Certificate(pems().otherCa)], '127.0.0.1')).toMatchObject({ trusted: false, unknownAuthority: true });
  });

  it('cert-gap (the lab): the endpoint the certificate does not cover fails, as server.endpoints fails it; its direct clients, not every in-cluster client', () => {
    const gap = probe('198.51.100.15:6444', [SLICE], { ok: false, coversAddress: false, error: { kind: 'name-mismatch', message: 'x509: certificate is valid for 10.96.0.1, 198.51.100.14, not 198.51.100.15' } });
    const { summary, findings } = judgeEndpoints([gap, probe('198.51.100.14:6444', ['kubeconfig server'])], { endpointSource: SLICE, endpointCount: 1 }, '198.51.100.14:6444');
    expect(summary).toBe('1 of 2 addresses work; failing: 198.51.100.15:6444');
    expect(findings.map((f) => f.code)).toEqual(['api.endpoints.partial']);
    expect(findings[0]!.message).toBe(
      '1 of 2 addresses of the API server do not work from here: 198.51.100.15:6444 (EndpointSlice default/kubernetes): x509: certificate is valid for 10.96.0.1, 198.51.100.14, not 198.51.100.15. A client that dials it directly fails with that error (in-cluster clients verify the ClusterIP or the Service name instead).',
    );
  });

  it('a 403 on the EndpointSlice (the viewer): api.endpoints.unreadable names the 403 and the user, never a pass', () => {
    const failure = { ok: false as const, status: 403, reason: 'forbidden' as const, statusReason: 'Forbidden', message: 'endpointslices.discovery.k8s.io is forbidden: User "netdiag-viewer" cannot list resource "endpointslices" in API group "discovery.k8s.io" in the namespace "default"', needs: { verb: 'list', resource: 'endpointslices.discovery.k8s.io', namespace: 'default', text: 'list endpointslices.discovery.k8s.io in namespace default', canI: 'kubectl auth can-i list endpointslices.discovery.k8s.io -n default' } };
    const { summary, findings } = judgeEndpoints([probe('198.51.100.10:6443', ['kubeconfig server'])], { endpointSource: 'Endpoints default/kubernetes', endpointCount: 0, failure }, '198.51.100.10:6443');
    expect(summary).toMatch(/^default\/kubernetes not readable \(403 Forbidden: endpointslices\.discovery\.k8s\.io is forbidden: User "netdiag-viewer" cannot list/);
    expect(findings.map((f) => [f.code, f.severity ?? 'catalog'])).toEqual([['api.endpoints.unreadable', 'catalog']]);
    expect(findings[0]!.message).toMatch(/could not be read: 403 Forbidden: .*Only 198\.51\.100\.10:6443 \(this kubeconfig's address\) is checked/);
    expect(findings[0]!.remediation).toEqual(['This identity needs list endpointslices.discovery.k8s.io in namespace default: `kubectl auth can-i list endpointslices.discovery.k8s.io -n default`; or rerun with a context allowed to read it.']);
  });

  it('no credentials at all: the failed read is api.auth\'s cause, not a second finding (issue 11 point 1: one failure described one way)', () => {
    const failure = { ok: false as const, status: 403, reason: 'forbidden' as const, statusReason: 'Forbidden', message: 'endpointslices.discovery.k8s.io is forbidden: User "system:anonymous" cannot list resource "endpointslices"' };
    const { summary, findings } = judgeEndpoints([probe('198.51.100.10:6443', ['kubeconfig server'])], { endpointSource: SLICE, endpointCount: 0, failure, noCredentials: true }, '198.51.100.10:6443');
    expect(findings).toEqual([]);
    expect(summary).toContain("the context's user has no credentials (see api.auth)");
    expect(summary).not.toContain('Forbidden');
  });

  it('a loopback advertise address (empty EndpointSlice list): api.endpoints.not-written explains why, not "could not be read"', () => {
    const { findings } = judgeEndpoints([probe('127.0.0.1:6445', ['kubeconfig server'])], { endpointSource: SLICE, endpointCount: 0 }, '127.0.0.1:6445');
    expect(findings.map((f) => f.code)).toEqual(['api.endpoints.not-written']);
    expect(findings[0]!.message).toMatch(/loopback range \(127\.0\.0\.0\/8\), which it refuses to write: its log repeats `Endpoints "kubernetes" is invalid: \.\.\. may not be in the loopback range`/);
    expect(findings[0]!.message).not.toMatch(/could not be read/);
  });

  it('dead advertise address (the lab): every in-cluster client fails, the cause is --bind-address vs --advertise-address, never "remove" or "intermittently"', () => {
    const dead = probe('198.51.100.13:6443', [SLICE], { tcp: 'failed', tls: undefined, ok: false, error: { kind: 'refused', message: 'connect 198.51.100.13:6443: connection refused' } });
    const { summary, findings } = judgeEndpoints([dead, probe('198.51.100.12:6443', ['kubeconfig server'])], { endpointSource: SLICE, endpointCount: 1 }, '198.51.100.12:6443');
    expect(summary).toBe('1 of 2 addresses work; failing: 198.51.100.13:6443');
    expect(findings.map((f) => f.code)).toEqual(['api.endpoints.advertised-dead']);
    expect(findings[0]!.message).toMatch(/^No address the API server advertises works: 198\.51\.100\.13:6443 \(EndpointSlice default\/kubernetes\): TCP connection refused\. .*so every in-cluster client fails, although this kubeconfig's address 198\.51\.100\.12:6443 works\./);
    expect(findings[0]!.message).toMatch(/nobody can remove it\), but does not listen there: its --bind-address is another address/);
    expect(findings.flatMap((f) => [f.message, ...(f.remediation ?? [])]).join(' ')).not.toMatch(/intermittently|Remove the dead/i);
  });
});
