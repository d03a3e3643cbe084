// SPEC §1 incident 1 and the scenarios, each end to end through the built CLI in the lab.
import { beforeAll, describe, expect, it } from 'vitest';
import { diagnose, requireBuild, statuses } from './harness.ts';

beforeAll(() => requireBuild());

describe('healthy cluster', () => {
  it('every applicable check passes, exit 0', async () => {
    const d = await diagnose('healthy');
    expect(d.code).toBe(0);
    expect(statuses(d.report)).toEqual({
      'api.kubeconfig': 'pass',
      'api.dns': 'skip',
      'api.proxy': 'pass',
      'api.tcp': 'pass',
      'api.proxy.connect': 'skip',
      'api.tls': 'pass',
      'api.http': 'pass',
      'api.health': 'pass',
      'api.auth': 'pass',
      'api.discovery': 'pass',
      'api.endpoints': 'pass',
    });
    expect(d.check('api.discovery').summary).toMatch(/^all \d+ API group versions answer discovery$/);
    expect(d.check('api.dns').summary).toMatch(/IP address/);
    expect(d.check('api.tls').summary).toMatch(/verified by .* for 198\.51\.100\.10/);
    expect(d.check('api.http').summary).toMatch(/server v1\.\d+\.\d+/);
    expect(d.check('api.auth').summary).toMatch(/authenticated as lab-admin/);
    expect(d.report.diagnosis.status).toBe('pass');
    expect(d.report.diagnosis.rootCause).toMatch(/kubectl can reach the API server https:\/\/198\.51\.100\.10:6443 directly/);
    expect(d.report.target).toMatchObject({ context: 'lab-admin@lab', cluster: 'lab', user: 'lab-admin', server: 'https://198.51.100.10:6443' });
  });

  it('a DNS name that resolves through the lab DNS passes too', async () => {
    const d = await diagnose('dns-name');
    expect(d.code).toBe(0);
    expect(d.check('api.dns')).toMatchObject({ status: 'pass', summary: 'api.lab.test → 198.51.100.10' });
    expect(d.check('api.tls').status).toBe('pass');
  });

  it('an ECDSA serving certificate parses and verifies', async () => {
    const d = await diagnose('ecdsa');
    expect(d.code).toBe(0);
    const chain = d.check('api.tls').evidence!.chain as { keyType: string }[];
    expect(chain[0]!.keyType).toBe('ECDSA P-256');
  });

  it('client-certificate authentication: the identity is the certificate CN', async () => {
    const d = await diagnose('client-cert');
    expect(d.code).toBe(0);
    expect(d.check('api.auth').summary).toMatch(/authenticated as lab-admin .*client certificate/);
  });

  it('a 1.24 server without SelfSubjectReview: falls back to SelfSubjectAccessReview', async () => {
    const d = await diagnose('v1-24');
    expect(d.code).toBe(0);
    expect(d.check('api.auth').status).toBe('pass');
    expect(d.check('api.auth').summary).toMatch(/SelfSubjectReview not served/);
    expect(d.check('api.http').summary).toMatch(/v1\.24/);
  });
});

describe('SPEC §1 incident 1: TLS-intercepting egress proxy, no direct route', () => {
  it('names the proxy, the interception, the missing IP SANs, the 503 and the missing route; exit 1', async () => {
    const d = await diagnose('incident-1');
    expect(d.code).toBe(1);
    for (const code of ['api.proxy.in-use', 'api.tls.intercepted', 'api.tls.no-ip-san', 'api.proxy.upstream-failed', 'api.tcp.direct-failed']) {
      expect(d.codes).toContain(code);
    }
    expect(d.check('api.tls').status).toBe('fail');
    expect(d.check('api.tls').evidence!.chain).toMatchObject([{ subject: 'CN=egress-proxy', issuer: 'CN=egress-proxy', sans: [] }]);
    expect(d.check('api.tls').evidence!.kubectlError).toBe(
      "Unable to connect to the server: tls: failed to verify certificate: x509: cannot validate certificate for 203.0.113.10 because it doesn't contain any IP SANs",
    );
    expect(d.check('api.http').summary).toBe('skipped because api.tls failed');
    const { rootCause, remediation } = d.report.diagnosis;
    expect(rootCause).toMatch(/sent through the proxy http:\/\/198\.51\.100\.21:3128 \(from HTTPS_PROXY\)/);
    expect(rootCause).toMatch(/intercepts TLS: it presents its own certificate CN=egress-proxy, issued by CN=egress-proxy, not by the cluster CA/);
    expect(rootCause).toMatch(/no IP SANs/);
    expect(rootCause).toMatch(/cannot reach the API server either: it answers 503 Service Unavailable "upstream connect error.*Connection refused"/);
    expect(rootCause).toMatch(/Without the proxy .*203\.0\.113\.10:10443.*network is unreachable/);
    expect(remediation[0]).toContain('export NO_PROXY="203.0.113.10" no_proxy="203.0.113.10"');
    expect(remediation[1]).toMatch(/network team to exempt 203\.0\.113\.10:10443 from TLS interception .* allow CONNECT/);
    expect(remediation[2]).toContain('ssh -N -L 6443:203.0.113.10:10443');
    expect(remediation[2]).toContain('--server=https://127.0.0.1:6443 --tls-server-name=kubernetes');
  });

  it('variant: the proxy refuses the CONNECT itself with 503 and the body is quoted', async () => {
    const d = await diagnose('incident-1-connect-503');
    expect(d.code).toBe(1);
    expect(d.check('api.proxy.connect').status).toBe('fail');
    const f = d.check('api.proxy.connect').findings[0]!;
    expect(f.code).toBe('api.proxy.upstream-failed');
    expect(f.message).toMatch(/503 Service Unavailable: "upstream connect error .*Connection refused"/);
    expect(d.check('api.tls').summary).toBe('skipped because api.proxy.connect failed');
  });

  it('proxy variables cleared: no route, api.tcp.unreachable', async () => {
    const d = await diagnose('no-route');
    expect(d.code).toBe(1);
    expect(d.check('api.tcp').findings.map((f) => f.code)).toEqual(['api.tcp.unreachable']);
    expect(d.check('api.tcp').summary).toMatch(/203\.0\.113\.10:10443: network is unreachable/);
    expect(d.report.diagnosis.rootCause).toMatch(/no route/);
  });
});

describe('TCP failures', () => {
  it('black hole: api.tcp.timeout, and the whole run ends within --timeout + 1 s', async () => {
    const d = await diagnose('blackhole', ['--timeout', '2s']);
    expect(d.code).toBe(1);
    expect(d.codes).toContain('api.tcp.timeout');
    expect(d.durationMs).toBeLessThan(3000);
    expect(d.report.diagnosis.rootCause).toMatch(/silently dropped/);
  });

  it('refused: api.tcp.refused', async () => {
    const d = await diagnose('refused');
    expect(d.code).toBe(1);
    expect(d.codes).toContain('api.tcp.refused');
    expect(d.report.diagnosis.rootCause).toMatch(/nothing listens on that port/);
  });
});

describe('certificates', () => {
  it('expired', async () => {
    const d = await diagnose('expired-cert');
    expect(d.code).toBe(1);
    expect(d.codes).toContain('api.tls.expired');
    expect(d.check('api.tls').evidence!.kubectlError).toMatch(/x509: certificate has expired or is not yet valid: current time .* is after /);
  });

  it('other CA: unknown authority, not interception (no proxy, no known product)', async () => {
    const d = await diagnose('other-ca');
    expect(d.code).toBe(1);
    expect(d.codes).toContain('api.tls.unknown-authority');
    expect(d.codes).not.toContain('api.tls.intercepted');
    expect(d.check('api.tls').evidence!.kubectlError).toBe('Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority');
  });

  it('name mismatch: quotes kubectl\'s words', async () => {
    const d = await diagnose('name-mismatch');
    expect(d.code).toBe(1);
    expect(d.codes).toContain('api.tls.name-mismatch');
    expect(d.check('api.tls').evidence!.kubectlError).toBe(
      'Unable to connect to the server: tls: failed to verify certificate: x509: certificate is valid for 198.51.100.99, not 198.51.100.10',
    );
  });
});

describe('the server answers', () => {
  it('401: api.auth.unauthorized with kubectl\'s message', async () => {
    const d = await diagnose('bad-token');
    expect(d.code).toBe(1);
    expect(d.check('api.auth').findings[0]).toMatchObject({ code: 'api.auth.unauthorized', severity: 'fail' });
    expect(d.check('api.auth').findings[0]!.message).toContain('You must be logged in to the server');
    expect(d.check('api.http').status).toBe('pass');
    expect(d.report.diagnosis.rootCause).toMatch(/authentication fails/);
  });

  it('403: authenticated but RBAC forbids; a warning, exit 0', async () => {
    const d = await diagnose('forbidden');
    expect(d.code).toBe(0);
    expect(d.check('api.auth')).toMatchObject({ status: 'warn' });
    expect(d.check('api.auth').findings[0]!.code).toBe('api.auth.forbidden');
    expect(d.check('api.auth').findings[0]!.message).toMatch(/cannot list resource "pods" in API group "" in the namespace "default"/);
  });

  it('readyz with a failing etcd check: api.health.not-ready names etcd', async () => {
    const d = await diagnose('readyz-etcd');
    expect(d.code).toBe(1);
    expect(d.check('api.health').findings.map((f) => f.code)).toEqual(['api.health.not-ready']);
    expect(d.check('api.health').findings[0]!.message).toMatch(/failing checks: etcd/);
    expect(d.report.diagnosis.rootCause).toMatch(/reports itself unhealthy/);
  });
});

describe('proxies', () => {
  it('NO_PROXY excluding the server: direct, passes', async () => {
    const d = await diagnose('no-proxy');
    expect(d.code).toBe(0);
    expect(d.check('api.proxy').summary).toMatch(/^direct: NO_PROXY entry '198\.51\.100\.0\/24' matches/);
    expect(d.check('api.proxy.connect').status).toBe('skip');
    expect(d.codes).not.toContain('api.proxy.in-use');
  });

  it('a plain CONNECT proxy: passes with api.proxy.in-use as info', async () => {
    const d = await diagnose('connect-proxy');
    expect(d.code).toBe(0);
    expect(d.check('api.proxy').findings[0]).toMatchObject({ code: 'api.proxy.in-use', severity: 'info' });
    expect(d.check('api.proxy.connect').status).toBe('pass');
    expect(d.report.diagnosis.rootCause).toMatch(/through the proxy/);
  });
});

describe('DNS', () => {
  it('NXDOMAIN', async () => {
    const d = await diagnose('nxdomain');
    expect(d.code).toBe(1);
    expect(d.codes).toContain('api.dns.nxdomain');
    expect(d.check('api.tcp').summary).toBe('skipped because api.dns failed');
  });
  it('timeout', async () => {
    const d = await diagnose('dns-timeout', ['--timeout', '1s']);
    expect(d.code).toBe(1);
    expect(d.codes).toContain('api.dns.timeout');
    expect(d.durationMs).toBeLessThan(2500);
  });
  it('/etc/hosts override is reported and works', async () => {
    const d = await diagnose('hosts-override');
    expect(d.check('api.dns').findings[0]).toMatchObject({ code: 'api.dns.hosts-override', severity: 'info' });
    expect(d.check('api.dns').summary).toMatch(/api-hosts\.lab\.test → 198\.51\.100\.10 \(from \/etc\/hosts\)/);
  });
});

describe('endpoints', () => {
  it('an EndpointSlice address that is black-holed: api.endpoints.partial', async () => {
    const d = await diagnose('endpoints-partial', ['--timeout', '1s']);
    expect(d.check('api.endpoints').status).toBe('warn');
    expect(d.check('api.endpoints').findings[0]!.code).toBe('api.endpoints.partial');
    expect(d.check('api.endpoints').findings[0]!.message).toMatch(/192\.0\.2\.11:6443 \(EndpointSlice default\/kubernetes\): TCP timed out/);
    expect(d.code).toBe(0);
  });
});

describe('hostile servers end at the deadline with a finding', () => {
  it('accepts and hangs: TLS handshake timeout', async () => {
    const d = await diagnose('hang', ['--timeout', '1s']);
    expect(d.code).toBe(1);
    // issue 12 §2: a small plain-text request gets nothing either: accepts and never answers
    expect(d.check('api.tls').findings[0]!.code).toBe('api.tls.no-answer');
    expect(d.check('api.tls').summary).toMatch(/accepts TCP but answers nothing: neither the TLS handshake nor a plain-text request within 1000 ms/);
    expect(d.durationMs).toBeLessThan(4000);
  });
  it('garbage instead of TLS', async () => {
    const d = await diagnose('garbage', ['--timeout', '1s']);
    expect(d.code).toBe(1);
    expect(d.check('api.tls').findings[0]!.code).toBe('api.tls.handshake-failed');
    expect(d.check('api.tls').summary).toMatch(/did not answer with TLS/);
  });
  it('trickles bytes: api.http.error at the request deadline', async () => {
    const d = await diagnose('trickle', ['--timeout', '1s']);
    expect(d.code).toBe(1);
    expect(d.check('api.http').findings[0]!.code).toBe('api.http.error');
    expect(d.durationMs).toBeLessThan(6000);
  });
});
