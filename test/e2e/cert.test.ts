// `kubectl netdiag cert HOST[:PORT]` end to end: the built executable inside the lab, against
// the HTTPS servers of scenario cert-servers (no cluster, no kubeconfig at all).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/netns.ts';
import type { Report } from '../../src/report/types.ts';
import { EXE, requireBuild } from './harness.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  report: Report;
  codes: string[];
  check(id: string): Report['checks'][number];
}

async function cert(lab: Lab, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const r = await lab.exec(EXE, ['cert', ...args, '-o', 'json', '--timeout', '3s'], { env: { ...lab.baseEnv(), ...env }, timeoutMs: 30_000 });
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${r.code}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return {
    ...r,
    report,
    codes: report.checks.flatMap((c) => c.findings.map((f) => f.code)),
    check: (id) => report.checks.find((c) => c.id === id)!,
  };
}

interface Cert {
  subject: string;
  issuer: string;
  sans: string[];
  keyType: string;
  signatureAlgorithm: string;
  sha256: string;
  notBefore: string;
  notAfter: string;
}

const chainOf = (r: Run) => r.check('cert.tls').evidence!.chain as Cert[];

describe('kubectl netdiag cert (no cluster)', () => {
  let lab: Lab;
  beforeAll(async () => {
    requireBuild();
    lab = await startLab('cert-servers');
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it('RSA server, trusted through --ca-file: the chain leaf to intermediate with every detail, exit 0', async () => {
    const r = await cert(lab, ['cert.lab.test', '--ca-file', lab.files.ca]);
    expect(r.code).toBe(0);
    expect(r.check('cert.tls').status).toBe('pass');
    const chain = chainOf(r);
    expect(chain.map((c) => c.subject)).toEqual(['CN=web.lab.test', 'CN=lab-intermediate-ca,O=kubectl-netdiag lab']);
    expect(chain[0]!.issuer).toBe('CN=lab-intermediate-ca,O=kubectl-netdiag lab');
    expect(chain[0]!.sans).toEqual(['DNS:web.lab.test', 'DNS:cert.lab.test']);
    expect(chain[0]!.keyType).toBe('RSA 2048');
    expect(chain[0]!.signatureAlgorithm).toBe('sha256WithRSAEncryption');
    expect(chain[0]!.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(Date.parse(chain[0]!.notAfter)).toBeGreaterThan(Date.now());
    const trust = r.check('cert.tls').evidence!.trust as { system: { trusted: boolean }; caFile: { anchoredBy: string } };
    expect(trust.system.trusted).toBe(false);
    expect(trust.caFile.anchoredBy).toBe('CN=lab-ca,O=kubectl-netdiag lab');
    expect(r.codes).toContain('cert.tls.private-ca');
    // no kubeconfig: the cluster checks are left out, and the result says so
    expect(r.report.checks.map((c) => c.id)).toEqual(['cert.tls']);
    expect(r.report.diagnosis.rootCause).toContain('No kubeconfig resolves, so the cert-manager and ingress checks were left out.');
    expect(r.report.target).toMatchObject({ host: 'cert.lab.test', port: 443 });
    expect(r.report.target.context).toBeUndefined();
    expect(r.report.diagnosis.rootCause).toContain('CN=web.lab.test');
    expect(r.report.diagnosis.rootCause).toContain(`SHA-256 ${chain[0]!.sha256}`);
  });

  it('the SHA-256 fingerprint is the one openssl computes from what s_client receives', async () => {
    const r = await cert(lab, ['cert.lab.test:8443', '--ca-file', lab.files.ca]);
    const o = await lab.exec('sh', ['-c', 'openssl s_client -connect cert.lab.test:8443 -servername cert.lab.test </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256']);
    const fp = /Fingerprint=([0-9A-F:]+)/i.exec(o.stdout)?.[1];
    expect(fp).toBeDefined();
    expect(chainOf(r)[0]!.sha256).toBe(fp!.toUpperCase());
  });

  it('ECDSA server: key type ECDSA P-256, signed by the RSA intermediate, exit 0', async () => {
    const r = await cert(lab, ['cert.lab.test:8443', '--ca-file', lab.files.ca]);
    expect(r.code).toBe(0);
    expect(chainOf(r)[0]!.keyType).toBe('ECDSA P-256');
    expect(chainOf(r)[0]!.subject).toBe('CN=cert.lab.test');
    expect(r.check('cert.tls').summary).toContain('ECDSA P-256');
  });

  it('without --ca-file the lab chain is not trusted by the system store', async () => {
    const r = await cert(lab, ['cert.lab.test']);
    expect(r.code).toBe(1);
    expect(r.codes).toContain('cert.tls.untrusted');
    expect(r.codes).not.toContain('cert.tls.missing-intermediate');
  });

  it('leaf only: missing intermediate (not "unknown authority"), although --ca-file holds the root', async () => {
    const r = await cert(lab, ['cert.lab.test:8444', '--ca-file', lab.files.ca]);
    expect(r.code).toBe(1);
    expect(r.codes).toContain('cert.tls.missing-intermediate');
    expect(r.codes).not.toContain('cert.tls.untrusted');
    expect(chainOf(r)).toHaveLength(1);
    expect(r.report.diagnosis.rootCause).toMatch(/intermediate certificate is missing/);
    // openssl agrees: it cannot build the chain either
    const o = await lab.exec('sh', ['-c', `openssl s_client -connect cert.lab.test:8444 -servername cert.lab.test -CAfile ${lab.files.ca} -verify_return_error </dev/null 2>&1`]);
    expect(o.stdout).toMatch(/unable to get local issuer certificate/);
  });

  it('expired leaf', async () => {
    const r = await cert(lab, ['cert.lab.test:8445', '--ca-file', lab.files.ca]);
    expect(r.code).toBe(1);
    expect(r.codes).toContain('cert.tls.expired');
    expect(r.check('cert.tls').summary).toMatch(/expired \d+ days ago/);
  });

  it("Let's Encrypt staging, even when its root is trusted", async () => {
    const r = await cert(lab, ['cert.lab.test:8446', '--ca-file', lab.files.stagingCa]);
    expect(r.code).toBe(1);
    expect(r.codes).toContain('cert.tls.staging');
    expect(r.codes).not.toContain('cert.tls.letsencrypt');
    expect(r.report.diagnosis.rootCause).toMatch(/\(STAGING\)/);
  });

  it("ingress-nginx's fake default certificate: named as such, not as a name mismatch", async () => {
    const r = await cert(lab, ['cert.lab.test:8447']);
    expect(r.code).toBe(1);
    expect(r.codes).toContain('cert.tls.fake-certificate');
    expect(r.codes).not.toContain('cert.tls.name-mismatch');
    expect(r.codes).not.toContain('cert.tls.self-signed');
    expect(r.report.diagnosis.rootCause).toContain('Kubernetes Ingress Controller Fake Certificate');
  });

  it('self-signed', async () => {
    const r = await cert(lab, ['cert.lab.test:8448', '--ca-file', lab.files.ca]);
    expect(r.code).toBe(1);
    expect(r.codes).toContain('cert.tls.self-signed');
  });

  it('--sni picks the name sent and checked; an IP target with another --sni mismatches', async () => {
    const ok = await cert(lab, ['198.51.100.80:443', '--sni', 'web.lab.test', '--ca-file', lab.files.ca]);
    expect(ok.code).toBe(0);
    expect(ok.check('cert.tls').evidence!.sni).toBe('web.lab.test');
    const bad = await cert(lab, ['198.51.100.80', '--sni', 'other.lab.test', '--ca-file', lab.files.ca]);
    expect(bad.code).toBe(1);
    expect(bad.codes).toContain('cert.tls.name-mismatch');
    const ip = await cert(lab, ['198.51.100.80', '--ca-file', lab.files.ca]);
    expect(ip.codes).toContain('cert.tls.name-mismatch');
    expect(ip.check('cert.tls').evidence!.sni).toBeNull();
  });

  it('refused port: connect-failed; bad port: usage error exit 2', async () => {
    const r = await cert(lab, ['cert.lab.test:9']);
    expect(r.code).toBe(1);
    expect(r.codes).toEqual(['cert.tls.connect-failed']);
    const u = await lab.exec(EXE, ['cert', 'cert.lab.test:99999'], { env: lab.baseEnv() });
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/^error: invalid port/);
  });

  it('an unreadable --ca-file is a configuration error: one line, exit 2', async () => {
    const r = await lab.exec(EXE, ['cert', 'cert.lab.test', '--ca-file', '/nonexistent/ca.crt'], { env: lab.baseEnv() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: --ca-file \/nonexistent\/ca\.crt: .*no such file/);
  });

  it('a kubeconfig whose API server does not answer: the cluster checks do not apply, the certificate still passes', async () => {
    const r = await cert(lab, ['cert.lab.test', '--ca-file', lab.files.ca, '--kubeconfig', lab.kubeconfig]);
    expect(r.code).toBe(0);
    expect(r.report.checks).toHaveLength(9);
    expect(r.check('cert.tls').status).toBe('pass');
    for (const c of r.report.checks.filter((x) => x.id !== 'cert.tls')) {
      expect(c.status, c.id).toBe('skip');
      expect(c.summary, c.id).toMatch(/^not applicable: the cluster API cannot be used \(.*refused/);
    }
  });

  it('`ingress` needs a cluster: without a kubeconfig it is a configuration error', async () => {
    const r = await lab.exec(EXE, ['ingress', 'cert.lab.test'], { env: lab.baseEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no kubeconfig: .*kubectl netdiag cert HOST/);
  });

  it('text output names the verdict and the chain', async () => {
    const r = await lab.exec(EXE, ['cert', 'cert.lab.test:8444', '--ca-file', lab.files.ca], { env: lab.baseEnv() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ fail\s+cert\.tls/);
    expect(r.stdout).toContain('cert.tls.missing-intermediate');
    expect(r.stdout).toContain('openssl s_client -connect cert.lab.test:8444 -servername cert.lab.test -showcerts');
  });
});

// Behind a corporate proxy, `cert` gets to the host the way curl and kubectl do: HTTPS_PROXY unless
// NO_PROXY excludes it (Go's rules). Real tinyproxy and mitmdump, and a proxy that answers 403.
describe('kubectl netdiag cert through HTTPS_PROXY', () => {
  let lab: Lab;
  let proxies: Record<string, string>;
  beforeAll(async () => {
    requireBuild();
    lab = await startLab('cert-proxies');
    proxies = lab.info.proxies as Record<string, string>;
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it('a CONNECT proxy (tinyproxy): the server\'s own chain, trusted, and the report says it went through the proxy', async () => {
    const r = await cert(lab, ['cert.lab.test', '--ca-file', lab.files.ca]);
    expect(r.code).toBe(0);
    const c = r.check('cert.tls');
    expect(c.status).toBe('pass');
    expect(c.evidence).toMatchObject({ via: `proxy ${proxies.tinyproxy} (HTTPS_PROXY)`, proxy: { url: proxies.tinyproxy, source: 'HTTPS_PROXY' }, connect: { statusLine: expect.stringMatching(/^HTTP\/1\.[01] 200/) } });
    expect(chainOf(r).map((x) => x.subject)).toEqual(['CN=web.lab.test', 'CN=lab-intermediate-ca,O=kubectl-netdiag lab']);
    expect(c.summary).toMatch(/^via proxy http:\/\/198\.51\.100\.\d+:8888 \(HTTPS_PROXY\); TLSv1\.3; CN=web\.lab\.test/);
    expect(c.reproduce).toContain(`curl -sv -o /dev/null --proxy ${proxies.tinyproxy} https://cert.lab.test:443/`);
    expect(r.report.diagnosis.rootCause).toContain(`cert.lab.test:443 (through the proxy ${proxies.tinyproxy} (HTTPS_PROXY)) serves CN=web.lab.test`);
    // what tinyproxy itself logged: the CONNECT came through it
    expect(readFileSync(join(lab.tmpdir, 'tinyproxy.log'), 'utf8')).toMatch(/CONNECT cert\.lab\.test:443/);
  });

  it('an intercepting proxy (mitmdump): its re-signed certificate is named as the proxy\'s, not the server\'s; with its CA in --ca-file it is trusted', async () => {
    const r = await cert(lab, ['cert.lab.test', '--ca-file', lab.files.ca], { HTTPS_PROXY: proxies.mitmdump! });
    expect(r.code).toBe(1);
    expect(r.codes).toEqual(['cert.tls.proxy-intercepted']);
    expect(chainOf(r)[0]!.issuer).toBe('O=mitmproxy,CN=mitmproxy');
    expect(r.report.diagnosis.rootCause).toContain(`Through the proxy ${proxies.mitmdump} (HTTPS_PROXY), cert.lab.test:443 presents CN=web.lab.test issued by O=mitmproxy,CN=mitmproxy`);
    expect(r.report.diagnosis.rootCause).toContain('the proxy most likely intercepts TLS');
    expect(r.report.diagnosis.remediation[0]).toContain('NO_PROXY');
    const trusted = await cert(lab, ['cert.lab.test', '--ca-file', lab.files.mitmproxyCa], { HTTPS_PROXY: proxies.mitmdump! });
    expect(trusted.code).toBe(0);
    expect(trusted.codes).toContain('cert.tls.private-ca');
    expect(trusted.codes).not.toContain('cert.tls.proxy-intercepted');
  });

  it('a proxy that refuses the CONNECT: its status line and policy page, no certificate claimed', async () => {
    const r = await cert(lab, ['cert.lab.test'], { HTTPS_PROXY: proxies.deny! });
    expect(r.code).toBe(1);
    expect(r.codes).toEqual(['cert.tls.proxy-refused']);
    const c = r.check('cert.tls');
    expect(c.summary).toBe(`via proxy ${proxies.deny} (HTTPS_PROXY): CONNECT cert.lab.test:443 answered HTTP/1.1 403 Forbidden`);
    expect(c.findings[0]!.message).toContain('Access denied by corporate policy: category "uncategorized" (rule 42)');
    expect(c.findings[0]!.message).not.toContain('<');
    expect(r.report.diagnosis.rootCause).toMatch(/^No certificate could be read from cert\.lab\.test:443: The proxy http:\/\/198\.51\.100\.\d+:3128 \(HTTPS_PROXY\) refused CONNECT/);
  });

  it('NO_PROXY excludes the host: direct, the proxy is not asked', async () => {
    const r = await cert(lab, ['cert.lab.test', '--ca-file', lab.files.ca], { HTTPS_PROXY: proxies.deny!, NO_PROXY: '.lab.test' });
    expect(r.code).toBe(0);
    expect(r.check('cert.tls').evidence).toMatchObject({ via: 'direct' });
    expect(r.check('cert.tls').evidence!.proxy).toBeUndefined();
  });
});
