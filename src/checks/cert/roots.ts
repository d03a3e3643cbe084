// The system trust anchors that can matter for one presented chain, found fast: Go on Linux
// reads the first CA bundle file that exists (SSL_CERT_FILE first); we read the same file and
// keep only the roots whose subject is the issuer of a presented certificate. Parsing every
// root of the store (hundreds of X509Certificate objects) would cost more than the handshake.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { children, readTlv } from '../../net/der.ts';

/** Go's crypto/x509 certFiles for Linux, in order. */
const BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/tls/cacert.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

function rawName(der: Uint8Array, which: 'issuer' | 'subject'): string | undefined {
  try {
    const cert = readTlv(der, 0);
    const tbs = readTlv(der, cert.body, cert.end);
    const t = children(der, tbs);
    let i = t[0] && t[0].cls === 2 && t[0].tag === 0 ? 1 : 0;
    i += 2; // serial, signature algorithm
    const issuer = t[i];
    const subject = t[i + 2];
    const n = which === 'issuer' ? issuer : subject;
    return n ? Buffer.from(der.subarray(n.start, n.end)).toString('hex') : undefined;
  } catch {
    return undefined;
  }
}

export interface Anchors {
  roots: X509Certificate[];
  source: string;
}

export function systemAnchorsFor(presented: X509Certificate[], env: Record<string, string | undefined>): Anchors {
  const wanted = new Set<string>();
  for (const c of presented) {
    const n = rawName(c.raw, 'issuer');
    if (n) wanted.add(n);
  }
  let text: string | undefined;
  let source = '';
  for (const f of [env.SSL_CERT_FILE, ...BUNDLES].filter((x): x is string => !!x)) {
    try {
      text = readFileSync(f, 'latin1');
      source = f;
      break;
    } catch {
      // next
    }
  }
  const pems: string[] = text ? [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => m[1]!) : [];
  if (!text) {
    source = "Node's bundled Mozilla roots";
    for (const p of tls.rootCertificates) pems.push(p.replace(/-----(BEGIN|END) CERTIFICATE-----/g, ''));
  }
  const roots: X509Certificate[] = [];
  for (const b64 of pems) {
    const der = Buffer.from(b64.replace(/\s+/g, ''), 'base64');
    const s = rawName(der, 'subject');
    if (!s || !wanted.has(s)) continue;
    try {
      roots.push(new X509Certificate(der));
    } catch {
      // unparsable root: ignored, like Go
    }
  }
  return { roots, source };
}
