// api.http, api.health, api.auth and api.tls on recorded answers (the real kube-apiserver 1.24's,
// test/lab/fixtures/kube-apiserver-1.24/): `request` answers from a route table, nothing is dialled.
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { authCheck } from '../../../src/checks/api/auth.ts';
import { healthCheck } from '../../../src/checks/api/health.ts';
import { httpCheck } from '../../../src/checks/api/http.ts';
import { tlsCheck } from '../../../src/checks/api/tls.ts';
import { ExecPluginError } from '../../../src/kube/credentials.ts';
import { certInfo } from '../../../src/net/x509.ts';
import { cleanupTempDirs, pems } from '../kube/helpers.ts';
import { answer, apiContext, codes, noAnswer, recorded, routeRequests, runOne, seedCredentials, seedReachable, seedTls } from './helpers.ts';

afterAll(cleanupTempDirs);

const VERSION = (path: string) => path === '/version';

describe('api.http', () => {
  it('the recorded /version: server v1.24.0+0, no finding at the recorded time', async () => {
    const ctx = apiContext();
    routeRequests(ctx, (_m, p) => (VERSION(p) ? recorded('version') : undefined));
    const r = await runOne(httpCheck, ctx);
    expect(r.status).toBe('pass');
    expect(r.summary).toMatch(/^server v1\.24\.0\+0 answered in \d+ ms$/);
  });

  it("this machine's clock 5 minutes ahead of the server's Date: api.http.clock-skew", async () => {
    const ctx = apiContext();
    (ctx.clientOptions as { now?: () => Date }).now = () => new Date('2026-11-22T07:15:38Z');
    routeRequests(ctx, (_m, p) => (VERSION(p) ? recorded('version') : undefined));
    const r = await runOne(httpCheck, ctx);
    expect(codes(r)).toEqual(['api.http.clock-skew']);
    expect(r.findings[0]!.message).toMatch(/clock is 300 s ahead of the server's \(server Date: Sun, 22 Nov 2026 07:10:38 GMT\)/);
  });

  it('no answer, or an answer that is not a version document: api.http.error', async () => {
    const timeout = apiContext();
    routeRequests(timeout, () => noAnswer('timeout', 'timed out'));
    const t = await runOne(httpCheck, timeout);
    expect(codes(t)).toEqual(['api.http.error']);
    expect(t.summary).toBe('GET /version got no complete answer within 1000 ms (the server accepted the request but did not finish its answer)');
    const html = apiContext();
    routeRequests(html, () => answer(200, '<html>captive portal</html>'));
    const h = await runOne(httpCheck, html);
    expect(codes(h)).toEqual(['api.http.error']);
    expect(h.summary).toMatch(/not with a Kubernetes version document: "<html>captive portal<\/html>" \(is this an API server\?\)/);
  });

  it('401 with the credentials (recorded bad-token): /version is asked anonymously, and who we are is api.auth\'s question', async () => {
    const ctx = apiContext();
    const seen = routeRequests(ctx, (_m, p, o) => (VERSION(p) ? (o.auth ? recorded('bad-token') : recorded('version-anonymous')) : undefined));
    const r = await runOne(httpCheck, ctx);
    expect(r.status).toBe('pass');
    expect(r.summary).toMatch(/\(with credentials: 401; see api\.auth\)$/);
    expect(seen).toEqual(['GET /version', 'GET /version (anonymous)']);
  });
});

const readyzEtcd = () => {
  const ok = recorded('readyz-verbose');
  const body = ok.response!.body.replace('[+]etcd ok', '[-]etcd failed: reason withheld').replace('readyz check passed', 'readyz check failed');
  return answer(500, body);
};
const livezPing = () => answer(500, recorded('livez-verbose').response!.body.replace('[+]ping ok', '[-]ping failed: reason withheld'));

describe('api.health (src/kube/health.ts)', () => {
  const health = (readyz: () => ReturnType<typeof answer>, livez: () => ReturnType<typeof answer>) => {
    const ctx = apiContext();
    seedReachable(ctx);
    routeRequests(ctx, (_m, p) => (p === '/readyz?verbose' ? readyz() : p === '/livez?verbose' ? livez() : undefined));
    return runOne(healthCheck, ctx);
  };

  it('the recorded healthy answers pass, counting the readyz checks', async () => {
    const r = await health(() => recorded('readyz-verbose'), () => recorded('livez-verbose'));
    expect(r).toMatchObject({ status: 'pass', summary: 'livez ok, readyz ok (25 checks)' });
  });

  it('readyz 500 with [-]etcd: api.health.not-ready names etcd', async () => {
    const r = await health(readyzEtcd, () => recorded('livez-verbose'));
    expect(codes(r)).toEqual(['api.health.not-ready']);
    expect(r.findings[0]!.message).toBe('/readyz answered 500 Internal Server Error; failing checks: etcd.');
    expect(r.summary).toBe('readyz failing: etcd; livez ok');
  });

  it('livez 500 with [-]ping: api.health.not-live', async () => {
    const r = await health(() => recorded('readyz-verbose'), livezPing);
    expect(codes(r)).toEqual(['api.health.not-live']);
    expect(r.findings[0]!.message).toBe('/livez answered 500 Internal Server Error; failing: ping.');
  });

  it('neither readable (403 for us and for anonymous): not judged, skipped', async () => {
    const r = await health(() => recorded('forbidden-pods'), () => recorded('forbidden-pods'));
    expect(r).toMatchObject({ status: 'skip', summary: 'not readable by this identity or anonymously (403 Forbidden)' });
  });
});

describe('api.auth', () => {
  const ssar = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
  const ssr = /^\/apis\/authentication\.k8s\.io\/v1(beta1)?\/selfsubjectreviews$/;

  it('1.24 (recorded): SelfSubjectReview not served, SSAR says list pods is not allowed: api.auth.forbidden with kubectl\'s words', async () => {
    const ctx = apiContext();
    seedCredentials(ctx, { headers: { Authorization: 'Bearer recorded-token' }, kind: 'token' });
    routeRequests(ctx, (_m, p) => (ssr.test(p) ? recorded('selfsubjectreview-v1') : p === ssar ? recorded('ssar-list-pods') : undefined));
    const r = await runOne(authCheck, ctx);
    expect(codes(r)).toEqual(['api.auth.forbidden']);
    expect(r.findings[0]!.message).toMatch(/RBAC forbids listing pods in demo: kubectl says "Error from server \(Forbidden\): pods is forbidden: User "admin" cannot list resource "pods" in API group "" in the namespace "demo""/);
    expect(r.summary).toMatch(/\(SelfSubjectReview not served: before 1\.28\); cannot list pods in demo$/);
  });

  it('401 (recorded bad-token): api.auth.unauthorized with kubectl\'s words', async () => {
    const ctx = apiContext();
    seedCredentials(ctx, { headers: { Authorization: 'Bearer bad' }, kind: 'token' });
    routeRequests(ctx, () => recorded('bad-token'));
    const r = await runOne(authCheck, ctx);
    expect(codes(r)).toEqual(['api.auth.unauthorized']);
    expect(r.findings[0]!.message).toBe('The server rejects the token of user admin with 401 Unauthorized; kubectl says "error: You must be logged in to the server (the server has asked for the client to provide credentials)".');
  });

  it('an exec plugin that fails: api.auth.exec-plugin-failed, nothing is sent', async () => {
    const ctx = apiContext({ user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws-iam-authenticator', args: ['token'] } } });
    seedCredentials(ctx, new ExecPluginError('aws-iam-authenticator', 'exec plugin aws-iam-authenticator exited with status 1: no credentials', { exitCode: 1 }));
    const seen = routeRequests(ctx, () => undefined);
    const r = await runOne(authCheck, ctx);
    expect(codes(r)).toEqual(['api.auth.exec-plugin-failed']);
    expect(seen).toEqual([]);
  });

  it('no credentials at all: api.auth.anonymous, and RBAC forbids system:anonymous the review', async () => {
    const ctx = apiContext({ user: {} });
    seedCredentials(ctx, { headers: {}, kind: 'none' });
    routeRequests(ctx, (_m, p) => (ssr.test(p) ? recorded('selfsubjectreview-v1') : p === ssar ? recorded('forbidden-pods') : undefined));
    const r = await runOne(authCheck, ctx);
    expect(codes(r)).toEqual(['api.auth.anonymous', 'api.auth.forbidden']);
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('no credentials: requests are sent as system:anonymous; RBAC forbids them');
  });
});

describe('api.tls on a recorded handshake', () => {
  const leaf = () => {
    const cert = new X509Certificate(pems().serverCert);
    return { cert, info: certInfo(cert) };
  };

  it('no TLS answer: api.tls.handshake-failed says what answered', async () => {
    const ctx = apiContext();
    seedTls(ctx, { tls: { ok: false, durationMs: 4, chain: [], certificates: [], error: { kind: 'not-tls', message: 'the server answered "HTTP/1.1 400"' } } });
    const r = await runOne(tlsCheck, ctx);
    expect(codes(r)).toEqual(['api.tls.handshake-failed']);
    expect(r.summary).toBe('203.0.113.10:6443 did not answer with TLS (the server answered "HTTP/1.1 400")');
  });

  it('a certificate from another CA through a proxy is interception (api.tls.intercepted), directly it is api.tls.unknown-authority', async () => {
    const { cert, info } = leaf();
    const verify = { trusted: false, problems: [{ kind: 'unknown-authority' as const, message: 'signed by unknown authority' }], goError: 'x509: certificate signed by unknown authority', chain: [info] };
    const proxied = apiContext({ env: { HTTPS_PROXY: 'http://proxy.corp.test:3128' } });
    seedTls(proxied, { dialled: { via: 'proxy', socket: {} as never, connect: { ok: true, proxy: 'http://proxy.corp.test:3128', target: '203.0.113.10:6443', durationMs: 1 } }, tls: { ok: true, durationMs: 3, chain: [info], certificates: [cert] }, verify });
    const p = await runOne(tlsCheck, proxied);
    expect(codes(p)).toEqual(['api.tls.intercepted']);
    expect(p.findings[0]!.message).toMatch(/is intercepted by the proxy http:\/\/proxy\.corp\.test:3128/);
    // directly, a leaf with the names every API server certificate carries (another cluster's): unknown authority
    const kubeNamed = { ...info, dnsNames: ['kubernetes', 'kubernetes.default.svc'], sans: ['DNS:kubernetes', 'DNS:kubernetes.default.svc'] };
    const direct = apiContext();
    seedTls(direct, { tls: { ok: true, durationMs: 3, chain: [kubeNamed], certificates: [cert] }, verify: { ...verify, chain: [kubeNamed] } });
    expect(codes(await runOne(tlsCheck, direct))).toEqual(['api.tls.unknown-authority']);
    // directly, a leaf with none of them (CN=test-apiserver for localhost, api.internal): likely a middlebox (issue 12)
    const bare = apiContext();
    seedTls(bare, { tls: { ok: true, durationMs: 3, chain: [info], certificates: [cert] }, verify });
    const b = await runOne(tlsCheck, bare);
    expect(codes(b)).toEqual(['api.tls.intercepted']);
    expect(b.findings[0]!.message).toMatch(/Interception is likely \(the certificate is not a Kubernetes API server certificate\)/);
  });

  it.each([
    ['no-ip-san', 'api.tls.no-ip-san', "x509: cannot validate certificate for 203.0.113.10 because it doesn't contain any IP SANs"],
    ['name-mismatch', 'api.tls.name-mismatch', 'x509: certificate is valid for 127.0.0.1, not 203.0.113.10'],
    ['legacy-cn-only', 'api.tls.legacy-cn', 'x509: certificate relies on legacy Common Name field, use SANs instead'],
    ['expired', 'api.tls.expired', 'x509: certificate has expired or is not yet valid: current time is after'],
    ['not-yet-valid', 'api.tls.not-yet-valid', 'x509: certificate has expired or is not yet valid: current time is before'],
  ])('verification problem %s: %s, with kubectl\'s words', async (kind, code, goError) => {
    const { cert, info } = leaf();
    const ctx = apiContext();
    seedTls(ctx, { tls: { ok: true, durationMs: 3, chain: [info], certificates: [cert] }, verify: { trusted: false, problems: [{ kind, message: kind }], goError, chain: [info] } as never });
    const r = await runOne(tlsCheck, ctx);
    expect(r.status).toBe('fail');
    expect(codes(r)).toEqual([code]);
    expect(r.findings[0]!.message).toContain(`kubectl says: "Unable to connect to the server: tls: failed to verify certificate: ${goError}"`);
  });

  it('expiring soon is a warning; an unusable kubeconfig CA is api.tls.ca-invalid', async () => {
    const { cert, info } = leaf();
    const ctx = apiContext();
    seedTls(ctx, { tls: { ok: true, durationMs: 3, chain: [info], certificates: [cert] }, caError: 'the CA data holds no certificate', verify: { trusted: true, problems: [{ kind: 'expiring-soon', message: 'expires in 5 days' }], chain: [info] } as never });
    const r = await runOne(tlsCheck, ctx);
    expect(codes(r)).toEqual(['api.tls.ca-invalid', 'api.tls.expiring-soon']);
    expect(r.findings[1]!.severity).toBe('warn');
  });

  it('insecure-skip-tls-verify turns the failures into warnings and says what it hides: api.tls.verification-disabled', async () => {
    const { cert, info } = leaf();
    const ctx = apiContext({ cluster: { 'certificate-authority-data': undefined, 'insecure-skip-tls-verify': true } });
    seedTls(ctx, { tls: { ok: true, durationMs: 3, chain: [info], certificates: [cert] }, verify: { trusted: false, problems: [{ kind: 'name-mismatch', message: 'valid for 127.0.0.1' }], goError: 'x509: certificate is valid for 127.0.0.1, not 203.0.113.10', chain: [info] } as never });
    const r = await runOne(tlsCheck, ctx);
    expect(r.status).toBe('warn');
    expect(codes(r)).toEqual(['api.tls.name-mismatch', 'api.tls.verification-disabled']);
    expect(r.findings[1]!.message).toMatch(/with verification kubectl would fail with "Unable to connect to the server: tls: failed to verify certificate: x509: certificate is valid for 127\.0\.0\.1/);
  });
});
