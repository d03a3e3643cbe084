// cert.tls and the `cert` verdict on recorded handshakes: the chain a server (or a proxy) presented,
// minted by the lab's PKI, judged against a system store (SSL_CERT_FILE) and --ca-file of the
// test's choosing. No network: the handshake is the recorded one. Every cert.tls.* code is reached.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnoseCert } from '../../../src/checks/cert/without-cluster.ts';
import { ServedHostContext, type ServedTls } from '../../../src/checks/served-host/context.ts';
import { certTlsCheck } from '../../../src/checks/served-host/tls.ts';
import { runChecks } from '../../../src/engine/runner.ts';
import { certInfo } from '../../../src/net/x509.ts';
import { mintCert, type Pem } from '../../lab/pki.ts';

const DAY = 86_400_000;
const TODAY = Math.floor(Date.now() / DAY) * DAY;
const HOST = 'cert.lab.test';

const root = mintCert({ cn: 'tls-test-root', o: 'kubectl-netdiag unit', isCA: true, keyType: 'ecdsa' });
const intermediate = mintCert({ cn: 'tls-test-intermediate', o: 'kubectl-netdiag unit', isCA: true, keyType: 'ecdsa', issuer: root });
const leaf = (spec: Partial<Parameters<typeof mintCert>[0]> = {}) => mintCert({ cn: HOST, dns: [HOST], keyType: 'ecdsa', issuer: intermediate, ...spec });
const unrelated = mintCert({ cn: 'tls-test-unrelated-root', isCA: true, keyType: 'ecdsa' });

const dir = mkdtempSync(join(tmpdir(), 'netdiag-cert-tls-'));
function pemFile(name: string, ...pems: Pem[]): string {
  const f = join(dir, name);
  writeFileSync(f, pems.map((p) => p.cert).join(''));
  return f;
}
/** a system store that holds none of the test's roots */
const SYSTEM = pemFile('system.pem', unrelated);
const CA_FILE = pemFile('ca.pem', root);

function served(chain: Pem[], extra: Partial<ServedTls> = {}): ServedTls {
  const certificates = chain.map((p) => new X509Certificate(p.cert));
  return { ok: true, durationMs: 5, protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', servername: HOST, chain: certificates.map(certInfo), certificates, via: 'direct', ...extra };
}

async function judge(tls: ServedTls, o: { caFile?: string; system?: string } = {}) {
  const ctx = new ServedHostContext({ host: HOST, port: 443, timeoutMs: 1000, env: { SSL_CERT_FILE: o.system ?? SYSTEM }, ...(o.caFile ? { caFile: o.caFile } : {}) });
  void ctx.once('tls', async () => tls);
  const [result] = await runChecks([certTlsCheck], ctx, { defaultTimeoutMs: 5000 });
  return { result: result!, codes: result!.findings.map((f) => f.code), diagnosis: diagnoseCert([result!], ctx) };
}

describe('cert.tls: the way to the certificate', () => {
  it('no TCP connection: connect-failed; the verdict says no certificate could be read', async () => {
    const r = await judge({ ok: false, durationMs: 3, chain: [], certificates: [], via: 'direct', error: { kind: 'refused', message: 'connect ECONNREFUSED 192.0.2.1:443' } });
    expect(r.codes).toEqual(['cert.tls.connect-failed']);
    expect(r.diagnosis.rootCause).toBe(`No certificate could be read from ${HOST}:443: connect ECONNREFUSED 192.0.2.1:443.`);
  });
  it('a TLS alert: handshake-failed', async () => {
    const r = await judge({ ok: false, durationMs: 3, chain: [], certificates: [], via: 'direct', error: { kind: 'alert', message: 'the server sent TLS alert "handshake failure"' } });
    expect(r.codes).toEqual(['cert.tls.handshake-failed']);
  });
  it('the proxy refuses the CONNECT: proxy-refused with its own words', async () => {
    const proxy = { url: 'http://198.51.100.5:3128', source: 'HTTPS_PROXY' };
    const r = await judge({
      ok: false,
      durationMs: 3,
      chain: [],
      certificates: [],
      via: `proxy ${proxy.url} (HTTPS_PROXY)`,
      proxy,
      connect: { ok: false, proxy: proxy.url, target: `${HOST}:443`, durationMs: 3, statusCode: 403, statusLine: 'HTTP/1.1 403 Forbidden', body: '<html><body>Access denied by policy</body></html>', stage: 'connect' },
    });
    expect(r.codes).toEqual(['cert.tls.proxy-refused']);
    expect(r.result.summary).toBe(`via proxy ${proxy.url} (HTTPS_PROXY): CONNECT ${HOST}:443 answered HTTP/1.1 403 Forbidden`);
    expect(r.diagnosis.rootCause).toBe(`No certificate could be read from ${HOST}:443: The proxy ${proxy.url} (HTTPS_PROXY) refused CONNECT ${HOST}:443: HTTP/1.1 403 Forbidden (Access denied by policy).`);
  });
  it('through a proxy, a chain no store trusts: proxy-intercepted (not "untrusted")', async () => {
    const mitm = mintCert({ cn: 'mitmproxy', o: 'mitmproxy', isCA: true, keyType: 'ecdsa' });
    const proxy = { url: 'http://198.51.100.6:8080', source: 'HTTPS_PROXY' };
    const r = await judge(served([leaf({ issuer: mitm })], { via: `proxy ${proxy.url} (HTTPS_PROXY)`, proxy }));
    expect(r.codes).toEqual(['cert.tls.proxy-intercepted']);
    expect(r.diagnosis.rootCause).toContain('the proxy most likely intercepts TLS and re-signs the certificate with its own CA');
  });
});

describe('cert.tls: the chain', () => {
  it('leaf and intermediate, trusted by --ca-file only: private-ca (info), passes', async () => {
    const r = await judge(served([leaf(), intermediate]), { caFile: CA_FILE });
    expect(r.codes).toEqual(['cert.tls.private-ca']);
    expect(r.result.status).toBe('pass');
    expect(r.diagnosis.rootCause).toContain('the chain is trusted by --ca-file (CN=tls-test-root,O=kubectl-netdiag unit)');
    expect(r.diagnosis.rootCause).toContain('No kubeconfig resolves, so the cert-manager and ingress checks were left out.');
  });
  it('the same chain without --ca-file: untrusted', async () => {
    const r = await judge(served([leaf(), intermediate]));
    expect(r.codes).toEqual(['cert.tls.untrusted']);
  });
  it('the leaf alone, its root known, the leaf names where its issuer is (AIA): missing-intermediate, not untrusted', async () => {
    const r = await judge(served([leaf({ aia: 'http://ca.lab.test/intermediate.der' })]), { caFile: CA_FILE });
    expect(r.codes).toEqual(['cert.tls.missing-intermediate']);
    expect(r.diagnosis.rootCause).toContain('the intermediate certificate is missing from the chain');
  });
  it('issue 11 point 4: the leaf alone, signed by a private CA no store holds, no AIA (an API server): unknown authority, never "missing intermediate"', async () => {
    const r = await judge(served([leaf()]), { caFile: CA_FILE });
    expect(r.codes).toEqual(['cert.tls.untrusted']);
    expect(r.result.findings[0]!.message).toContain('signed by a private CA that no trust store here holds (an unknown authority), not missing an intermediate');
    expect(r.diagnosis.rootCause).not.toMatch(/intermediate certificate is missing/);
  });
  it('self-signed', async () => {
    const r = await judge(served([mintCert({ cn: HOST, dns: [HOST], keyType: 'ecdsa' })]), { caFile: CA_FILE });
    expect(r.codes).toEqual(['cert.tls.self-signed']);
  });
  it("an ingress controller's fake certificate: named as such, not as a name mismatch or self-signed", async () => {
    const r = await judge(served([mintCert({ cn: 'Kubernetes Ingress Controller Fake Certificate', o: 'Acme Co', dns: ['ingress.local'], keyType: 'ecdsa' })]));
    expect(r.codes).toEqual(['cert.tls.fake-certificate']);
    expect(r.diagnosis.rootCause).toContain('the default certificate ingress-nginx presents when it has no valid certificate for the name cert.lab.test');
  });
  it("Let's Encrypt staging, even when its root is trusted", async () => {
    const staging = mintCert({ cn: '(STAGING) Pretend Pear X1', o: '(STAGING) Internet Security Research Group', isCA: true, keyType: 'ecdsa' });
    const r = await judge(served([leaf({ issuer: staging })]), { caFile: pemFile('staging.pem', staging) });
    expect(r.codes).toContain('cert.tls.staging');
    expect(r.codes).not.toContain('cert.tls.letsencrypt');
  });
  it("Let's Encrypt production, trusted by the system store: letsencrypt (info)", async () => {
    const le = mintCert({ cn: 'ISRG Root X1', o: 'Internet Security Research Group', isCA: true, keyType: 'ecdsa' });
    const r = await judge(served([leaf({ issuer: le })]), { system: pemFile('system-le.pem', unrelated, le) });
    expect(r.codes).toEqual(['cert.tls.letsencrypt']);
    expect(r.result.summary).toContain('trusted (system store: CN=ISRG Root X1,O=Internet Security Research Group)');
  });
  it('--ca-file that cannot be read: ca-file-invalid', async () => {
    const r = await judge(served([leaf(), intermediate]), { caFile: join(dir, 'missing.pem') });
    expect(r.codes).toContain('cert.tls.ca-file-invalid');
  });
});

describe('cert.tls: names and validity', () => {
  it('a certificate for another name: name-mismatch', async () => {
    const r = await judge(served([leaf({ cn: 'other.lab.test', dns: ['other.lab.test'] }), intermediate]), { caFile: CA_FILE });
    expect(r.codes).toContain('cert.tls.name-mismatch');
    expect(r.result.findings.find((f) => f.code === 'cert.tls.name-mismatch')!.message).toMatch(/^The certificate does not cover cert\.lab\.test: /);
  });
  it('expired, not yet valid, expiring within 30 days', async () => {
    const expired = await judge(served([leaf({ notBefore: new Date(TODAY - 100 * DAY), notAfter: new Date(TODAY - 10 * DAY) }), intermediate]), { caFile: CA_FILE });
    expect(expired.codes).toContain('cert.tls.expired');
    expect(expired.result.summary).toMatch(/expired 1[01] days ago$/);
    const early = await judge(served([leaf({ notBefore: new Date(TODAY + 10 * DAY), notAfter: new Date(TODAY + 100 * DAY) }), intermediate]), { caFile: CA_FILE });
    expect(early.codes).toContain('cert.tls.not-yet-valid');
    const soon = await judge(served([leaf({ notBefore: new Date(TODAY - 60 * DAY), notAfter: new Date(TODAY + 10 * DAY) }), intermediate]), { caFile: CA_FILE });
    expect(soon.codes).toContain('cert.tls.expiring-soon');
    expect(soon.result.status).toBe('warn');
  });
});
