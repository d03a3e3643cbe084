import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certInfo, parsePemBundle, verifyChain, type CertInfo } from '../../../src/net/x509.ts';
import { mintCert, type Pem } from '../../lab/pki.ts';

const DAY = 86_400_000;
const x = (p: Pem) => new X509Certificate(p.cert);
const FIXED_NOW = new Date('2026-11-22T10:00:00Z');

// A small PKI, minted once (lab/pki.ts caches on disk for a day).
const ca = mintCert({ cn: 'x509-test-ca', o: 'netdiag tests', isCA: true });
const otherCa = mintCert({ cn: 'x509-other-ca', isCA: true });
const intermediate = mintCert({ cn: 'x509-test-intermediate', o: 'netdiag tests', isCA: true, issuer: ca });
const viaIntermediate = mintCert({ cn: 'kube-apiserver', dns: ['kubernetes', 'api.lab.test'], ips: ['10.77.0.1', '127.0.0.1'], issuer: intermediate });
const direct = mintCert({ cn: 'kube-apiserver', o: 'kubeadm', dns: ['kubernetes', 'kubernetes.default.svc', 'api.lab.test'], ips: ['10.77.0.1', '127.0.0.1', '2001:db8::1'], issuer: ca });
const noIpSan = mintCert({ cn: 'kube-apiserver', dns: ['kubernetes', 'api.lab.test'], issuer: ca });
const wildcard = mintCert({ cn: 'apps', dns: ['*.apps.lab.test'], issuer: ca });
const cnOnly = mintCert({ cn: 'api.lab.test', issuer: ca });
const otherSigned = mintCert({ cn: 'kube-apiserver', dns: ['api.lab.test'], ips: ['10.77.0.1'], issuer: otherCa });
const egressProxy = mintCert({ cn: 'egress-proxy' });
const expired = mintCert({
  cn: 'kube-apiserver',
  ips: ['10.77.0.1'],
  issuer: ca,
  notBefore: new Date('2024-01-01T00:00:00Z'),
  notAfter: new Date('2025-01-01T00:00:00Z'),
});
const future = mintCert({
  cn: 'kube-apiserver',
  ips: ['10.77.0.1'],
  issuer: ca,
  notBefore: new Date('2030-01-01T00:00:00Z'),
  notAfter: new Date('2031-01-01T00:00:00Z'),
});
const soon = mintCert({ cn: 'kube-apiserver', ips: ['10.77.0.1'], issuer: ca, notBefore: new Date(Date.now() - 300 * DAY), notAfter: new Date(Date.now() + 10 * DAY) });

describe('certInfo', () => {
  it('describes an RSA leaf', () => {
    const i = certInfo(x(direct));
    expect(i.subject).toBe('CN=kube-apiserver,O=kubeadm');
    expect(i.issuer).toBe('CN=x509-test-ca,O=netdiag tests');
    expect(i.sans).toEqual(['DNS:kubernetes', 'DNS:kubernetes.default.svc', 'DNS:api.lab.test', 'IP:10.77.0.1', 'IP:127.0.0.1', 'IP:2001:db8::1']);
    expect(i.dnsNames).toEqual(['kubernetes', 'kubernetes.default.svc', 'api.lab.test']);
    expect(i.ipAddresses).toEqual(['10.77.0.1', '127.0.0.1', '2001:db8::1']);
    expect(i.keyType).toBe('RSA 2048');
    expect(i.signatureAlgorithm).toBe('sha256WithRSAEncryption');
    expect(i.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(i.serialNumber).toMatch(/^[0-9A-F]+$/);
    expect(i.notBefore).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(i.isCA).toBe(false);
    expect(i.selfSigned).toBe(false);
    expect(i.extKeyUsage).toEqual(['serverAuth']);
  });

  it('describes ECDSA and Ed25519 certificates', () => {
    const ec = certInfo(x(mintCert({ cn: 'ec-self', keyType: 'ecdsa', dns: ['ec.lab.test'] })));
    expect(ec.keyType).toBe('ECDSA P-256');
    expect(ec.signatureAlgorithm).toBe('ecdsa-with-SHA256');
    expect(ec.selfSigned).toBe(true);
    expect(ec.sans).toEqual(['DNS:ec.lab.test']);
    const ed = certInfo(x(mintCert({ cn: 'ed-self', keyType: 'ed25519', ips: ['127.0.0.1'] })));
    expect(ed.keyType).toBe('Ed25519');
    expect(ed.signatureAlgorithm).toBe('Ed25519');
    expect(ed.ipAddresses).toEqual(['127.0.0.1']);
    const ecUnderRsa = certInfo(x(mintCert({ cn: 'ec-leaf', keyType: 'ecdsa', dns: ['x'], issuer: ca })));
    expect(ecUnderRsa.keyType).toBe('ECDSA P-256');
    expect(ecUnderRsa.signatureAlgorithm).toBe('sha256WithRSAEncryption');
  });

  it('marks CAs and self-signed certificates', () => {
    const i = certInfo(x(ca));
    expect(i.isCA).toBe(true);
    expect(i.selfSigned).toBe(true);
    expect(certInfo(x(egressProxy))).toMatchObject({ subject: 'CN=egress-proxy', issuer: 'CN=egress-proxy', sans: [], selfSigned: true, isCA: false });
  });
});

describe('parsePemBundle', () => {
  it('parses every certificate of a bundle', () => {
    const certs = parsePemBundle(viaIntermediate.cert + '\n' + intermediate.cert + ca.cert);
    expect(certs.map((c) => certInfo(c).subject)).toEqual(['CN=kube-apiserver', 'CN=x509-test-intermediate,O=netdiag tests', 'CN=x509-test-ca,O=netdiag tests']);
  });
  it('accepts base64 of a PEM (kubeconfig certificate-authority-data)', () => {
    expect(parsePemBundle(Buffer.from(ca.cert).toString('base64'))).toHaveLength(1);
  });
  it('throws clear errors', () => {
    expect(() => parsePemBundle('hello world')).toThrow(/no PEM certificate found/);
    expect(() => parsePemBundle(ca.key)).toThrow(/private key, not a certificate/);
    expect(() => parsePemBundle('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow(/certificate 1 of 1 .* cannot be parsed/);
  });
});

describe('verifyChain', () => {
  it('trusts a good chain with an intermediate', () => {
    const r = verifyChain([x(viaIntermediate), x(intermediate)], { roots: [x(ca)], serverName: 'api.lab.test' });
    expect(r.goError).toBeUndefined();
    expect(r.trusted).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.chain.map((c) => c.subject)).toEqual(['CN=kube-apiserver', 'CN=x509-test-intermediate,O=netdiag tests', 'CN=x509-test-ca,O=netdiag tests']);
    expect(r.anchoredBy).toBe('CN=x509-test-ca,O=netdiag tests');
  });

  it('trusts a direct chain by IP, and a presented root that equals a trusted one', () => {
    expect(verifyChain([x(direct)], { roots: [x(ca)], serverName: '10.77.0.1' }).trusted).toBe(true);
    expect(verifyChain([x(direct), x(ca)], { roots: [x(ca)], serverName: '127.0.0.1' }).trusted).toBe(true);
    expect(verifyChain([x(direct)], { roots: [x(ca)], serverName: '[2001:db8::1]' }).trusted).toBe(true);
  });

  it('trusts a self-signed leaf that is itself the root', () => {
    const r = verifyChain([x(egressProxy)], { roots: [x(egressProxy)], serverName: '' });
    expect(r.trusted).toBe(true);
    expect(r.anchoredBy).toBe('CN=egress-proxy');
  });

  it('unknown authority', () => {
    const r = verifyChain([x(otherSigned)], { roots: [x(ca)], serverName: 'api.lab.test' });
    expect(r.trusted).toBe(false);
    expect(r.goError).toBe('x509: certificate signed by unknown authority');
    expect(r.problems.map((p) => p.kind)).toEqual(['unknown-authority']);
    expect(r.anchoredBy).toBeUndefined();
  });

  it('unknown authority when the intermediate is not sent', () => {
    const r = verifyChain([x(viaIntermediate)], { roots: [x(ca)], serverName: 'api.lab.test' });
    expect(r.goError).toBe('x509: certificate signed by unknown authority');
    expect(r.problems[0].message).toMatch(/issued by CN=x509-test-intermediate,O=netdiag tests, which is neither presented/);
  });

  it('unknown authority with Go\'s hint when a root has the right name but another key', () => {
    // same subject as `ca`, different key (a regenerated CA)
    const regenerated = mintCert({ cn: 'x509-test-ca', o: 'netdiag tests', isCA: true, notBefore: new Date(Date.now() - 5 * DAY) });
    const r = verifyChain([x(direct)], { roots: [x(regenerated)], serverName: 'api.lab.test' });
    expect(r.goError).toBe(
      'x509: certificate signed by unknown authority (possibly because of "crypto/rsa: verification error" while trying to verify candidate authority certificate "x509-test-ca")',
    );
    expect(r.problems[0].message).toMatch(/regenerated/);
  });

  it('expired leaf: Go checks validity first, exact wording', () => {
    const r = verifyChain([x(expired)], { roots: [x(otherCa)], serverName: '10.77.0.5', now: FIXED_NOW });
    expect(r.goError).toBe('x509: certificate has expired or is not yet valid: current time 2026-11-22T10:00:00Z is after 2025-01-01T00:00:00Z');
    expect(r.trusted).toBe(false);
    expect(r.problems.map((p) => p.kind)).toEqual(['expired', 'name-mismatch', 'unknown-authority']);
  });

  it('not-yet-valid leaf', () => {
    const r = verifyChain([x(future)], { roots: [x(ca)], serverName: '10.77.0.1', now: FIXED_NOW });
    expect(r.goError).toBe('x509: certificate has expired or is not yet valid: current time 2026-11-22T10:00:00Z is before 2030-01-01T00:00:00Z');
    expect(r.problems[0].kind).toBe('not-yet-valid');
  });

  it('expired intermediate: Go returns the validity error of the candidate', () => {
    const oldInt = mintCert({
      cn: 'x509-old-intermediate',
      isCA: true,
      issuer: ca,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2021-01-01T00:00:00Z'),
    });
    const leaf = mintCert({ cn: 'leaf', dns: ['api.lab.test'], issuer: oldInt });
    const r = verifyChain([x(leaf), x(oldInt)], { roots: [x(ca)], serverName: 'api.lab.test' });
    expect(r.trusted).toBe(false);
    expect(r.goError).toMatch(/^x509: certificate has expired or is not yet valid: current time .* is after 2021-01-01T00:00:00Z$/);
    expect(r.problems.find((p) => p.kind === 'expired')?.certificate).toBe('CN=x509-old-intermediate');
  });

  it('IP URL and a certificate without IP SANs (kubectl\'s exact error)', () => {
    const r = verifyChain([x(noIpSan)], { roots: [x(ca)], serverName: '198.51.100.10' });
    expect(r.goError).toBe("x509: cannot validate certificate for 198.51.100.10 because it doesn't contain any IP SANs");
    expect(r.problems.map((p) => p.kind)).toEqual(['no-ip-san']);
  });

  it('incident 1: the egress proxy certificate (no SANs at all, self-signed)', () => {
    const r = verifyChain([x(egressProxy)], { roots: [x(ca)], serverName: '193.164.155.89' });
    expect(r.goError).toBe("x509: cannot validate certificate for 193.164.155.89 because it doesn't contain any IP SANs");
    expect(r.problems.map((p) => p.kind)).toEqual(['no-ip-san', 'unknown-authority']);
    expect(r.chain.map((c) => c.subject)).toEqual(['CN=egress-proxy']);
  });

  it('IP mismatch lists the IP SANs', () => {
    const r = verifyChain([x(viaIntermediate), x(intermediate)], { roots: [x(ca)], serverName: '10.77.0.5' });
    expect(r.goError).toBe('x509: certificate is valid for 10.77.0.1, 127.0.0.1, not 10.77.0.5');
    expect(r.problems).toEqual([{ kind: 'name-mismatch', message: 'the certificate is valid for 10.77.0.1, 127.0.0.1, not 10.77.0.5' }]);
  });

  it('DNS mismatch lists the DNS SANs', () => {
    const r = verifyChain([x(direct)], { roots: [x(ca)], serverName: 'api.other.test' });
    expect(r.goError).toBe('x509: certificate is valid for kubernetes, kubernetes.default.svc, api.lab.test, not api.other.test');
    expect(r.problems[0].kind).toBe('name-mismatch');
  });

  it('wildcards match one left-most label only', () => {
    const ok = verifyChain([x(wildcard)], { roots: [x(ca)], serverName: 'console.apps.lab.test' });
    expect(ok.trusted).toBe(true);
    expect(verifyChain([x(wildcard)], { roots: [x(ca)], serverName: 'CONSOLE.Apps.lab.test.' }).trusted).toBe(true);
    expect(verifyChain([x(wildcard)], { roots: [x(ca)], serverName: 'apps.lab.test' }).goError).toBe('x509: certificate is valid for *.apps.lab.test, not apps.lab.test');
    expect(verifyChain([x(wildcard)], { roots: [x(ca)], serverName: 'a.b.apps.lab.test' }).trusted).toBe(false);
  });

  it('legacy Common Name only', () => {
    const r = verifyChain([x(cnOnly)], { roots: [x(ca)], serverName: 'api.lab.test' });
    expect(r.goError).toBe('x509: certificate relies on legacy Common Name field, use SANs instead');
    expect(r.problems.map((p) => p.kind)).toEqual(['legacy-cn-only']);
    // a CN that does not match: Go's other wording
    expect(verifyChain([x(cnOnly)], { roots: [x(ca)], serverName: 'other.lab.test' }).goError).toBe(
      'x509: certificate is not valid for any names, but wanted to match other.lab.test',
    );
  });

  it('expiring soon is a problem but not a failure', () => {
    const r = verifyChain([x(soon)], { roots: [x(ca)], serverName: '10.77.0.1' });
    expect(r.trusted).toBe(true);
    expect(r.goError).toBeUndefined();
    expect(r.problems.map((p) => p.kind)).toEqual(['expiring-soon']);
    expect(r.problems[0].message).toMatch(/in (9|10) days/);
    expect(verifyChain([x(soon)], { roots: [x(ca)], serverName: '10.77.0.1', expiringSoonDays: 5 }).problems).toEqual([]);
  });

  it('rejects a leaf whose EKU does not allow serverAuth', () => {
    const client = mintCert({ cn: 'client', dns: ['api.lab.test'], clientAuth: true, issuer: ca });
    const r = verifyChain([x(client)], { roots: [x(ca)], serverName: 'api.lab.test' });
    expect(r.goError).toBe('x509: certificate specifies an incompatible key usage');
    expect(r.problems.map((p) => p.kind)).toEqual(['incompatible-usage']);
  });

  it('verifies ECDSA and Ed25519 chains', () => {
    const ecCa = mintCert({ cn: 'ec-ca', isCA: true, keyType: 'ecdsa' });
    const ecLeaf = mintCert({ cn: 'ec-leaf', dns: ['api.lab.test'], keyType: 'ecdsa', issuer: ecCa });
    expect(verifyChain([x(ecLeaf)], { roots: [x(ecCa)], serverName: 'api.lab.test' }).trusted).toBe(true);
    const edCa = mintCert({ cn: 'ed-ca', isCA: true, keyType: 'ed25519' });
    const edLeaf = mintCert({ cn: 'ed-leaf', ips: ['127.0.0.1'], keyType: 'ed25519', issuer: edCa });
    const r = verifyChain([x(edLeaf)], { roots: [x(edCa)], serverName: '127.0.0.1' });
    expect(r.trusted).toBe(true);
    expect(r.chain.map((c) => c.keyType)).toEqual(['Ed25519', 'Ed25519']);
  });

  it('uses the system roots on request (a private CA is not among them)', () => {
    const r = verifyChain([x(direct)], { roots: 'system', serverName: 'api.lab.test' });
    expect(r.goError).toBe('x509: certificate signed by unknown authority');
  });
});

