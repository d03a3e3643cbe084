// Certificate facts and a verifier that reproduces Go's crypto/x509 Verify (what kubectl
// runs): the same order of checks (leaf validity, then host name, then chain building),
// the same chain-building rules, and the same error strings.
//
// Parsing uses crypto.X509Certificate (RSA, ECDSA and Ed25519 alike) plus a small DER
// reader (./der.ts) for the fields X509Certificate does not expose.

import { X509Certificate } from 'node:crypto';
import { parseCertDer, type CertDer } from './der.ts';
import { ipBytesToString, ipEqual, parseIP } from './ip.ts';
import { systemAnchorsFor } from './trust-store.ts';

export interface CertInfo {
  /** 'CN=kube-apiserver,O=...' (RFC 4514 order: most specific first) */
  subject: string;
  issuer: string;
  /** e.g. ['DNS:kubernetes', 'IP:198.51.100.10'] */
  sans: string[];
  dnsNames: string[];
  ipAddresses: string[];
  /** ISO 8601 */
  notBefore: string;
  notAfter: string;
  /** hex, uppercase, as openssl prints it */
  serialNumber: string;
  /** SHA-256 fingerprint, hex with colons, uppercase */
  sha256: string;
  /** 'RSA 2048' | 'ECDSA P-256' | 'Ed25519' | ... */
  keyType: string;
  /** 'sha256WithRSAEncryption', 'ecdsa-with-SHA256', 'Ed25519', ... */
  signatureAlgorithm?: string;
  isCA: boolean;
  selfSigned: boolean;
  /** extended key usages by name ('serverAuth', 'clientAuth', ...) */
  extKeyUsage?: string[];
}

export type VerifyProblemKind =
  | 'expired'
  | 'not-yet-valid'
  | 'no-ip-san'
  | 'name-mismatch'
  | 'legacy-cn-only'
  | 'unknown-authority'
  | 'expiring-soon'
  /** the leaf's extended key usage does not allow serverAuth */
  | 'incompatible-usage'
  /** an intermediate is not a CA, or a path length constraint is violated */
  | 'not-ca'
  | 'other';

export interface VerifyProblem {
  kind: VerifyProblemKind;
  message: string;
  /** subject of the certificate concerned, when it is not the leaf */
  certificate?: string;
}

export interface VerifyResult {
  /** chain builds to one of the roots, every cert in validity, name matches (what Go accepts) */
  trusted: boolean;
  problems: VerifyProblem[];
  /** the `x509: ...` text Go's crypto/x509 returns (kubectl prefixes it with "Unable to connect to the server: tls: failed to verify certificate: ") */
  goError?: string;
  /** leaf first; the verified chain when trusted, else the best path found (leaf → as far as issuers are known) */
  chain: CertInfo[];
  /** subject of the trusted root */
  anchoredBy?: string;
}

export interface VerifyOptions {
  /** 'system': the system trust store, read as Go reads it (./trust-store.ts) */
  roots: X509Certificate[] | 'system';
  /** where SSL_CERT_FILE / SSL_CERT_DIR are read for 'system' (default: this process's environment) */
  env?: Record<string, string | undefined>;
  /** host or IP the client checks: tls-server-name if set, else the URL host. Empty = no name check (like Go). */
  serverName: string;
  now?: Date;
  /** default 30 */
  expiringSoonDays?: number;
}

const DAY = 86_400_000;

const SIG_ALGS: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '2.16.840.1.101.3.4.3.2': 'dsa-with-SHA256',
};

const EKU_NAMES: Record<string, string> = {
  '2.5.29.37.0': 'any',
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};
const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const EKU_ANY = '2.5.29.37.0';

const CURVES: Record<string, string> = {
  prime256v1: 'P-256',
  'P-256': 'P-256',
  secp384r1: 'P-384',
  'P-384': 'P-384',
  secp521r1: 'P-521',
  'P-521': 'P-521',
  secp256k1: 'secp256k1',
};

// ---------------------------------------------------------------- parsed certificate cache

interface Parsed {
  x: X509Certificate;
  der: CertDer;
  raw: Buffer;
  fp: string;
  notBefore: Date;
  notAfter: Date;
  /** whether it verifies with its own key (a signature check: done once per certificate) */
  selfSigned?: boolean;
}

const parsedCache = new WeakMap<X509Certificate, Parsed>();

function parsed(x: X509Certificate): Parsed {
  let p = parsedCache.get(x);
  if (!p) {
    const raw = x.raw;
    p = {
      x,
      der: parseCertDer(raw),
      raw,
      fp: x.fingerprint256,
      notBefore: validDate(x, 'from'),
      notAfter: validDate(x, 'to'),
    };
    parsedCache.set(x, p);
  }
  return p;
}

function validDate(x: X509Certificate, which: 'from' | 'to'): Date {
  const d = which === 'from' ? (x as X509Certificate & { validFromDate?: Date }).validFromDate : (x as X509Certificate & { validToDate?: Date }).validToDate;
  return d instanceof Date ? d : new Date(which === 'from' ? x.validFrom : x.validTo);
}

/** Go's time.Format(time.RFC3339) in UTC: seconds precision, 'Z'. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 4514-ish DN as a person writes it: most specific first ('CN=x,O=y'). */
function dn(nodeDn: string): string {
  return nodeDn
    .split('\n')
    .filter((l) => l.length)
    .reverse()
    .join(',');
}

function keyType(x: X509Certificate): string {
  const k = x.publicKey;
  const d = k.asymmetricKeyDetails ?? {};
  switch (k.asymmetricKeyType) {
    case 'rsa':
      return `RSA ${d.modulusLength ?? '?'}`;
    case 'rsa-pss':
      return `RSA-PSS ${d.modulusLength ?? '?'}`;
    case 'ec':
      return `ECDSA ${CURVES[d.namedCurve ?? ''] ?? d.namedCurve ?? '?'}`;
    case 'ed25519':
      return 'Ed25519';
    case 'ed448':
      return 'Ed448';
    case 'dsa':
      return `DSA ${d.modulusLength ?? '?'}`;
    default:
      return k.asymmetricKeyType ?? 'unknown';
  }
}

function selfSigned(p: Parsed): boolean {
  if (!p.der.rawIssuer.equals(p.der.rawSubject)) return false;
  if (p.selfSigned === undefined) {
    try {
      p.selfSigned = p.x.verify(p.x.publicKey);
    } catch {
      p.selfSigned = false;
    }
  }
  return p.selfSigned;
}

export function certInfo(cert: X509Certificate): CertInfo {
  const p = parsed(cert);
  const ips = p.der.ipAddresses.map(ipBytesToString);
  const sans = [
    ...p.der.dnsNames.map((d) => `DNS:${d}`),
    ...ips.map((i) => `IP:${i}`),
    ...p.der.emails.map((e) => `email:${e}`),
    ...p.der.uris.map((u) => `URI:${u}`),
  ];
  const info: CertInfo = {
    subject: dn(cert.subject),
    issuer: dn(cert.issuer),
    sans,
    dnsNames: [...p.der.dnsNames],
    ipAddresses: ips,
    notBefore: rfc3339(p.notBefore),
    notAfter: rfc3339(p.notAfter),
    serialNumber: cert.serialNumber.toUpperCase(),
    sha256: p.fp.toUpperCase(),
    keyType: keyType(cert),
    signatureAlgorithm: SIG_ALGS[p.der.signatureOid] ?? p.der.signatureOid,
    isCA: p.der.basicConstraintsValid ? p.der.isCA : cert.ca,
    selfSigned: selfSigned(p),
  };
  if (p.der.extKeyUsage.length) info.extKeyUsage = p.der.extKeyUsage.map((o) => EKU_NAMES[o] ?? o);
  return info;
}

/** Every certificate in a PEM bundle. Throws Error with a clear message for anything else. */
export function parsePemBundle(pem: string): X509Certificate[] {
  let text = pem;
  if (!/-----BEGIN /.test(text)) {
    // kubeconfig *-data fields are base64 of the PEM: accept that too
    const compact = text.replace(/\s+/g, '');
    if (compact.length && /^[A-Za-z0-9+/=]+$/.test(compact)) {
      const decoded = Buffer.from(compact, 'base64').toString('latin1');
      if (/-----BEGIN CERTIFICATE-----/.test(decoded)) text = decoded;
    }
  }
  const blocks = [...text.matchAll(/-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g)];
  if (blocks.length === 0) {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) throw new Error('no certificate found: the PEM contains a private key, not a certificate');
    if (/-----BEGIN /.test(text)) {
      const kind = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
      throw new Error(`no certificate found: the PEM holds "${kind}", expected "-----BEGIN CERTIFICATE-----"`);
    }
    throw new Error('no PEM certificate found (expected "-----BEGIN CERTIFICATE-----")');
  }
  return blocks.map((m, i) => {
    const b64 = m[1].replace(/\s+/g, '');
    try {
      return new X509Certificate(Buffer.from(b64, 'base64'));
    } catch (e) {
      throw new Error(`certificate ${i + 1} of ${blocks.length} in the PEM bundle cannot be parsed: ${(e as Error).message}`);
    }
  });
}

// ---------------------------------------------------------------- Go's host name rules

function toLowerASCII(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function validHostname(host: string, isPattern: boolean): boolean {
  if (!isPattern) host = host.replace(/\.$/, '');
  if (host.length === 0) return false;
  const parts = host.split('.');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === '') return false;
    if (isPattern && i === 0 && part === '*') continue;
    for (let j = 0; j < part.length; j++) {
      const c = part[j];
      if (/[a-zA-Z0-9_]/.test(c)) continue;
      if (c === '-' && j !== 0) continue;
      return false;
    }
  }
  return true;
}

function matchExactly(a: string, b: string): boolean {
  if (a === '' || a === '.' || b === '' || b === '.') return false;
  return toLowerASCII(a) === toLowerASCII(b);
}

/** Go's matchHostnames: label-wise, '*' allowed as the whole left-most label. */
export function matchHostnames(pattern: string, host: string): boolean {
  pattern = toLowerASCII(pattern);
  host = toLowerASCII(host.replace(/\.$/, ''));
  if (pattern.length === 0 || host.length === 0) return false;
  const pp = pattern.split('.');
  const hp = host.split('.');
  if (pp.length !== hp.length) return false;
  for (let i = 0; i < pp.length; i++) {
    if (i === 0 && pp[i] === '*') continue;
    if (pp[i] !== hp[i]) return false;
  }
  return true;
}

function commonName(d: CertDer): string {
  const cns = d.subjectAttrs.filter((a) => a.oid === '2.5.4.3');
  return cns.length ? cns[cns.length - 1].value : '';
}

/** Go's Certificate.VerifyHostname, returning HostnameError's text or undefined. */
export function goVerifyHostname(cert: X509Certificate, h: string): string | undefined {
  const d = parsed(cert).der;
  let candidateIP = h;
  if (h.length >= 3 && h[0] === '[' && h[h.length - 1] === ']') candidateIP = h.slice(1, -1);
  const ip = parseIP(candidateIP);
  if (ip) {
    for (const c of d.ipAddresses) {
      if (c.length !== 4 && c.length !== 16) continue;
      const cand = c.length === 4 ? parseIP(ipBytesToString(c))! : c;
      if (ipEqual(ip, cand)) return undefined;
    }
    return hostnameError(d, candidateIP);
  }
  const candidateName = toLowerASCII(h);
  const validCandidate = validHostname(candidateName, false);
  for (const m of d.dnsNames) {
    if (validCandidate && validHostname(m, true)) {
      if (matchHostnames(m, candidateName)) return undefined;
    } else if (matchExactly(m, candidateName)) return undefined;
  }
  return hostnameError(d, h);
}

function hostnameError(d: CertDer, host: string): string {
  if (!d.sanExt && matchHostnames(commonName(d), host)) return 'x509: certificate relies on legacy Common Name field, use SANs instead';
  let valid: string;
  if (parseIP(host)) {
    if (d.ipAddresses.length === 0) return `x509: cannot validate certificate for ${host} because it doesn't contain any IP SANs`;
    valid = d.ipAddresses.map(ipBytesToString).join(', ');
  } else {
    valid = d.dnsNames.join(', ');
  }
  if (valid.length === 0) return `x509: certificate is not valid for any names, but wanted to match ${host}`;
  return `x509: certificate is valid for ${valid}, not ${host}`;
}

// ---------------------------------------------------------------- Go's chain building

const LEAF = 0;
const INTERMEDIATE = 1;
const ROOT = 2;

class Pool {
  readonly certs: Parsed[] = [];
  private readonly sums = new Set<string>();
  constructor(list: X509Certificate[]) {
    for (const x of list) {
      let p: Parsed;
      try {
        p = parsed(x);
      } catch {
        continue;
      }
      if (this.sums.has(p.fp)) continue;
      this.sums.add(p.fp);
      this.certs.push(p);
    }
  }
  contains(p: Parsed): boolean {
    return this.sums.has(p.fp);
  }
  /** Go's CertPool.findPotentialParents: same raw name, ordered by key-id plausibility. */
  findPotentialParents(c: Parsed): Parsed[] {
    const matching: Parsed[] = [];
    const one: Parsed[] = [];
    const mismatch: Parsed[] = [];
    for (const cand of this.certs) {
      if (!cand.der.rawSubject.equals(c.der.rawIssuer)) continue;
      const skid = cand.der.subjectKeyId ?? Buffer.alloc(0);
      const akid = c.der.authorityKeyId ?? Buffer.alloc(0);
      if (skid.equals(akid)) matching.push(cand);
      else if ((skid.length === 0 && akid.length > 0) || (skid.length > 0 && akid.length === 0)) one.push(cand);
      else mismatch.push(cand);
    }
    return [...matching, ...one, ...mismatch];
  }
}

interface Ctx {
  now: Date;
  roots: Pool;
  intermediates: Pool;
  sigChecks: number;
}

function expiredDetail(p: Parsed, now: Date): string | undefined {
  if (now.getTime() < p.notBefore.getTime()) return `current time ${rfc3339(now)} is before ${rfc3339(p.notBefore)}`;
  if (now.getTime() > p.notAfter.getTime()) return `current time ${rfc3339(now)} is after ${rfc3339(p.notAfter)}`;
  return undefined;
}

/** Go's Certificate.isValid (the parts that matter for TLS server chains). */
function isValid(p: Parsed, certType: number, chain: Parsed[], ctx: Ctx): string | undefined {
  if (p.der.criticalUnhandled.length) return 'x509: unhandled critical extension';
  if (chain.length > 0) {
    const child = chain[chain.length - 1];
    if (!child.der.rawIssuer.equals(p.der.rawSubject)) return 'x509: issuer name does not match subject from issuing certificate';
  }
  const exp = expiredDetail(p, ctx.now);
  if (exp) return `x509: certificate has expired or is not yet valid: ${exp}`;
  const eku = p.der.extKeyUsage;
  if (eku.length > 0 && !eku.includes(EKU_ANY) && !eku.includes(EKU_SERVER_AUTH)) return 'x509: certificate specifies an incompatible key usage';
  if (certType === INTERMEDIATE && (!p.der.basicConstraintsValid || !p.der.isCA)) return 'x509: certificate is not authorized to sign other certificates';
  if (p.der.basicConstraintsValid && p.der.maxPathLen >= 0) {
    if (chain.length - 1 > p.der.maxPathLen) return 'x509: too many intermediates for path length constraint';
  }
  return undefined;
}

function sigAlgName(oid: string): string {
  const m: Record<string, string> = {
    '1.2.840.113549.1.1.4': 'MD5-RSA',
    '1.2.840.113549.1.1.5': 'SHA1-RSA',
    '1.2.840.10045.4.1': 'ECDSA-SHA1',
    '1.2.840.10040.4.3': 'DSA-SHA1',
    '1.2.840.113549.1.1.2': 'MD2-RSA',
  };
  return m[oid] ?? oid;
}

function sigKeyFamily(oid: string): 'RSA' | 'ECDSA' | 'Ed25519' | 'other' {
  if (oid.startsWith('1.2.840.113549.1.1.')) return 'RSA';
  if (oid.startsWith('1.2.840.10045.4.')) return 'ECDSA';
  if (oid === '1.3.101.112') return 'Ed25519';
  return 'other';
}

const GO_KEY_TYPES: Record<string, string> = { RSA: '*rsa.PublicKey', ECDSA: '*ecdsa.PublicKey', Ed25519: 'ed25519.PublicKey' };

/** Go's Certificate.CheckSignatureFrom(parent), returning its error text or undefined. */
function checkSignatureFrom(c: Parsed, parent: Parsed): string | undefined {
  const pd = parent.der;
  if ((pd.version === 3 && !pd.basicConstraintsValid) || (pd.basicConstraintsValid && !pd.isCA)) {
    return 'x509: invalid signature: parent certificate cannot sign this kind of certificate';
  }
  if (pd.keyUsage !== 0 && (pd.keyUsage & (1 << 5)) === 0) {
    return 'x509: invalid signature: parent certificate cannot sign this kind of certificate';
  }
  const oid = c.der.signatureOid;
  if (['1.2.840.113549.1.1.4', '1.2.840.113549.1.1.5', '1.2.840.10045.4.1', '1.2.840.113549.1.1.2', '1.2.840.10040.4.3'].includes(oid)) {
    return `x509: cannot verify signature: insecure algorithm ${sigAlgName(oid)}`;
  }
  const fam = sigKeyFamily(oid);
  const kt = parent.x.publicKey.asymmetricKeyType;
  const parentFam = kt === 'rsa' || kt === 'rsa-pss' ? 'RSA' : kt === 'ec' ? 'ECDSA' : kt === 'ed25519' ? 'Ed25519' : 'other';
  if (fam !== 'other' && parentFam !== 'other' && fam !== parentFam) {
    return `x509: signature algorithm specifies an ${fam} public key, but have public key of type ${GO_KEY_TYPES[parentFam]}`;
  }
  let ok = false;
  try {
    ok = c.x.verify(parent.x.publicKey);
  } catch {
    ok = false;
  }
  if (ok) return undefined;
  switch (fam) {
    case 'RSA':
      return 'crypto/rsa: verification error';
    case 'ECDSA':
      return 'x509: ECDSA verification failure';
    case 'Ed25519':
      return 'x509: Ed25519 verification failure';
    default:
      return 'x509: signature verification failure';
  }
}

function alreadyInChain(cand: Parsed, chain: Parsed[]): boolean {
  for (const c of chain) {
    if (!cand.der.rawSubject.equals(c.der.rawSubject)) continue;
    if (!cand.der.rawSpki.equals(c.der.rawSpki)) continue;
    const a = cand.der.sanExt;
    const b = c.der.sanExt;
    if (!a && !b) return true;
    if (!a || !b) return false;
    if (a.equals(b)) return true;
  }
  return false;
}

function goHintName(p: Parsed): string {
  const cn = commonName(p.der);
  if (cn) return cn;
  const o = p.der.subjectAttrs.find((a) => a.oid === '2.5.4.10');
  if (o) return o.value;
  return 'serial:' + p.der.serialDecimal;
}

/** Go's %q for ASCII-ish strings. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's buildChains, faithfully including how `err` is overwritten by later candidates. */
function buildChains(c: Parsed, current: Parsed[], ctx: Ctx): { chains: Parsed[][]; err?: string } {
  const chains: Parsed[][] = [];
  let err: string | undefined;
  let hintErr: string | undefined;
  let hintCert: Parsed | undefined;
  const consider = (certType: number, cand: Parsed) => {
    if (alreadyInChain(cand, current)) return;
    ctx.sigChecks++;
    if (ctx.sigChecks > 100) {
      err = 'x509: signature check attempts limit reached while verifying certificate chain';
      return;
    }
    const sigErr = checkSignatureFrom(c, cand);
    if (sigErr) {
      if (hintErr === undefined) {
        hintErr = sigErr;
        hintCert = cand;
      }
      return;
    }
    err = isValid(cand, certType, current, ctx);
    if (err) return;
    if (certType === ROOT) {
      chains.push([...current, cand]);
    } else {
      const r = buildChains(cand, [...current, cand], ctx);
      err = r.err;
      chains.push(...r.chains);
    }
  };
  for (const r of ctx.roots.findPotentialParents(c)) consider(ROOT, r);
  for (const i of ctx.intermediates.findPotentialParents(c)) consider(INTERMEDIATE, i);
  if (chains.length > 0) err = undefined;
  if (chains.length === 0 && err === undefined) {
    err = 'x509: certificate signed by unknown authority';
    if (hintErr !== undefined && hintCert) {
      err += ` (possibly because of ${goQuote(hintErr)} while trying to verify candidate authority certificate ${goQuote(goHintName(hintCert))})`;
    }
  }
  return { chains, err };
}

/** Go's Certificate.Verify for a TLS client: returns the chain or Go's error text. */
function goVerify(leaf: Parsed, serverName: string, ctx: Ctx): { chain?: Parsed[]; err?: string } {
  const leafErr = isValid(leaf, LEAF, [], ctx);
  if (leafErr) return { err: leafErr };
  if (serverName.length > 0) {
    const hErr = goVerifyHostname(leaf.x, serverName);
    if (hErr) return { err: hErr };
  }
  if (ctx.roots.contains(leaf)) return { chain: [leaf] };
  const r = buildChains(leaf, [leaf], ctx);
  if (r.err || r.chains.length === 0) return { err: r.err ?? 'x509: certificate signed by unknown authority' };
  return { chain: r.chains[0] };
}

/** The best path from the leaf through known issuers, ignoring validity (for evidence). */
function lenientPath(leaf: Parsed, ctx: Ctx): { path: Parsed[]; anchored: boolean } {
  const path: Parsed[] = [leaf];
  let cur = leaf;
  if (ctx.roots.contains(leaf)) return { path, anchored: true };
  for (let depth = 0; depth < 10; depth++) {
    if (cur.der.rawIssuer.equals(cur.der.rawSubject) && selfSigned(cur)) break;
    const candidates = [...ctx.roots.findPotentialParents(cur), ...ctx.intermediates.findPotentialParents(cur)];
    const next = candidates.find((cand) => {
      if (path.some((p) => p.fp === cand.fp)) return false;
      try {
        return cur.x.verify(cand.x.publicKey);
      } catch {
        return false;
      }
    });
    if (!next) break;
    path.push(next);
    if (ctx.roots.contains(next)) return { path, anchored: true };
    cur = next;
  }
  return { path, anchored: false };
}

function who(p: Parsed): string {
  return dn(p.x.subject) || `serial ${p.der.serialHex}`;
}

function days(ms: number): number {
  return Math.floor(Math.abs(ms) / DAY);
}

export function verifyChain(presented: X509Certificate[], opts: VerifyOptions): VerifyResult {
  if (presented.length === 0) {
    return {
      trusted: false,
      problems: [{ kind: 'other', message: 'the server presented no certificate' }],
      goError: 'tls: server presented no certificates',
      chain: [],
    };
  }
  const now = opts.now ?? new Date();
  const soonDays = opts.expiringSoonDays ?? 30;
  const leaf = parsed(presented[0]);
  const ctx: Ctx = {
    now,
    roots: new Pool(opts.roots === 'system' ? systemAnchorsFor(presented, opts.env ?? process.env).roots : opts.roots),
    intermediates: new Pool(presented.slice(1)),
    sigChecks: 0,
  };

  const go = goVerify(leaf, opts.serverName, ctx);
  const trusted = go.err === undefined;
  const lp = lenientPath(leaf, ctx);
  const chainP = go.chain ?? lp.path;
  const anchored = go.chain ? true : lp.anchored;

  const problems: VerifyProblem[] = [];
  // validity of every certificate on the path
  for (const p of chainP) {
    const isLeaf = p === leaf;
    const subject = who(p);
    if (now.getTime() > p.notAfter.getTime()) {
      problems.push({
        kind: 'expired',
        message: `${isLeaf ? 'the certificate' : 'the CA certificate'} ${subject} expired on ${rfc3339(p.notAfter)} (${days(now.getTime() - p.notAfter.getTime())} days ago)`,
        ...(isLeaf ? {} : { certificate: subject }),
      });
    } else if (now.getTime() < p.notBefore.getTime()) {
      problems.push({
        kind: 'not-yet-valid',
        message: `${isLeaf ? 'the certificate' : 'the CA certificate'} ${subject} is not valid before ${rfc3339(p.notBefore)} (this machine's clock says ${rfc3339(now)}: check the clock)`,
        ...(isLeaf ? {} : { certificate: subject }),
      });
    } else if (p.notAfter.getTime() - now.getTime() < soonDays * DAY) {
      problems.push({
        kind: 'expiring-soon',
        message: `${isLeaf ? 'the certificate' : 'the CA certificate'} ${subject} expires on ${rfc3339(p.notAfter)} (in ${days(p.notAfter.getTime() - now.getTime())} days)`,
        ...(isLeaf ? {} : { certificate: subject }),
      });
    }
  }
  // host name
  if (opts.serverName) {
    const hErr = goVerifyHostname(leaf.x, opts.serverName);
    if (hErr) {
      const host = opts.serverName.replace(/^\[(.*)\]$/, '$1');
      if (hErr.includes('legacy Common Name')) {
        problems.push({
          kind: 'legacy-cn-only',
          message: `the certificate has no subjectAltName extension; its Common Name (${commonName(leaf.der)}) matches ${host}, but Go ignores the Common Name`,
        });
      } else if (hErr.includes("doesn't contain any IP SANs")) {
        problems.push({
          kind: 'no-ip-san',
          message: `the server is reached by IP (${host}) but the certificate ${who(leaf)} has no IP SANs${leaf.der.dnsNames.length ? ` (only DNS names: ${leaf.der.dnsNames.join(', ')})` : ''}`,
        });
      } else {
        const valid = parseIP(host) ? leaf.der.ipAddresses.map(ipBytesToString) : leaf.der.dnsNames;
        problems.push({
          kind: 'name-mismatch',
          message: valid.length
            ? `the certificate is valid for ${valid.join(', ')}, not ${host}`
            : `the certificate ${who(leaf)} names no ${parseIP(host) ? 'IP addresses' : 'DNS names'}, so it cannot match ${host}`,
        });
      }
    }
  }
  // usage and CA constraints, as Go reports them
  const leafEku = leaf.der.extKeyUsage;
  if (leafEku.length && !leafEku.includes(EKU_ANY) && !leafEku.includes(EKU_SERVER_AUTH)) {
    problems.push({
      kind: 'incompatible-usage',
      message: `the certificate's extended key usage (${leafEku.map((o) => EKU_NAMES[o] ?? o).join(', ')}) does not allow serverAuth`,
    });
  }
  // authority
  if (!anchored) {
    const last = chainP[chainP.length - 1];
    const issuer = dn(last.x.issuer);
    const selfSignedLast = selfSigned(last);
    const sameName = selfSignedLast ? [] : ctx.roots.findPotentialParents(last);
    problems.push({
      kind: 'unknown-authority',
      message: selfSignedLast
        ? `the chain ends at ${who(last)}, a self-signed certificate that is not among the trusted roots`
        : sameName.length
          ? `${who(last)} names ${issuer} as its issuer, and a trusted root has that name, but its key did not sign this certificate (was the CA regenerated?)`
          : `the chain ends at ${who(last)}, issued by ${issuer}, which is neither presented by the server nor among the trusted roots`,
    });
  }
  // anything else Go rejects (e.g. an intermediate that is not a CA)
  if (go.err && !problems.some((p) => p.kind !== 'expiring-soon')) {
    const kind: VerifyProblemKind = /not authorized to sign|path length|parent certificate cannot sign/.test(go.err) ? 'not-ca' : 'other';
    problems.push({ kind, message: go.err.replace(/^x509: /, '') });
  }

  return {
    trusted,
    problems,
    ...(go.err ? { goError: go.err } : {}),
    chain: chainP.map((p) => certInfo(p.x)),
    ...(anchored ? { anchoredBy: who(chainP[chainP.length - 1]) } : {}),
  };
}
