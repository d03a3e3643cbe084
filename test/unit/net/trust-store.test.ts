import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CERT_DIRECTORIES, CERT_FILES, prefetchSystemStore, readsLinksElsewhere, systemAnchorsFor, trustStoreSources } from '../../../src/net/trust-store.ts';
import { verifyChain } from '../../../src/net/x509.ts';
import { mintCert } from '../../lab/pki.ts';

const x = (pem: string) => new X509Certificate(pem);

// roots and leaves minted by the lab PKI (cached on disk, the same in every worker)
const rootA = mintCert({ cn: 'trust-store-root-a', o: 'netdiag tests', isCA: true });
const rootB = mintCert({ cn: 'trust-store-root-b', o: 'netdiag tests', isCA: true });
const rootC = mintCert({ cn: 'trust-store-root-c', o: 'netdiag tests', isCA: true });
const leafA = mintCert({ cn: 'a.lab.test', dns: ['a.lab.test'], issuer: rootA });
const leafB = mintCert({ cn: 'b.lab.test', dns: ['b.lab.test'], issuer: rootB });
const leafC = mintCert({ cn: 'c.lab.test', dns: ['c.lab.test'], issuer: rootC });

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'netdiag-trust-store-'));
}

/** A CA directory as update-ca-certificates and people leave it: PEM files, hash links, a link elsewhere, noise. */
function caDirectory(): { dir: string; elsewhere: string } {
  const dir = tmp();
  writeFileSync(join(dir, 'root-a.pem'), rootA.cert);
  symlinkSync('root-a.pem', join(dir, 'abcd1234.0')); // a hash link into the same directory: not read twice
  writeFileSync(join(dir, 'README'), 'not a certificate\n');
  mkdirSync(join(dir, 'java'));
  const other = tmp();
  const elsewhere = join(other, 'root-b.crt');
  writeFileSync(elsewhere, rootB.cert);
  symlinkSync(elsewhere, join(dir, 'root-b.pem'));
  return { dir, elsewhere };
}

describe('trust store: where it is read (Go crypto/x509 on Linux)', () => {
  it('SSL_CERT_FILE replaces the list of bundles; SSL_CERT_DIR (colon-separated) the directories', () => {
    expect(trustStoreSources({})).toEqual({ files: CERT_FILES, directories: CERT_DIRECTORIES });
    expect(CERT_FILES[0]).toBe('/etc/ssl/certs/ca-certificates.crt');
    expect(CERT_DIRECTORIES).toEqual(['/etc/ssl/certs', '/etc/pki/tls/certs']);
    expect(trustStoreSources({ SSL_CERT_FILE: '/x.pem', SSL_CERT_DIR: '/a:/b:' })).toEqual({ files: ['/x.pem'], directories: ['/a', '/b'] });
  });
});

describe('trust store: which links of a CA directory are read', () => {
  it('skips the links update-ca-certificates made in a default directory beside a default bundle, however the directory is named', () => {
    expect(readsLinksElsewhere('/etc/ssl/certs', '/etc/ssl/certs/ca-certificates.crt')).toBe(false);
    expect(readsLinksElsewhere('/etc/ssl/certs/', '/etc/ssl/certs/ca-certificates.crt')).toBe(false); // SSL_CERT_DIR=/etc/ssl/certs/
    expect(readsLinksElsewhere('/etc/pki/tls/certs', '/etc/pki/tls/certs/ca-bundle.crt')).toBe(false);
  });
  it('reads them in any other directory, or beside a bundle named by SSL_CERT_FILE outside the defaults (Go reads every file)', () => {
    expect(readsLinksElsewhere('/opt/cas', '/etc/ssl/certs/ca-certificates.crt')).toBe(true);
    expect(readsLinksElsewhere('/etc/ssl/certs', '/home/me/corp-bundle.pem')).toBe(true);
    expect(readsLinksElsewhere('/etc/ssl/certs', '')).toBe(true); // no bundle read at all
  });
});

describe('trust store: the roots that can anchor a chain', () => {
  it('reads the bundle file and keeps only the roots that issued a presented certificate', () => {
    const dir = tmp();
    const bundle = join(dir, 'bundle.pem');
    writeFileSync(bundle, rootB.cert + rootA.cert + rootC.cert);
    const empty = tmp();
    const a = systemAnchorsFor([x(leafA.cert)], { SSL_CERT_FILE: bundle, SSL_CERT_DIR: empty });
    expect(a.source).toBe(bundle);
    expect(a.roots.map((r) => r.fingerprint256)).toEqual([x(rootA.cert).fingerprint256]);
    expect(a.files).toEqual([bundle]);
    const both = systemAnchorsFor([x(leafA.cert), x(leafC.cert)], { SSL_CERT_FILE: bundle, SSL_CERT_DIR: empty });
    expect(both.roots.map((r) => r.fingerprint256).sort()).toEqual([x(rootA.cert), x(rootC.cert)].map((r) => r.fingerprint256).sort());
  });

  it('parses a directory of PEM files (SSL_CERT_DIR): one file per root, hash links and noise skipped', () => {
    const { dir, elsewhere } = caDirectory();
    const env = { SSL_CERT_FILE: join(dir, 'no-such-bundle.pem'), SSL_CERT_DIR: dir };
    const a = systemAnchorsFor([x(leafA.cert)], env);
    expect(a.roots.map((r) => r.fingerprint256)).toEqual([x(rootA.cert).fingerprint256]); // once, not twice through abcd1234.0
    expect(a.files).toEqual([join(dir, 'root-a.pem')]);
    expect(a.source).toBe(dir);
    const b = systemAnchorsFor([x(leafB.cert)], env);
    expect(b.roots.map((r) => r.fingerprint256)).toEqual([x(rootB.cert).fingerprint256]);
    expect(b.files).toEqual([join(dir, 'root-b.pem')]);
    expect(elsewhere).toMatch(/root-b\.crt$/);
    expect(systemAnchorsFor([x(leafC.cert)], env).roots).toEqual([]);
  });

  it('reads every directory of SSL_CERT_DIR, and the directories when the bundle lacks the issuer', () => {
    const d1 = tmp();
    const d2 = tmp();
    writeFileSync(join(d2, 'c.pem'), rootC.cert);
    const bundleDir = tmp();
    const bundle = join(bundleDir, 'bundle.pem');
    writeFileSync(bundle, rootA.cert);
    const c = systemAnchorsFor([x(leafC.cert)], { SSL_CERT_FILE: bundle, SSL_CERT_DIR: `${d1}:${d2}` });
    expect(c.roots.map((r) => r.fingerprint256)).toEqual([x(rootC.cert).fingerprint256]);
    expect(c.files).toEqual([join(d2, 'c.pem')]);
    expect(c.source).toBe(bundle);
  });

  it('reads the store once per environment while a handshake is in flight (prefetchSystemStore), with the same anchors', async () => {
    const { dir } = caDirectory();
    const bundleDir = tmp();
    const bundle = join(bundleDir, 'bundle.pem');
    writeFileSync(bundle, rootC.cert);
    const env = { SSL_CERT_FILE: bundle, SSL_CERT_DIR: dir };
    prefetchSystemStore(env);
    await new Promise((r) => setImmediate(r));
    // read before the change below: the prefetched store is what this run sees
    writeFileSync(bundle, rootA.cert + rootC.cert);
    const c = systemAnchorsFor([x(leafC.cert)], env);
    expect(c.roots.map((r) => r.fingerprint256)).toEqual([x(rootC.cert).fingerprint256]);
    expect(c.files).toEqual([bundle]);
    // the bundle as it was read does not hold root A; the directory does
    expect(systemAnchorsFor([x(leafA.cert)], env).files).toEqual([join(dir, 'root-a.pem')]);
    // another environment object reads the files again
    expect(systemAnchorsFor([x(leafA.cert)], { ...env }).files).toEqual([bundle]);
  });

  it('verifyChain with the system roots uses the same store', () => {
    const { dir } = caDirectory();
    const env = { SSL_CERT_FILE: join(dir, 'none.pem'), SSL_CERT_DIR: dir };
    const ok = verifyChain([x(leafA.cert)], { roots: 'system', env, serverName: 'a.lab.test' });
    expect(ok.trusted).toBe(true);
    expect(ok.anchoredBy).toMatch(/trust-store-root-a/);
    const no = verifyChain([x(leafC.cert)], { roots: 'system', env, serverName: 'c.lab.test' });
    expect(no.trusted).toBe(false);
    expect(no.goError).toBe('x509: certificate signed by unknown authority');
  });
});
