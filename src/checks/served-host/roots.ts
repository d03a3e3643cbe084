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

// the PEM markers once every white space is gone
const BEGIN = '-----BEGINCERTIFICATE-----';
const END = '-----ENDCERTIFICATE-----';

/**
 * The base64 text that must occur in the (whitespace-free) base64 body of any certificate whose
 * DER holds `name`: base64 encodes 3 bytes as 4 characters from the start of the block, so the
 * name is encoded at one of three alignments; for each, the characters that depend on the name's
 * bytes alone.
 */
function base64Probes(name: Buffer): string[] {
  const out: string[] = [];
  for (let skip = 0; skip < 3; skip++) {
    const n = Math.floor((name.length - skip) / 3) * 3;
    if (n >= 9) out.push(name.subarray(skip, skip + n).toString('base64'));
  }
  return out;
}

export function systemAnchorsFor(presented: X509Certificate[], env: Record<string, string | undefined>): Anchors {
  const wanted = new Map<string, Buffer>();
  for (const c of presented) {
    const n = rawName(c.raw, 'issuer');
    if (n && !wanted.has(n)) wanted.set(n, Buffer.from(n, 'hex'));
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
  if (!text) {
    source = "Node's bundled Mozilla roots";
    text = tls.rootCertificates.join('\n');
  }
  // Only the blocks that contain an issuer name of the chain (found by a text search of its base64
  // forms) are decoded and compared; parsing the hundreds of roots of a store one by one would cost
  // more than the handshake.
  const flat = text.replace(/\s+/g, '');
  const blocks = new Set<number>();
  for (const name of wanted.values()) {
    const probes = base64Probes(name);
    if (probes.length === 0) {
      // a name too short to search for: every block is a candidate
      for (let at = flat.indexOf(BEGIN); at >= 0; at = flat.indexOf(BEGIN, at + 1)) blocks.add(at);
    }
    for (const probe of probes) {
      for (let at = flat.indexOf(probe); at >= 0; at = flat.indexOf(probe, at + 1)) {
        const start = flat.lastIndexOf(BEGIN, at);
        if (start >= 0 && flat.indexOf(END, start) > at) blocks.add(start);
      }
    }
  }
  const roots: X509Certificate[] = [];
  for (const start of [...blocks].sort((a, b) => a - b)) {
    const body = start + BEGIN.length;
    const der = Buffer.from(flat.slice(body, flat.indexOf(END, body)), 'base64');
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
