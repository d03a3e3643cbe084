// Byte-level helpers that mirror Go's behaviour (encoding/base64 StdEncoding as
// used by encoding/json for []byte fields, crypto/x509 PEM parsing).
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';

export type Base64Result = { ok: true; data: Buffer } | { ok: false; offset: number };

/**
 * Decodes standard, padded base64 the way Go's base64.StdEncoding does:
 * '\r' and '\n' are ignored anywhere, any other character outside the alphabet,
 * missing padding or data after padding is an error at a byte offset.
 */
export function decodeStdBase64(input: string): Base64Result {
  // the common case, checked at once: only the alphabet (and line breaks), whole quanta, at most
  // two '=' at the very end; Node's decoder then gives Go's bytes (a fleet's kubeconfig holds
  // hundreds of certificates: character by character this took ~70 ms of `api --all-contexts`)
  const flat = input.includes('\n') || input.includes('\r') ? input.replace(/[\r\n]/g, '') : input;
  if (flat.length % 4 === 0 && STD_BASE64.test(flat)) return { ok: true, data: Buffer.from(flat, 'base64') };
  return decodeStdBase64Slowly(input);
}

const STD_BASE64 = /^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The same, character by character: the byte offset Go reports for what is not valid. */
export function decodeStdBase64Slowly(input: string): Base64Result {
  const chars: string[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === '\r' || c === '\n') continue;
    chars.push(c);
    offsets.push(i);
  }
  const alphabet = /[A-Za-z0-9+/]/;
  let padStart = -1;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '=') {
      if (padStart < 0) padStart = i;
      continue;
    }
    if (padStart >= 0 || !alphabet.test(c)) return { ok: false, offset: offsets[i]! };
  }
  if (chars.length % 4 !== 0) {
    // Go reports the start of the incomplete final quantum.
    return { ok: false, offset: offsets[chars.length - (chars.length % 4)]! };
  }
  if (padStart >= 0) {
    const padLen = chars.length - padStart;
    // Padding may only fill the last one or two positions of the final quantum.
    if (padLen > 2 || padStart % 4 < 2) return { ok: false, offset: offsets[padStart]! };
  }
  return { ok: true, data: Buffer.from(chars.join(''), 'base64') };
}

export interface PemBlock { type: string; body: string }

export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ type: m[1]!, body: m[2]! });
  return out;
}

/** Parses every CERTIFICATE block that is a valid X.509 certificate (like Go's CertPool.AppendCertsFromPEM). */
export function parseCertificates(pem: string): X509Certificate[] {
  const certs: X509Certificate[] = [];
  for (const block of pemBlocks(pem)) {
    if (block.type !== 'CERTIFICATE') continue;
    // Drop RFC 1421 headers ("Key: value" lines) before the base64 body.
    const body = block.body.split(/\r?\n/).filter((l) => !l.includes(':')).join('');
    const der = decodeStdBase64(body.replace(/\s+/g, ''));
    if (!der.ok) continue;
    try {
      certs.push(new X509Certificate(der.data));
    } catch {
      // not a certificate: skipped, as Go does
    }
  }
  return certs;
}

export function parsePrivateKey(pem: string): KeyObject | undefined {
  if (!pemBlocks(pem).some((b) => b.type.endsWith('PRIVATE KEY'))) return undefined;
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return undefined;
  }
}
