// cert.tls on recorded handshakes (issue 12 §1, issue 11 point 4): a transparent middlebox (no
// proxy) is named, with the trust store that holds its CA; the kubeconfig's API server is verified
// against the kubeconfig CA, as api and kubectl do; a regenerated cluster CA said in plain words.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/engine/runner.ts';
import { ServedHostContext, type ServedTls } from '../../../src/checks/served-host/context.ts';
import { HostClusterContext } from '../../../src/checks/served-host/cluster-context.ts';
import { certTlsCheck } from '../../../src/checks/served-host/tls.ts';
import { certInfo } from '../../../src/net/x509.ts';
import { Redactor } from '../../../src/report/redact.ts';
import { labPki, mintCert, type Pem } from '../../lab/pki.ts';

const pki = labPki();
const x = (p: Pem) => new X509Certificate(p.cert);
const zCa = mintCert({ cn: 'Zscaler Root CA', o: 'Zscaler Inc.', isCA: true });
const zLeaf = mintCert({ cn: 'cert.lab.test', dns: ['cert.lab.test'], issuer: zCa });

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'netdiag-cert-icpt-'));
}
function recorded(presented: Pem[], host = 'cert.lab.test'): ServedTls {
  const certificates = presented.map(x);
  return { ok: true, durationMs: 3, servername: host, protocol: 'TLSv1.3', chain: certificates.map((c) => certInfo(c)), certificates, via: 'direct' };
}
async function run(ctx: ServedHostContext, tls: ServedTls) {
  void ctx.once('tls', async () => tls);
  const [r] = await runChecks([certTlsCheck], ctx, { defaultTimeoutMs: 5000 });
  return { r: r!, codes: r!.findings.map((f) => f.code) };
}

describe('cert.tls: a transparent middlebox (no proxy variable)', () => {
  it("the system store trusts it only because the interceptor's CA is installed: cert.tls.intercepted names the product and the file", async () => {
    const d = tmp();
    writeFileSync(join(d, 'bundle.crt'), zCa.cert);
    const ctx = new ServedHostContext({ host: 'cert.lab.test', port: 443, timeoutMs: 1000, env: { SSL_CERT_FILE: join(d, 'bundle.crt'), SSL_CERT_DIR: join(d, 'none') } });
    const { r, codes } = await run(ctx, recorded([zLeaf]));
    expect(codes).toEqual(['cert.tls.intercepted']);
    const f = r.findings[0]!;
    expect(f.severity).toBe('warn');
    expect(f.message).toContain('issued by CN=Zscaler Root CA,O=Zscaler Inc. (Zscaler): a middlebox on the path intercepts TLS without any proxy setting');
    expect(f.message).toContain(`Its CA CN=Zscaler Root CA,O=Zscaler Inc. is installed in the system trust store ${join(d, 'bundle.crt')}: that is why curl and browsers on this machine work`);
    expect(r.summary).toContain('intercepted by a middlebox');
  });
  it('not trusted anywhere, the issuer names the product: cert.tls.intercepted, a failure', async () => {
    const d = tmp();
    writeFileSync(join(d, 'bundle.crt'), pki.otherCa.cert);
    const ctx = new ServedHostContext({ host: 'cert.lab.test', port: 443, timeoutMs: 1000, env: { SSL_CERT_FILE: join(d, 'bundle.crt'), SSL_CERT_DIR: join(d, 'none') } });
    const { r, codes } = await run(ctx, recorded([zLeaf]));
    expect(codes).toEqual(['cert.tls.intercepted']);
    expect(r.findings[0]!.severity).toBe('fail');
    expect(r.findings[0]!.message).not.toContain('is installed in');
  });
});

function kubeconfigFor(server: string, ca: Pem): { file: string; dir: string } {
  const dir = tmp();
  const file = join(dir, 'config');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{name: lab, cluster: {server: "${server}", certificate-authority-data: ${Buffer.from(ca.cert).toString('base64')}}}]
users: [{name: u, user: {token: abcdefgh12345678}}]
contexts: [{name: lab, context: {cluster: lab, user: u}}]
current-context: lab
`,
  );
  return { file, dir };
}
function clusterCtx(server: string, ca: Pem, host: string, port: number): HostClusterContext {
  const { file, dir } = kubeconfigFor(server, ca);
  const store = tmp();
  writeFileSync(join(store, 'bundle.crt'), mintCert({ cn: 'some-public-root', isCA: true }).cert);
  return new HostClusterContext({
    host,
    port,
    timeoutMs: 1000,
    requestTimeoutMs: 1000,
    env: { SSL_CERT_FILE: join(store, 'bundle.crt'), SSL_CERT_DIR: join(store, 'none') },
    kubeconfig: { kubeconfig: file, env: {}, homeDir: dir },
    redactor: new Redactor(),
  });
}

describe("cert.tls against the kubeconfig's API server (issue 11 point 4)", () => {
  it('verified against the kubeconfig CA, as kubectl does: cert.tls.kubeconfig-ca (info), the check passes', async () => {
    const ctx = clusterCtx('https://198.51.100.10:6443', pki.ca, '198.51.100.10', 6443);
    const { r, codes } = await run(ctx, recorded([pki.server], '198.51.100.10'));
    expect(codes).toEqual(['cert.tls.kubeconfig-ca']);
    expect(r.status).toBe('pass');
    expect(r.findings[0]!.message).toContain("198.51.100.10:6443 is the kubeconfig's API server (https://198.51.100.10:6443): its chain is verified against the kubeconfig CA (CN=lab-ca");
    expect(r.summary).toContain('trusted (kubeconfig CA: CN=lab-ca');
  });
  it('another host: the kubeconfig CA is not used, the private root is an unknown authority, never a missing intermediate', async () => {
    const ctx = clusterCtx('https://198.51.100.10:6443', pki.ca, '198.51.100.11', 6443);
    const { codes } = await run(ctx, recorded([pki.server], '198.51.100.11'));
    expect(codes).toEqual(['cert.tls.untrusted']);
  });
  it('a regenerated cluster CA (same CN=kubernetes, another key): untrusted, said in plain words, not interception', async () => {
    const oldKube = mintCert({ cn: 'kubernetes', isCA: true, notBefore: new Date(Date.UTC(2026, 0, 1)) });
    const newKube = mintCert({ cn: 'kubernetes', isCA: true, notBefore: new Date(Date.UTC(2026, 1, 1)) });
    const leaf = mintCert({ cn: 'kube-apiserver', dns: ['kubernetes', 'kubernetes.default.svc'], ips: ['198.51.100.10'], issuer: newKube });
    const ctx = clusterCtx('https://198.51.100.10:6443', oldKube, '198.51.100.10', 6443);
    const { r, codes } = await run(ctx, recorded([leaf], '198.51.100.10'));
    expect(codes).toEqual(['cert.tls.untrusted']);
    expect(r.findings[0]!.message).toContain('the cluster CA was regenerated, and the kubeconfig holds the old one');
  });
  it('a middlebox in front of the API server (a leaf without the Kubernetes names, no proxy): cert.tls.intercepted', async () => {
    const ctx = clusterCtx('https://198.51.100.10:6443', pki.ca, '198.51.100.10', 6443);
    const { r, codes } = await run(ctx, recorded([pki.egressProxy], '198.51.100.10'));
    expect(codes[0]).toBe('cert.tls.intercepted');
    expect(r.findings[0]!.message).toContain('carries none of the names every Kubernetes API server certificate has');
  });
});
