import { mkdtempSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemAnchorsFor } from '../../../src/net/trust-store.ts';
import { fakeCertController, isLetsEncrypt, isStaging } from '../../../src/checks/served-host/tls.ts';
import { certInfo } from '../../../src/net/x509.ts';
import { mintCert } from '../../lab/pki.ts';

describe('system trust anchors for a chain', () => {
  it('reads SSL_CERT_FILE and keeps only the roots that issued a presented certificate', () => {
    const root = mintCert({ cn: 'judge-root', isCA: true });
    const other = mintCert({ cn: 'judge-other-root', isCA: true });
    const leaf = mintCert({ cn: 'leaf.lab.test', dns: ['leaf.lab.test'], issuer: root });
    const dir = mkdtempSync(join(tmpdir(), 'netdiag-anchors-'));
    const bundle = join(dir, 'bundle.pem');
    writeFileSync(bundle, other.cert + root.cert);
    const a = systemAnchorsFor([new X509Certificate(leaf.cert)], { SSL_CERT_FILE: bundle });
    expect(a.source).toBe(bundle);
    expect(a.roots.map((r) => r.subject)).toEqual(['CN=judge-root']);
    expect(systemAnchorsFor([new X509Certificate(other.cert)], { SSL_CERT_FILE: bundle }).roots).toHaveLength(1);
  });
  it('falls back to the first system bundle', () => {
    const leaf = mintCert({ cn: 'x.lab.test', dns: ['x.lab.test'] });
    const a = systemAnchorsFor([new X509Certificate(leaf.cert)], {});
    expect(a.source).toMatch(/^\/etc\/|Node's bundled/);
    expect(a.roots).toEqual([]);
  });
});

describe('certificate judgements', () => {
  it('recognises the fake certificates of ingress controllers', () => {
    const nginx = certInfo(new X509Certificate(mintCert({ cn: 'Kubernetes Ingress Controller Fake Certificate', o: 'Acme Co', dns: ['ingress.local'] }).cert));
    expect(fakeCertController(nginx)).toBe('ingress-nginx');
    const traefik = certInfo(new X509Certificate(mintCert({ cn: 'TRAEFIK DEFAULT CERT' }).cert));
    expect(fakeCertController(traefik)).toBe('Traefik');
    expect(fakeCertController(certInfo(new X509Certificate(mintCert({ cn: 'web.lab.test' }).cert)))).toBeUndefined();
  });
  it("tells Let's Encrypt staging from production by the issuer", () => {
    const stagingCa = mintCert({ cn: '(STAGING) Wannabe Watercress R11', o: "(STAGING) Let's Encrypt", isCA: true });
    const s = certInfo(new X509Certificate(mintCert({ cn: 'a.lab.test', dns: ['a.lab.test'], issuer: stagingCa }).cert));
    expect(isStaging([s])).toBe(true);
    const prodCa = mintCert({ cn: 'R11', o: "Let's Encrypt", isCA: true });
    const p = certInfo(new X509Certificate(mintCert({ cn: 'a.lab.test', dns: ['a.lab.test'], issuer: prodCa }).cert));
    expect(isStaging([p])).toBe(false);
    expect(isLetsEncrypt([p])).toBe(true);
  });
});
