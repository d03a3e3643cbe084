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
import { b64, cleanupTempDirs, pems } from '../kube/helpers.ts';
import { answer, apiContext, codes, noAnswer, recorded, routeRequests, runOne, seed, seedCredentials, seedReachable, seedTls } from './helpers.ts';

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

describe('api.http on a plain http:// server URL', () => {
  // what Go's http.Server writes: "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"
  const GO_400 = () => answer(400, 'Client sent an HTTP request to an HTTPS server.\n');

  it("Go's 400 for plain HTTP on its TLS port (the real kube-apiserver's answer): api.http.tls-port, with kubectl's words and the https:// fix", async () => {
    const ctx = apiContext({ server: 'http://203.0.113.10:6443' });
    seed(ctx, 'speaks-tls', { tls: true, protocol: 'TLSv1.3', durationMs: 3 });
    routeRequests(ctx, (_m, p) => (VERSION(p) ? GO_400() : undefined));
    const r = await runOne(httpCheck, ctx);
    expect(codes(r)).toEqual(['api.http.tls-port']);
    expect(r.summary).toBe('203.0.113.10:6443 speaks TLS, but the server URL is http://203.0.113.10:6443');
    expect(r.findings[0]!.message).toContain('kubectl says "Error from server (BadRequest): the server rejected our request for an unknown reason"');
    expect(r.findings[0]!.remediation.join(' ')).toContain('kubectl config set-cluster lab --server=https://203.0.113.10:6443');
  });

  it('no HTTP answer, and the port completes a TLS handshake (a TLS server that is not Go): api.http.tls-port', async () => {
    const ctx = apiContext({ server: 'http://203.0.113.10:6443' });
    seed(ctx, 'speaks-tls', { tls: true, protocol: 'TLSv1.2', durationMs: 3 });
    routeRequests(ctx, () => noAnswer('protocol', 'GET /version: Parse Error: Expected HTTP/'));
    const r = await runOne(httpCheck, ctx);
    expect(codes(r)).toEqual(['api.http.tls-port']);
    expect(r.findings[0]!.message).toContain('does not answer a plain GET /version with HTTP, and completes a TLS handshake (TLSv1.2) on the same port');
  });

  it('no HTTP answer and no TLS either: a broken server, api.http.error (not the scheme)', async () => {
    const ctx = apiContext({ server: 'http://203.0.113.10:6443' });
    seed(ctx, 'speaks-tls', { tls: false, durationMs: 3 });
    routeRequests(ctx, () => noAnswer('reset', 'GET /version: socket hang up'));
    const r = await runOne(httpCheck, ctx);
    expect(codes(r)).toEqual(['api.http.error']);
  });

  it('a plain server that answers (kubectl proxy): pass; an https:// server never gets the scheme verdict', async () => {
    const plain = apiContext({ server: 'http://127.0.0.1:8001' });
    routeRequests(plain, (_m, p) => (VERSION(p) ? recorded('version') : undefined));
    expect((await runOne(httpCheck, plain)).status).toBe('pass');
    const tls = apiContext();
    seed(tls, 'speaks-tls', { tls: true, durationMs: 3 });
    routeRequests(tls, (_m, p) => (VERSION(p) ? GO_400() : undefined));
    expect(codes(await runOne(httpCheck, tls))).toEqual(['api.http.error']);
  });
});

describe('api.auth on a plain http:// server URL (kubectl sends no credentials there)', () => {
  it('a token user: accepted as the server says, "without credentials", and the token is not read as the identity', async () => {
    const ctx = apiContext({ server: 'http://127.0.0.1:8001', user: { token: 'header.eyJzdWIiOiJqd3QtdXNlciJ9.sig' } });
    routeRequests(ctx, (_m, p) => (p.includes('selfsubjectreviews') ? answer(201, { kind: 'SelfSubjectReview', status: { userInfo: { username: 'system:anonymous', groups: ['system:unauthenticated'] } } }) : p.includes('selfsubjectaccessreviews') ? answer(201, { status: { allowed: true } }) : undefined));
    const r = await runOne(authCheck, ctx);
    expect(r.status).toBe('pass');
    expect(r.summary).toBe('answers requests without credentials (kubectl sends none to a plain http:// server), as system:anonymous (groups system:unauthenticated); can list pods in demo');
  });

  it('a user without credentials: no username prompt (kubectl does not prompt for an http:// server)', async () => {
    const ctx = apiContext({ server: 'http://127.0.0.1:8001', user: {} });
    expect(await authCheck.beforeRequires!(ctx, new AbortController().signal)).toBeUndefined();
    routeRequests(ctx, (_m, p) => (p.includes('selfsubjectreviews') ? answer(404, 'not found') : p.includes('selfsubjectaccessreviews') ? answer(201, { status: { allowed: true } }) : undefined));
    const r = await runOne(authCheck, ctx);
    expect(codes(r)).toEqual([]);
    expect(r.summary).toMatch(/^answers requests without credentials \(kubectl sends none to a plain http:\/\/ server\) \(SelfSubjectReview not served/);
  });

  it('SelfSubjectReview answers 400 (plain HTTP on a TLS port) or 500: who we are cannot be told, not "authenticated"', async () => {
    const ctx = apiContext({ server: 'http://203.0.113.10:6443' });
    routeRequests(ctx, () => answer(400, 'Client sent an HTTP request to an HTTPS server.\n'));
    const r = await runOne(authCheck, ctx);
    expect(r.status).toBe('skip');
    expect(r.summary).toMatch(/^who the server takes us for cannot be told: SelfSubjectReview answered 400/);
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

  // recorded from the real kube-apiserver v1.24.0 in the lab (user netdiag-viewer without RBAC)
  const ssr403 = () =>
    answer(403, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'selfsubjectreviews.authentication.k8s.io is forbidden: User "netdiag-viewer" cannot create resource "selfsubjectreviews" in API group "authentication.k8s.io" at the cluster scope',
      reason: 'Forbidden',
      details: { group: 'authentication.k8s.io', kind: 'selfsubjectreviews' },
      code: 403,
    });
  const pods = /^\/api\/v1\/namespaces\/demo\/pods\?limit=1$/;

  it("1.24 (recorded): SelfSubjectReview not served, list pods not allowed: api.auth.forbidden quotes the server's Status message (its user, not the kubeconfig entry)", async () => {
    const ctx = apiContext();
    seedCredentials(ctx, { headers: { Authorization: 'Bearer recorded-token' }, kind: 'token' });
    const seen = routeRequests(ctx, (_m, p) => (ssr.test(p) ? recorded('selfsubjectreview-v1') : p === ssar ? recorded('ssar-list-pods') : pods.test(p) ? recorded('forbidden-pods') : undefined));
    const r = await runOne(authCheck, ctx);
    expect(codes(r)).toEqual(['api.auth.forbidden']);
    expect(r.findings[0]!.message).toBe(
      'Authenticated as limited-token-user, but RBAC forbids listing pods in demo: kubectl get pods -n demo says "Error from server (Forbidden): pods is forbidden: User "limited-token-user" cannot list resource "pods" in API group "" in the namespace "demo"".',
    );
    expect(r.findings[0]!.message).not.toContain('User "admin"');
    expect(seen).toContain('GET /api/v1/namespaces/demo/pods?limit=1');
    // 404: the API is absent, in kubectl auth whoami's words; an opaque token names nobody locally
    expect(r.summary).toBe(
      'authenticated as an identity the server accepts via token (the token is not a JWT: only the server knows its user; SelfSubjectReview not served: before 1.28, the server cannot be asked; kubectl auth whoami says "the selfsubjectreviews API is not enabled in the cluster"); cannot list pods in demo',
    );
  });

  it('SelfSubjectReview 403 (recorded, no RBAC): the absence or a missing permission, as kubectl says; the user the server names', async () => {
    const ctx = apiContext();
    seedCredentials(ctx, { headers: { Authorization: 'Bearer recorded-token' }, kind: 'token' });
    routeRequests(ctx, (_m, p) => (ssr.test(p) ? ssr403() : p === ssar ? recorded('ssar-list-pods') : pods.test(p) ? answer(500, 'oops') : undefined));
    const r = await runOne(authCheck, ctx);
    expect(r.summary).toBe(
      'authenticated as netdiag-viewer via token (the name the server gives in its 403; the server cannot be asked: kubectl auth whoami says "the selfsubjectreviews API is not enabled in the cluster or you do not have permission to call it"); cannot list pods in demo',
    );
    expect(r.summary).not.toMatch(/SelfSubjectReview forbidden/);
    // the pods GET gave no Status: the quote is built on the server's name, never the kubeconfig entry's
    expect(r.findings[0]!.message).toContain('kubectl says "Error from server (Forbidden): pods is forbidden: User "netdiag-viewer" cannot list resource "pods"');
  });

  it('who am I before 1.28 with a client certificate: its subject CN and O, read locally', async () => {
    const ctx = apiContext({ user: { 'client-certificate-data': b64(pems().clientCert), 'client-key-data': b64(pems().clientKey) } });
    seedCredentials(ctx, { headers: {}, kind: 'client-certificate', clientCertPem: pems().clientCert, clientKeyPem: pems().clientKey });
    routeRequests(ctx, (_m, p) => (ssr.test(p) ? recorded('selfsubjectreview-v1') : p === ssar ? answer(201, { status: { allowed: true } }) : undefined));
    const r = await runOne(authCheck, ctx);
    expect(r.status).toBe('pass');
    expect(r.summary).toBe(
      `authenticated as tester (groups testers) via client certificate (the client certificate's subject CN and O, read locally; SelfSubjectReview not served: before 1.28, the server cannot be asked; kubectl auth whoami says "the selfsubjectreviews API is not enabled in the cluster"); can list pods in demo`,
    );
    expect(JSON.stringify(r.evidence)).not.toContain('PRIVATE KEY');
  });

  it("who am I before 1.28 with a JWT: its sub, iss, exp and groups, never the token", async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${enc({ alg: 'RS256', kid: 'k' })}.${enc({ sub: 'system:serviceaccount:demo:deployer', iss: 'https://kubernetes.default.svc.cluster.local', exp: 1795000000, groups: ['ci'], secret: 'x' })}.c2lnbmF0dXJl`;
    const ctx = apiContext({ user: { token: jwt } });
    seedCredentials(ctx, { headers: { Authorization: `Bearer ${jwt}` }, kind: 'token' });
    routeRequests(ctx, (_m, p) => (ssr.test(p) ? recorded('selfsubjectreview-v1') : p === ssar ? answer(201, { status: { allowed: true } }) : undefined));
    const r = await runOne(authCheck, ctx);
    expect(r.summary).toBe(
      `authenticated as system:serviceaccount:demo:deployer (groups ci) via token (the token's JWT claims, read locally: iss https://kubernetes.default.svc.cluster.local, exp 2026-11-18T11:06:40.000Z; SelfSubjectReview not served: before 1.28, the server cannot be asked; kubectl auth whoami says "the selfsubjectreviews API is not enabled in the cluster"); can list pods in demo`,
    );
    const all = JSON.stringify(r);
    expect(all).not.toContain(jwt);
    expect(all).not.toContain('secret');
  });

  it("401 (recorded bad-token): api.auth.unauthorized quotes kubectl's two lines, the Status message one and the cold-cache one", async () => {
    const ctx = apiContext();
    seedCredentials(ctx, { headers: { Authorization: 'Bearer bad' }, kind: 'token' });
    routeRequests(ctx, () => recorded('bad-token'));
    const r = await runOne(authCheck, ctx);
    expect(codes(r)).toEqual(['api.auth.unauthorized']);
    expect(r.summary).toBe('the server rejects the credentials (401 Unauthorized)');
    expect(r.findings[0]!.message).toBe(
      'The server rejects the token of the kubeconfig user admin with 401 (Status message "Unauthorized"): kubectl says "error: You must be logged in to the server (Unauthorized)" when its discovery cache is warm, and "error: You must be logged in to the server (the server has asked for the client to provide credentials)" after its discovery errors when the cache is cold.',
    );
  });

  it('an exec plugin that fails: api.auth.exec-plugin-failed, nothing is sent', async () => {
    const ctx = apiContext({ user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws-iam-authenticator', args: ['token'] } } });
    seedCredentials(ctx, new ExecPluginError('aws-iam-authenticator', 'exec plugin aws-iam-authenticator exited with status 1: no credentials', { exitCode: 1 }));
    const seen = routeRequests(ctx, () => undefined);
    const r = await runOne(authCheck, ctx);
    expect(codes(r)).toEqual(['api.auth.exec-plugin-failed']);
    expect(seen).toEqual([]);
  });

  it('before the connection: a failing exec plugin and a user without credentials are found without the network; a token user has nothing to say', async () => {
    const exec = apiContext({ user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws-iam-authenticator', args: ['token'] } } });
    seedCredentials(exec, new ExecPluginError('aws-iam-authenticator', 'exec plugin aws-iam-authenticator exited with status 1: no credentials', { exitCode: 1 }));
    const seen = routeRequests(exec, () => undefined);
    const e = await authCheck.beforeRequires!(exec, new AbortController().signal);
    expect(e?.findings?.map((f) => f.code)).toEqual(['api.auth.exec-plugin-failed']);
    expect(e?.findings?.[0]!.message).toBe('exec plugin aws-iam-authenticator exited with status 1: no credentials.');
    expect(e?.evidence).toMatchObject({ beforeConnect: true, execCommand: 'aws-iam-authenticator' });
    expect(seen).toEqual([]);
    const none = await authCheck.beforeRequires!(apiContext({ user: {} }), new AbortController().signal);
    expect(none?.findings?.map((f) => f.code)).toEqual(['api.auth.anonymous']);
    expect(await authCheck.beforeRequires!(apiContext(), new AbortController().signal)).toBeUndefined();
  });

  it('no credentials at all: api.auth.anonymous (fail): kubectl asks "Please enter Username:", no 403 it never reaches', async () => {
    const ctx = apiContext({ user: {} });
    seedCredentials(ctx, { headers: {}, kind: 'none' });
    routeRequests(ctx, (_m, p) => (ssr.test(p) ? recorded('selfsubjectreview-v1') : p === ssar ? recorded('forbidden-pods') : undefined));
    const r = await runOne(authCheck, ctx);
    expect(codes(r)).toEqual(['api.auth.anonymous']);
    expect(r.status).toBe('fail');
    expect(r.findings[0]!.message).toBe(
      'The context\'s user has no credentials: kubectl 1.32 asks "Please enter Username:" interactively instead of sending a request, and without a terminal fails with "error: EOF" (servers since 1.19 accept no username and password anyway).',
    );
    expect(r.summary).toBe('no credentials: kubectl asks "Please enter Username:" instead of sending a request; anonymous requests (system:anonymous) are forbidden here');
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
