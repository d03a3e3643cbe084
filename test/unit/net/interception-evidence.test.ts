// Issue 12 §1: interception decided with no proxy variable, on recorded chains: the leaf lacks every
// Kubernetes API server name, a second unrelated host (--compare-host) presents the same issuer, an
// issuer names a product; "regenerated cluster CA" kept apart; and where this machine trusts the
// interceptor's CA (Linux files, macOS `security` and Windows `certutil` outputs as recorded).
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeDecision, judgeInterception, lacksKubeNames } from '../../../src/net/interception.ts';
import {
  installedCaFor,
  installedCaLinux,
  installedCaMacos,
  installedCaWindows,
  parseCertutilStore,
  sameDistinguishedName,
} from '../../../src/net/trust-store.ts';
import { certInfo, verifyChain } from '../../../src/net/x509.ts';
import { labPki, mintCert, type Pem } from '../../lab/pki.ts';

const pki = labPki();
const x = (p: Pem) => new X509Certificate(p.cert);
/** a transparent middlebox with an unnamed CA: re-signs with the dialled address only */
const boxCa = mintCert({ cn: 'Corp Inspection Root', o: 'Example Corp', isCA: true });
const boxLeaf = mintCert({ cn: '198.51.100.10', ips: ['198.51.100.10'], issuer: boxCa });
/** what the same box presents for an unrelated site */
const boxOther = mintCert({ cn: 'example.org', dns: ['example.org'], issuer: boxCa });
/** a public site's genuine chain */
const publicCa = mintCert({ cn: 'Some Public Root', isCA: true });
const publicLeaf = mintCert({ cn: 'example.org', dns: ['example.org'], issuer: publicCa });
/** a regenerated cluster: its CA has the same name as the kubeconfig's (CN=kubernetes), another key */
const oldKube = mintCert({ cn: 'kubernetes', isCA: true, notBefore: new Date(Date.UTC(2026, 0, 1)) });
const newKube = mintCert({ cn: 'kubernetes', isCA: true, notBefore: new Date(Date.UTC(2026, 1, 1)) });
const newKubeLeaf = mintCert({ cn: 'kube-apiserver', dns: ['kubernetes', 'kubernetes.default.svc'], ips: ['10.96.0.1'], issuer: newKube });

function input(presented: Pem[], caPem: Pem, extra: Partial<Parameters<typeof judgeInterception>[0]> = {}) {
  const certs = presented.map(x);
  const v = verifyChain(certs, { roots: [x(caPem)], serverName: '198.51.100.10' });
  return { chain: certs.map((c) => certInfo(c)), expected: 'the kubeconfig CA', anchoredBy: v.anchoredBy, expectedSubjects: [certInfo(x(caPem)).subject], ...extra };
}

describe('judgeInterception: evidence without a proxy (issue 12)', () => {
  it('the leaf lacks every Kubernetes API server name: intercepted, likely, and says so', () => {
    const v = judgeInterception(input([boxLeaf], pki.ca, { kubeApiServer: {} }));
    expect(v).toMatchObject({ intercepted: true, decidedBy: 'no-kube-names', confidence: 'likely' });
    expect(v.evidence.map((e) => e.kind)).toEqual(['not-anchored', 'no-kube-names']);
    expect(v.evidence[1]!.detail).toBe(
      'the certificate CN=198.51.100.10 carries none of the names every Kubernetes API server certificate has (kubernetes, kubernetes.default.svc): it names IP:198.51.100.10',
    );
    expect(describeDecision(v)).toBe('likely (the certificate is not a Kubernetes API server certificate)');
  });
  it('incident 1 with the proxy variables cleared: CN=egress-proxy, no SANs, still intercepted', () => {
    const v = judgeInterception(input([pki.egressProxy], pki.ca, { kubeApiServer: {} }));
    expect(v.intercepted).toBe(true);
    expect(v.evidence[1]!.detail).toMatch(/it has no SANs at all$/);
  });
  it('the ClusterIP counts as an API server name', () => {
    expect(lacksKubeNames(certInfo(x(boxLeaf)), '198.51.100.10')).toBe(false);
    expect(lacksKubeNames(certInfo(x(boxLeaf)), '10.96.0.1')).toBe(true);
    expect(lacksKubeNames(certInfo(x(pki.server)))).toBe(false);
  });
  it('another host presents the same issuer (--compare-host): intercepted, high', () => {
    const v = judgeInterception(input([boxLeaf], pki.ca, { compare: { host: 'example.org', chain: [certInfo(x(boxOther))] } }));
    expect(v).toMatchObject({ intercepted: true, decidedBy: 'same-issuer', confidence: 'high' });
    expect(v.evidence[1]!.detail).toBe('example.org, an unrelated host, presents a certificate from the same issuer CN=Corp Inspection Root,O=Example Corp');
    expect(describeDecision(v)).toBe('high (example.org is signed by the same issuer)');
  });
  it('another host with its own genuine issuer: no evidence from it', () => {
    const v = judgeInterception(input([boxLeaf], pki.ca, { compare: { host: 'example.org', chain: [certInfo(x(publicLeaf))] } }));
    expect(v.intercepted).toBe(false);
  });
  it('a product name outranks the rest: certain', () => {
    const mitmCa = mintCert({ cn: 'mitmproxy', o: 'mitmproxy', isCA: true });
    const leaf = mintCert({ cn: 'api', dns: ['api.lab.test'], issuer: mitmCa });
    const v = judgeInterception(input([leaf], pki.ca, { kubeApiServer: {} }));
    expect(v).toMatchObject({ intercepted: true, decidedBy: 'product', confidence: 'certain', product: 'mitmproxy' });
    expect(v.evidence.map((e) => e.kind)).toEqual(['not-anchored', 'product', 'no-kube-names']);
  });
  it('a regenerated cluster CA (same CN=kubernetes, another key) is not interception', () => {
    const v = judgeInterception(input([newKubeLeaf], oldKube, { kubeApiServer: {} }));
    expect(v).toMatchObject({ intercepted: false, regeneratedCa: true });
    expect(v.notBecause).toBe('the chain is issued by CN=kubernetes, the name of the kubeconfig CA, with another key: a regenerated cluster CA, not a middlebox');
  });
  it('a genuine API server certificate from another CA (names present, no other evidence): not interception', () => {
    expect(judgeInterception(input([pki.serverOtherCa], pki.ca, { kubeApiServer: {} })).intercepted).toBe(false);
  });
});

// ------------------------------------------------------------------ trust stores

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'netdiag-store-'));
}

describe('where the interceptor\'s CA is installed', () => {
  it('Linux: the bundle Go reads, and the admin folder file (Debian /usr/local/share/ca-certificates)', () => {
    const d = tmp();
    writeFileSync(join(d, 'ca-certificates.crt'), `${publicCa.cert}${boxCa.cert}`);
    const admin = join(d, 'usr-local-share-ca-certificates');
    mkdirSync(admin);
    writeFileSync(join(admin, 'corp-inspection.crt'), boxCa.cert);
    const env = { SSL_CERT_FILE: join(d, 'ca-certificates.crt'), SSL_CERT_DIR: join(d, 'none') };
    const got = installedCaLinux([x(boxLeaf)], env, [admin]);
    expect(got).toEqual({ subject: 'CN=Corp Inspection Root,O=Example Corp', where: `${admin}/corp-inspection.crt (in the system trust store ${join(d, 'ca-certificates.crt')})` });
    // only in the bundle (RHEL's extracted bundle, say): the bundle is named
    expect(installedCaLinux([x(boxLeaf)], env, [])?.where).toBe(`the system trust store ${join(d, 'ca-certificates.crt')}`);
    // not installed: nothing
    const other = tmp();
    writeFileSync(join(other, 'bundle.crt'), publicCa.cert);
    expect(installedCaLinux([x(boxLeaf)], { SSL_CERT_FILE: join(other, 'bundle.crt'), SSL_CERT_DIR: join(other, 'none') }, [])).toBeUndefined();
  });
  it('macOS: parsed from `security find-certificate -a -p /Library/Keychains/System.keychain`', async () => {
    const recorded = `${publicCa.cert}\n${boxCa.cert}`;
    expect(installedCaMacos([x(boxLeaf)], recorded)).toEqual({ subject: 'CN=Corp Inspection Root,O=Example Corp', where: 'the macOS System keychain (/Library/Keychains/System.keychain)' });
    expect(installedCaMacos([x(boxLeaf)], publicCa.cert)).toBeUndefined();
    const ran: string[][] = [];
    const got = await installedCaFor([x(boxLeaf)], { platform: 'darwin', env: {}, run: async (argv) => (ran.push([...argv]), recorded) });
    expect(ran).toEqual([['security', 'find-certificate', '-a', '-p', '/Library/Keychains/System.keychain']]);
    expect(got?.where).toMatch(/System keychain/);
  });
  it('Windows: parsed from `certutil -store Root`, by thumbprint or by the issuer name', async () => {
    const thumb = x(boxCa).fingerprint.replace(/:/g, '').toLowerCase();
    const recorded = [
      'Root "Trusted Root Certification Authorities"',
      '================ Certificate 0 ================',
      'Serial Number: 79ad16a14aa0a5ad4c7358f407132e65',
      'Issuer: CN=Some Public Root',
      ' NotBefore: 5/10/2001 4:19 PM',
      'Subject: CN=Some Public Root',
      'Cert Hash(sha1): cdd4eeae6000ac7f40c3802c171e30148030c072',
      '================ Certificate 1 ================',
      'Serial Number: 01',
      'Issuer: CN=Corp Inspection Root, O=Example Corp',
      'Subject: CN=Corp Inspection Root, O=Example Corp',
      `Cert Hash(sha1): ${thumb}`,
      'CertUtil: -store command completed successfully.',
    ].join('\r\n');
    expect(parseCertutilStore(recorded)).toEqual([
      { subject: 'CN=Some Public Root', sha1: 'cdd4eeae6000ac7f40c3802c171e30148030c072' },
      { subject: 'CN=Corp Inspection Root, O=Example Corp', sha1: thumb },
    ]);
    // the leaf alone: found by the issuer's name
    expect(installedCaWindows([x(boxLeaf)], recorded)).toEqual({ subject: 'CN=Corp Inspection Root, O=Example Corp', where: 'the Windows Root store (certutil -store Root)' });
    // the CA presented too: found by thumbprint
    expect(installedCaWindows([x(boxLeaf), x(boxCa)], recorded.replace('Subject: CN=Corp Inspection Root, O=Example Corp', 'Subject: CN=renamed'))?.subject).toBe('CN=renamed');
    expect(installedCaWindows([x(pki.server)], recorded)).toBeUndefined();
    expect(sameDistinguishedName('CN=a, OU=b, S=California', 'CN=a,OU=b,ST=California')).toBe(true);
    const got = await installedCaFor([x(boxLeaf)], { platform: 'win32', env: {}, run: async () => undefined });
    expect(got).toBeUndefined(); // the command failed: nothing said
  });
});
