// A minimal DER reader for the certificate fields crypto.X509Certificate does not expose
// (raw subject/issuer, signature algorithm, SAN bytes, basic constraints, key usages, key
// identifiers). Works for every key type because it never interprets the key.

export interface Tlv {
  cls: number; // 0 universal, 1 application, 2 context, 3 private
  constructed: boolean;
  tag: number;
  /** start of the header */
  start: number;
  /** start of the contents */
  body: number;
  /** end of the element (exclusive) */
  end: number;
}

export function readTlv(buf: Uint8Array, pos: number, limit = buf.length): Tlv {
  if (pos + 2 > limit) throw new Error('DER: truncated element');
  const start = pos;
  const b = buf[pos++];
  const cls = b >> 6;
  const constructed = (b & 0x20) !== 0;
  let tag = b & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    let c: number;
    do {
      if (pos >= limit) throw new Error('DER: truncated tag');
      c = buf[pos++];
      tag = tag * 128 + (c & 0x7f);
    } while (c & 0x80);
  }
  if (pos >= limit) throw new Error('DER: truncated length');
  let len = buf[pos++];
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + n > limit) throw new Error('DER: bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++];
  }
  const end = pos + len;
  if (end > limit) throw new Error('DER: element overruns its container');
  return { cls, constructed, tag, start, body: pos, end };
}

export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = parent.body;
  while (p < parent.end) {
    const t = readTlv(buf, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

export function decodeOid(b: Uint8Array): string {
  if (b.length === 0) return '';
  const first = b[0];
  const arcs: (number | bigint)[] = [first < 80 ? Math.floor(first / 40) : 2, first < 80 ? first % 40 : first - 80];
  let v = 0n;
  for (let i = 1; i < b.length; i++) {
    v = (v << 7n) | BigInt(b[i] & 0x7f);
    if (!(b[i] & 0x80)) {
      arcs.push(v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
      v = 0n;
    }
  }
  return arcs.join('.');
}

function decodeString(tag: number, b: Uint8Array): string {
  const buf = Buffer.from(b);
  switch (tag) {
    case 30: {
      // BMPString: UTF-16BE
      const sw = Buffer.from(buf);
      sw.swap16();
      return sw.toString('utf16le');
    }
    case 28: {
      // UniversalString: UTF-32BE
      let s = '';
      for (let i = 0; i + 3 < buf.length; i += 4) s += String.fromCodePoint(buf.readUInt32BE(i));
      return s;
    }
    case 20: // T61String, treat as latin1
      return buf.toString('latin1');
    default:
      return buf.toString('utf8');
  }
}

export interface NameAttr {
  oid: string;
  value: string;
}

export function parseName(buf: Uint8Array, name: Tlv): NameAttr[] {
  const out: NameAttr[] = [];
  for (const set of children(buf, name)) {
    for (const atv of children(buf, set)) {
      const [oid, val] = children(buf, atv);
      if (!oid || !val) continue;
      out.push({ oid: decodeOid(buf.subarray(oid.body, oid.end)), value: decodeString(val.tag, buf.subarray(val.body, val.end)) });
    }
  }
  return out;
}

export interface CertDer {
  version: number; // 1, 2 or 3
  serialHex: string;
  serialDecimal: string;
  rawIssuer: Buffer;
  rawSubject: Buffer;
  subjectAttrs: NameAttr[];
  rawSpki: Buffer;
  signatureOid: string;
  /** raw value of the subjectAltName extension, if present */
  sanExt?: Buffer;
  dnsNames: string[];
  ipAddresses: Uint8Array[];
  emails: string[];
  uris: string[];
  basicConstraintsValid: boolean;
  isCA: boolean;
  /** -1 when absent */
  maxPathLen: number;
  /** KeyUsage bits as Go numbers them (bit 0 = digitalSignature ... bit 5 = keyCertSign); 0 when absent */
  keyUsage: number;
  extKeyUsage: string[];
  subjectKeyId?: Buffer;
  authorityKeyId?: Buffer;
  criticalUnhandled: string[];
}

const HANDLED = new Set(['2.5.29.17', '2.5.29.19', '2.5.29.15', '2.5.29.37', '2.5.29.14', '2.5.29.35', '2.5.29.30', '2.5.29.32', '2.5.29.31', '1.3.6.1.5.5.7.1.1', '2.5.29.36', '2.5.29.54']);

export function parseCertDer(der: Uint8Array): CertDer {
  const cert = readTlv(der, 0);
  const [tbs, sigAlg] = children(der, cert);
  if (!tbs || !sigAlg) throw new Error('DER: not a certificate');
  const t = children(der, tbs);
  let i = 0;
  let version = 1;
  if (t[0].cls === 2 && t[0].tag === 0) {
    const v = children(der, t[0])[0];
    version = der[v.body] + 1;
    i = 1;
  }
  const serial = t[i++];
  i++; // signature algorithm inside tbs
  const issuer = t[i++];
  i++; // validity
  const subject = t[i++];
  const spki = t[i++];
  const sigOidTlv = children(der, sigAlg)[0];
  const serialBytes = Buffer.from(der.subarray(serial.body, serial.end));
  const serialHex = serialBytes.toString('hex').toUpperCase();
  let serialDecimal: string;
  try {
    const neg = serialBytes.length > 0 && (serialBytes[0] & 0x80) !== 0;
    let n = BigInt('0x' + (serialHex || '0'));
    if (neg) n -= 1n << BigInt(serialBytes.length * 8);
    serialDecimal = n.toString(10);
  } catch {
    serialDecimal = serialHex;
  }
  const out: CertDer = {
    version,
    serialHex,
    serialDecimal,
    rawIssuer: Buffer.from(der.subarray(issuer.start, issuer.end)),
    rawSubject: Buffer.from(der.subarray(subject.start, subject.end)),
    subjectAttrs: parseName(der, subject),
    rawSpki: Buffer.from(der.subarray(spki.start, spki.end)),
    signatureOid: decodeOid(der.subarray(sigOidTlv.body, sigOidTlv.end)),
    dnsNames: [],
    ipAddresses: [],
    emails: [],
    uris: [],
    basicConstraintsValid: false,
    isCA: false,
    maxPathLen: -1,
    keyUsage: 0,
    extKeyUsage: [],
    criticalUnhandled: [],
  };
  for (; i < t.length; i++) {
    if (!(t[i].cls === 2 && t[i].tag === 3)) continue;
    const extsSeq = children(der, t[i])[0];
    for (const ext of children(der, extsSeq)) {
      const parts = children(der, ext);
      const oid = decodeOid(der.subarray(parts[0].body, parts[0].end));
      let critical = false;
      let valueTlv = parts[1];
      if (parts[1].tag === 1 && parts[1].cls === 0) {
        critical = der[parts[1].body] !== 0;
        valueTlv = parts[2];
      }
      const value = der.subarray(valueTlv.body, valueTlv.end);
      if (critical && !HANDLED.has(oid)) out.criticalUnhandled.push(oid);
      try {
        parseExtension(out, oid, value);
      } catch {
        /* a malformed extension is reported as absent */
      }
    }
  }
  return out;
}

function parseExtension(out: CertDer, oid: string, v: Uint8Array): void {
  switch (oid) {
    case '2.5.29.17': {
      out.sanExt = Buffer.from(v);
      const seq = readTlv(v, 0);
      for (const gn of children(v, seq)) {
        if (gn.cls !== 2) continue;
        const body = v.subarray(gn.body, gn.end);
        if (gn.tag === 2) out.dnsNames.push(Buffer.from(body).toString('latin1'));
        else if (gn.tag === 7) out.ipAddresses.push(new Uint8Array(body));
        else if (gn.tag === 1) out.emails.push(Buffer.from(body).toString('latin1'));
        else if (gn.tag === 6) out.uris.push(Buffer.from(body).toString('latin1'));
      }
      break;
    }
    case '2.5.29.19': {
      out.basicConstraintsValid = true;
      const seq = readTlv(v, 0);
      for (const c of children(v, seq)) {
        if (c.tag === 1) out.isCA = v[c.body] !== 0;
        else if (c.tag === 2) {
          let n = 0;
          for (let k = c.body; k < c.end; k++) n = n * 256 + v[k];
          out.maxPathLen = n;
        }
      }
      break;
    }
    case '2.5.29.15': {
      const bs = readTlv(v, 0);
      const bytes = v.subarray(bs.body + 1, bs.end); // skip the unused-bits byte
      let ku = 0;
      for (let k = 0; k < 9; k++) {
        const byte = bytes[k >> 3] ?? 0;
        if (byte & (0x80 >> (k & 7))) ku |= 1 << k;
      }
      out.keyUsage = ku;
      break;
    }
    case '2.5.29.37': {
      const seq = readTlv(v, 0);
      for (const o of children(v, seq)) out.extKeyUsage.push(decodeOid(v.subarray(o.body, o.end)));
      break;
    }
    case '2.5.29.14': {
      const os = readTlv(v, 0);
      out.subjectKeyId = Buffer.from(v.subarray(os.body, os.end));
      break;
    }
    case '2.5.29.35': {
      const seq = readTlv(v, 0);
      for (const c of children(v, seq)) if (c.cls === 2 && c.tag === 0) out.authorityKeyId = Buffer.from(v.subarray(c.body, c.end));
      break;
    }
  }
}
