import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { labPki, mintCert, LAB_SERVER_DNS, LAB_SERVER_IPS } from '../../lab/pki.ts';

const x = (pem: string) => new X509Certificate(pem);
const sans = (pem: string) => (x(pem).subjectAltName ?? '').split(', ').filter(Boolean);

describe('lab pki', () => {
  const p = labPki();

  it('is cached per process', () => {
    expect(labPki()).toBe(p);
  });

  it('server: good SANs, issued by the lab CA, currently valid', () => {
    const c = x(p.server.cert);
    const ca = x(p.ca.cert);
    expect(sans(p.server.cert)).toEqual([...LAB_SERVER_DNS.map((d) => `DNS:${d}`), ...LAB_SERVER_IPS.map((i) => `IP Address:${i}`)]);
    expect(sans(p.server.cert)).toContain('IP Address:198.51.100.10');
    expect(sans(p.server.cert)).toContain('DNS:kubernetes.default.svc');
    expect(c.checkIssued(ca)).toBe(true);
    expect(c.verify(ca.publicKey)).toBe(true);
    expect(c.ca).toBe(false);
    expect(ca.ca).toBe(true);
    expect(new Date(c.validFrom).getTime()).toBeLessThan(Date.now());
    expect(new Date(c.validTo).getTime()).toBeGreaterThan(Date.now() + 30 * 86400_000);
    expect(c.publicKey.asymmetricKeyType).toBe('rsa');
    expect(c.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(c.checkPrivateKey(createPrivateKey(p.server.key))).toBe(true);
  });

  it('variants: no IP SAN, expired, other CA, wrong name, ECDSA', () => {
    expect(sans(p.serverNoIpSan.cert).some((s) => s.startsWith('IP'))).toBe(false);
    expect(sans(p.serverNoIpSan.cert)).toContain('DNS:api.lab.test');
    expect(new Date(x(p.serverExpired.cert).validTo).getTime()).toBeLessThan(Date.now());
    expect(x(p.serverOtherCa.cert).checkIssued(x(p.otherCa.cert))).toBe(true);
    expect(x(p.serverOtherCa.cert).checkIssued(x(p.ca.cert))).toBe(false);
    expect(sans(p.serverWrongName.cert)).toEqual(['IP Address:198.51.100.99']);
    const ec = x(p.serverEcdsa.cert);
    expect(ec.publicKey.asymmetricKeyType).toBe('ec');
    expect(ec.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(ec.verify(x(p.ca.cert).publicKey)).toBe(true);
    expect(ec.checkPrivateKey(createPrivateKey(p.serverEcdsa.key))).toBe(true);
    expect(sans(p.serverEcdsa.cert)).toContain('IP Address:198.51.100.10');
  });

  it('egress proxy: CN=egress-proxy, self-signed, no SANs', () => {
    const c = x(p.egressProxy.cert);
    expect(c.subject).toBe('CN=egress-proxy');
    expect(c.issuer).toBe('CN=egress-proxy');
    expect(c.subjectAltName).toBeUndefined();
    expect(c.verify(c.publicKey)).toBe(true);
  });

  it('client: CN=lab-admin, O=system:masters, clientAuth, signed by ca', () => {
    const c = x(p.client.cert);
    expect(c.subject).toContain('CN=lab-admin');
    expect(c.subject).toContain('O=system:masters');
    expect(c.keyUsage).toContain('1.3.6.1.5.5.7.3.2');
    expect(c.checkIssued(x(p.ca.cert))).toBe(true);
  });

  it('intermediate is a CA under the lab CA', () => {
    const i = x(p.intermediate!.cert);
    expect(i.ca).toBe(true);
    expect(i.checkIssued(x(p.ca.cert))).toBe(true);
  });

  it('mintCert: Ed25519 self-signed CA issuing an ECDSA leaf with exact dates', () => {
    const root = mintCert({ cn: 'ed-root', keyType: 'ed25519', isCA: true });
    expect(x(root.cert).publicKey.asymmetricKeyType).toBe('ed25519');
    const nb = new Date('2020-01-01T00:00:00Z');
    const na = new Date('2021-06-01T12:34:56Z');
    const leaf = mintCert({ cn: 'leaf', o: 'lab', keyType: 'ecdsa', issuer: root, dns: ['a.lab.test'], ips: ['198.51.100.77'], notBefore: nb, notAfter: na });
    const c = x(leaf.cert);
    expect(c.publicKey.asymmetricKeyType).toBe('ec');
    expect(c.checkIssued(x(root.cert))).toBe(true);
    expect(c.verify(x(root.cert).publicKey)).toBe(true);
    expect(new Date(c.validFrom).getTime()).toBe(nb.getTime());
    expect(new Date(c.validTo).getTime()).toBe(na.getTime());
    expect(sans(leaf.cert)).toEqual(['DNS:a.lab.test', 'IP Address:198.51.100.77']);
  });

  it('mintCert: RSA with exact dates and an RSA issuer', () => {
    const nb = new Date('2030-01-01T00:00:00Z');
    const na = new Date('2031-01-01T00:00:00Z');
    const c = x(mintCert({ cn: 'future', issuer: p.ca, notBefore: nb, notAfter: na, ips: ['198.51.100.10'] }).cert);
    expect(new Date(c.validFrom).getTime()).toBe(nb.getTime());
    expect(new Date(c.validTo).getTime()).toBe(na.getTime());
    expect(c.issuer).toContain('CN=lab-ca');
  });
});
