// diagnoseApi on recorded check results: which layer the root cause names, in kubectl's words.
import { afterAll, describe, expect, it } from 'vitest';
import { diagnoseApi } from '../../../src/checks/api/diagnosis.ts';
import { toFinding } from '../../../src/engine/runner.ts';
import type { FindingInput } from '../../../src/engine/definitions.ts';
import { statusFromFindings, type CheckResult, type CheckStatus } from '../../../src/report/types.ts';
import { cleanupTempDirs } from '../kube/helpers.ts';
import { apiContext } from './helpers.ts';

afterAll(cleanupTempDirs);

function result(id: string, findings: FindingInput[] = [], over: Partial<CheckResult> = {}): CheckResult {
  const fs = findings.map(toFinding);
  return { id, title: id, status: statusFromFindings(fs) as CheckStatus, durationMs: 1, summary: `${id} summary`, findings: fs, reproduce: [], ...over };
}

const passing = () => ['api.kubeconfig', 'api.dns', 'api.proxy', 'api.tcp', 'api.tls', 'api.http', 'api.auth', 'api.health'].map((id) => result(id));

describe('diagnoseApi', () => {
  it('interception through the proxy: names the proxy, the certificate, the missing IP SANs and the dead direct path, and NO_PROXY first', () => {
    const ctx = apiContext({ env: { HTTPS_PROXY: 'http://proxy.corp.test:3128' } });
    const results = [
      result('api.kubeconfig'),
      result('api.proxy', [{ code: 'api.proxy.in-use', message: 'via proxy' }]),
      result('api.tcp', [{ code: 'api.tcp.direct-failed', message: 'Without the proxy, connecting to 203.0.113.10:6443 fails: network is unreachable (no route).' }]),
      result('api.tls', [
        { code: 'api.tls.intercepted', message: 'intercepted' },
        { code: 'api.tls.no-ip-san', message: 'no IP SANs' },
      ], { evidence: { chain: [{ subject: 'CN=egress-proxy', issuer: 'CN=Corp Proxy CA', sans: ['DNS:proxy'] }] } }),
    ];
    const d = diagnoseApi(results, ctx);
    expect(d.status).toBe('fail');
    expect(d.rootCause).toBe(
      'Traffic from this machine to the API server https://203.0.113.10:6443 is sent through the proxy http://proxy.corp.test:3128 (from HTTPS_PROXY). ' +
        'That proxy intercepts TLS: it presents its own certificate CN=egress-proxy, issued by CN=Corp Proxy CA, not by the cluster CA, and the certificate has no IP SANs, so kubectl fails with ' +
        '"Unable to connect to the server: tls: failed to verify certificate: x509: cannot validate certificate for 203.0.113.10 because it doesn\'t contain any IP SANs". ' +
        'Without the proxy there is no way through: connecting to 203.0.113.10:6443 fails: network is unreachable (no route). ' +
        'Nothing here says the cluster itself is unhealthy; the path from this machine is broken.',
    );
    expect(d.remediation[0]).toMatch(/^Add the API server to NO_PROXY so kubectl connects directly: `export NO_PROXY="203\.0\.113\.10" no_proxy="203\.0\.113\.10"`/);
  });

  it('a plain http:// server: the HTTP failure is not led by "TLS works", and the healthy line says plain HTTP', () => {
    const ctx = apiContext({ server: 'http://203.0.113.10:6443' });
    const skipTls = result('api.tls', [], { status: 'skip', summary: 'not applicable: the server URL http://203.0.113.10:6443 is plain http://: kubectl makes no TLS handshake' });
    const failing = diagnoseApi([...passing().filter((r) => !['api.tls', 'api.http'].includes(r.id)), skipTls, result('api.http', [{ code: 'api.http.tls-port', message: 'The kubeconfig names the API server as http://203.0.113.10:6443, but 203.0.113.10:6443 speaks TLS.' }])], ctx);
    expect(failing.rootCause).toBe('kubectl speaks plain HTTP to 203.0.113.10:6443 (the server URL is http://), and the request fails: The kubeconfig names the API server as http://203.0.113.10:6443, but 203.0.113.10:6443 speaks TLS.');
    expect(failing.remediation[0]).toMatch(/^Write https:\/\//);
    const healthy = diagnoseApi([...passing().filter((r) => r.id !== 'api.tls'), skipTls], ctx);
    expect(healthy.rootCause).toMatch(/^kubectl can reach the API server http:\/\/203\.0\.113\.10:6443 directly: plain HTTP, no TLS/);
    expect(diagnoseApi(passing(), apiContext()).rootCause).toMatch(/directly: TLS verifies against the kubeconfig CA/);
  });

  it('the proxy refuses CONNECT: its answer is the cause, bypassing it the first step', () => {
    const ctx = apiContext({ env: { HTTPS_PROXY: 'http://proxy.corp.test:3128' } });
    const d = diagnoseApi([...passing().filter((r) => r.id !== 'api.tls'), result('api.proxy.connect', [{ code: 'api.proxy.denied', message: 'The proxy forbids CONNECT to 203.0.113.10:6443 (403 Forbidden).' }])], ctx);
    expect(d.rootCause).toBe('Traffic to https://203.0.113.10:6443 is sent through the proxy http://proxy.corp.test:3128 (from HTTPS_PROXY). The proxy forbids CONNECT to 203.0.113.10:6443 (403 Forbidden).');
    expect(d.remediation[0]).toMatch(/^If this machine can reach the server directly, bypass the proxy/);
    expect(d.remediation).toContain('Ask the network team to allow CONNECT from http://proxy.corp.test:3128 to 203.0.113.10:6443.');
  });

  it('DNS, then TCP, then TLS: the first failing layer is the cause', () => {
    const ctx = apiContext();
    const dns = diagnoseApi([result('api.kubeconfig'), result('api.dns', [{ code: 'api.dns.nxdomain', message: 'api.example.test does not exist (NXDOMAIN).' }]), result('api.tcp', [], { status: 'skip' })], ctx);
    expect(dns.rootCause).toBe('The API server name cannot be resolved: api.example.test does not exist (NXDOMAIN).');
    const tcp = diagnoseApi([result('api.kubeconfig'), result('api.proxy'), result('api.tcp', [{ code: 'api.tcp.timeout', message: 'connect 203.0.113.10:6443: timed out (packets dropped).' }])], ctx);
    expect(tcp.rootCause).toBe(
      'kubectl cannot open a TCP connection to 203.0.113.10:6443: connect 203.0.113.10:6443: timed out (packets dropped): packets to that address are silently dropped (a firewall, a security group, or an address nobody answers for). No proxy applies: no proxy variable is set.',
    );
    expect(tcp.remediation.at(-1)).toMatch(/^Or tunnel through a host that reaches the API server: `ssh -N -L 6443:203\.0\.113\.10:6443 USER@JUMPHOST`/);
    const tls = diagnoseApi([result('api.kubeconfig'), result('api.tcp'), result('api.tls', [{ code: 'api.tls.name-mismatch', message: 'certificate is valid for 127.0.0.1, not 203.0.113.10. kubectl says: "x"' }], { evidence: { kubectlError: 'Unable to connect to the server: tls: failed to verify certificate: x509: certificate is valid for 127.0.0.1, not 203.0.113.10' } })], ctx);
    expect(tls.rootCause).toBe('The TLS connection to 203.0.113.10:6443 does not verify: certificate is valid for 127.0.0.1, not 203.0.113.10. kubectl fails with "Unable to connect to the server: tls: failed to verify certificate: x509: certificate is valid for 127.0.0.1, not 203.0.113.10".');
  });

  it("another CA named like the cluster's (recorded Go error from the real 1.24 server): kubectl's whole line, and a regenerated cluster CA in plain words", () => {
    const ctx = apiContext();
    const line =
      'Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of "crypto/rsa: verification error" while trying to verify candidate authority certificate "kubernetes")';
    const d = diagnoseApi([result('api.kubeconfig'), result('api.tcp'), result('api.tls', [{ code: 'api.tls.unknown-authority', message: 'The certificate CN=kube-apiserver is issued by CN=kubernetes, which is not the kubeconfig CA (CN=kubernetes).' }], { evidence: { kubectlError: line } })], ctx);
    expect(d.rootCause).toBe(
      'The TLS connection to 203.0.113.10:6443 does not verify: The certificate CN=kube-apiserver is issued by CN=kubernetes, which is not the kubeconfig CA (CN=kubernetes). ' +
        `kubectl fails with "${line}". ` +
        'The kubeconfig CA is named "kubernetes" like the CA that issued the server\'s certificate, but its key did not sign it (Go: "crypto/rsa: verification error"): ' +
        'the cluster CA was regenerated (same name, different key), so this kubeconfig belongs to an earlier incarnation of the cluster.',
    );
    // a plain unknown authority (no candidate of the same name) is not called regenerated
    const plain = diagnoseApi([result('api.kubeconfig'), result('api.tcp'), result('api.tls', [{ code: 'api.tls.unknown-authority', message: 'x.' }], { evidence: { kubectlError: 'Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority' } })], ctx);
    expect(plain.rootCause).not.toMatch(/regenerated/);
  });

  it('no credentials: the lead says kubectl cannot use the context, not that authentication fails', () => {
    const ctx = apiContext();
    const d = diagnoseApi([...passing().filter((r) => r.id !== 'api.auth'), result('api.auth', [{ code: 'api.auth.anonymous', message: 'kubectl asks "Please enter Username:".' }])], ctx);
    expect(d.status).toBe('fail');
    expect(d.rootCause).toBe('The network path to 203.0.113.10:6443 works, but kubectl cannot use this context: kubectl asks "Please enter Username:".');
  });

  it('credentials that fail before the connection lead the root cause when the connection fails too (kubectl fails on them first)', () => {
    const ctx = apiContext();
    const tcp = result('api.tcp', [{ code: 'api.tcp.refused', message: 'connect 203.0.113.10:6443: connection refused.' }]);
    const plugin = result('api.auth', [{ code: 'api.auth.exec-plugin-failed', message: 'exec plugin "/x/plugin" could not be started: exec: fork/exec /x/plugin: no such file or directory.' }], { evidence: { beforeConnect: true } });
    const d = diagnoseApi([result('api.kubeconfig'), result('api.dns'), result('api.proxy'), tcp, result('api.tls', [], { status: 'skip' }), plugin], ctx);
    expect(d.status).toBe('fail');
    expect(d.rootCause).toMatch(/^kubectl fails before it connects to 203\.0\.113\.10:6443: exec plugin "\/x\/plugin" could not be started: exec: fork\/exec \/x\/plugin: no such file or directory\. The connection fails too: kubectl cannot open a TCP connection to 203\.0\.113\.10:6443: /);
    expect(d.remediation[0]).toMatch(/plugin/);
    expect(d.remediation.some((r) => /port/.test(r))).toBe(true);
    // the same failure found after a working connection keeps its usual lead
    const after = diagnoseApi([...passing().filter((r) => r.id !== 'api.auth'), result('api.auth', [{ code: 'api.auth.exec-plugin-failed', message: 'exec plugin failed.' }])], ctx);
    expect(after.rootCause).toBe('The network path to 203.0.113.10:6443 works, but authentication fails: exec plugin failed.');
  });

  it('HTTP, auth and health each lead with what works below them', () => {
    const ctx = apiContext();
    const with_ = (id: string, f: FindingInput) => diagnoseApi([...passing().filter((r) => r.id !== id), result(id, [f])], ctx).rootCause;
    expect(with_('api.auth', { code: 'api.auth.unauthorized', message: 'The server rejects the token.' })).toBe('The network path to 203.0.113.10:6443 works, but authentication fails: The server rejects the token.');
    expect(with_('api.health', { code: 'api.health.not-ready', message: '/readyz answered 500; failing checks: etcd.' })).toBe('The API server at 203.0.113.10:6443 answers, but reports itself unhealthy: /readyz answered 500; failing checks: etcd.');
    expect(with_('api.http', { code: 'api.http.error', message: 'GET /version failed.' })).toBe('TLS to 203.0.113.10:6443 works, but the HTTP request fails: GET /version failed.');
  });

  it('all pass: says what works; warnings are listed to watch', () => {
    const ctx = apiContext();
    const ok = passing().map((r) => (r.id === 'api.http' ? { ...r, evidence: { version: { gitVersion: 'v1.24.0+0' } } } : r.id === 'api.auth' ? { ...r, summary: 'authenticated as admin via token' } : r));
    const d = diagnoseApi(ok, ctx);
    expect(d).toEqual({ status: 'pass', rootCause: 'kubectl can reach the API server https://203.0.113.10:6443 directly: TLS verifies against the kubeconfig CA, the server runs v1.24.0+0, and it authenticates the user as admin via token.', remediation: [] });
    const warned = diagnoseApi([...ok.filter((r) => r.id !== 'api.tls'), result('api.tls', [{ code: 'api.tls.expiring-soon', message: 'The certificate expires in 5 days.' }])], ctx);
    expect(warned.status).toBe('warn');
    expect(warned.rootCause).toMatch(/ To watch: The certificate expires in 5 days\.$/);
  });

  it('a kubeconfig that does not resolve: its own words', () => {
    const ctx = apiContext({ noKubeconfig: true });
    const d = diagnoseApi([result('api.kubeconfig', [{ code: 'api.kubeconfig.localhost-fallback', message: 'No kubeconfig was found.' }])], ctx);
    expect(d.rootCause).toBe('No kubeconfig was found.');
  });
});
