/**
 * Certificate minting for the lab and the tests.
 *
 * Everything here is SYNCHRONOUS:
 *  - RSA certificates (RSA key, RSA issuer or self-signed) are built with node-forge;
 *    the RSA key pair itself comes from node:crypto (fast, native).
 *  - ECDSA P-256 and Ed25519 certificates (and any certificate whose issuer key is
 *    not RSA) are produced by the `openssl` CLI (`openssl req` + `openssl ca`, run with
 *    execFileSync), because node-forge can only handle RSA keys. `openssl ca` is used
 *    (not `x509 -req`) so that notBefore/notAfter are exact on OpenSSL 3.0.
 *
 * Results are cached in memory and on disk under `$TMPDIR/kubectl-netdiag-lab-pki/`,
 * keyed by a SHA-256 of the fully-resolved spec (issuer PEM included). Minting under a
 * cache miss takes a per-spec lock (mkdir), so concurrent processes (vitest workers, lab
 * processes) end up with the SAME lab CA and certificates. Default dates derive from the
 * start of the current UTC month, so the cache stays valid for a month; delete the
 * directory (or set NETDIAG_LAB_PKI_NOCACHE=1: no cache, no lock) to force fresh ones.
 */
import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

export interface Pem {
  cert: string;
  key: string;
}

export interface CertSpec {
  cn: string;
  o?: string;
  dns?: string[];
  ips?: string[];
  notBefore?: Date;
  notAfter?: Date;
  isCA?: boolean;
  keyType?: 'rsa' | 'ecdsa' | 'ed25519';
  /** omitted = self-signed */
  issuer?: Pem;
  /** extKeyUsage clientAuth (instead of serverAuth) */
  clientAuth?: boolean;
  /** an AIA caIssuers URL (where to fetch the issuer), as public CAs' leaves carry */
  aia?: string;
}

export interface LabPki {
  ca: Pem;
  otherCa: Pem;
  /** intermediate CA signed by `ca` (not used by the default leaves) */
  intermediate?: Pem;
  /** DNS kubernetes, kubernetes.default.svc, api.lab.test, api-hosts.lab.test, localhost; IPs 198.51.100.10, 198.51.100.11, 127.0.0.1 */
  server: Pem;
  /** same DNS names as `server`, no IP SANs */
  serverNoIpSan: Pem;
  /** same SANs as `server`, expired */
  serverExpired: Pem;
  /** same SANs as `server`, signed by `otherCa` */
  serverOtherCa: Pem;
  /** IP SAN 198.51.100.99 only */
  serverWrongName: Pem;
  /** ECDSA P-256 key, same SANs as `server`, signed by `ca` */
  serverEcdsa: Pem;
  /** same SANs as `server`, expires in 10 to 11 days (dates by the day, so the cache holds) */
  serverExpiringSoon: Pem;
  /** same SANs as `server`, valid only from 10 days on */
  serverNotYetValid: Pem;
  /** CN=egress-proxy, self-signed, NO SANs */
  egressProxy: Pem;
  /** CN=lab-admin, O=system:masters, clientAuth, signed by `ca` */
  client: Pem;
}

/** api-hosts.lab.test: the name the lab's /etc/hosts (not DNS) resolves (scenario hosts-override) */
export const LAB_SERVER_DNS = ['kubernetes', 'kubernetes.default.svc', 'api.lab.test', 'api-hosts.lab.test', 'localhost'];
export const LAB_SERVER_IPS = ['198.51.100.10', '198.51.100.11', '127.0.0.1'];

const DAY = 86_400_000;
const CACHE_DIR = join(tmpdir(), 'kubectl-netdiag-lab-pki');
const memCache = new Map<string, Pem>();

/**
 * Start of the current UTC month: default dates derive from it, so they (and therefore
 * the disk cache and the lab CA) stay the same for a whole month, across processes.
 */
function dayStart(): number {
  const d = new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

function monthStart(): number {
  const d = new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

interface Resolved {
  cn: string;
  o?: string;
  dns: string[];
  ips: string[];
  notBefore: string;
  notAfter: string;
  isCA: boolean;
  keyType: 'rsa' | 'ecdsa' | 'ed25519';
  issuer?: Pem;
  clientAuth: boolean;
  aia?: string;
}

function resolve(spec: CertSpec): Resolved {
  // defaults: valid since the day before this month began, for 400 days (CA: 10 years)
  const nb = spec.notBefore ?? new Date(monthStart() - DAY);
  const na = spec.notAfter ?? new Date(nb.getTime() + (spec.isCA ? 3650 : 400) * DAY);
  return {
    cn: spec.cn,
    o: spec.o,
    dns: spec.dns ?? [],
    ips: spec.ips ?? [],
    // X.509 has 1 s resolution
    notBefore: new Date(Math.floor(nb.getTime() / 1000) * 1000).toISOString(),
    notAfter: new Date(Math.floor(na.getTime() / 1000) * 1000).toISOString(),
    isCA: spec.isCA ?? false,
    keyType: spec.keyType ?? 'rsa',
    issuer: spec.issuer,
    clientAuth: spec.clientAuth ?? false,
    ...(spec.aia ? { aia: spec.aia } : {}),
  };
}

/** Mint a certificate (synchronous). See the file header for how. */
export function mintCert(spec: CertSpec): Pem {
  const r = resolve(spec);
  const hash = createHash('sha256').update(JSON.stringify(r)).digest('hex').slice(0, 32);
  const mem = memCache.get(hash);
  if (mem) return mem;
  const noCache = !!process.env.NETDIAG_LAB_PKI_NOCACHE;
  if (noCache) {
    const pem = mint(r);
    memCache.set(hash, pem);
    return pem;
  }
  const file = join(CACHE_DIR, `${hash}.json`);
  const cached = readCache(file);
  if (cached) {
    memCache.set(hash, cached);
    return cached;
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  const unlock = lock(join(CACHE_DIR, `${hash}.lock`));
  try {
    const again = readCache(file); // another process may have minted it meanwhile
    const pem = again ?? mint(r);
    if (!again) {
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(tmp, JSON.stringify(pem), { mode: 0o600 });
      renameSync(tmp, file); // atomic: readers never see half a file
    }
    memCache.set(hash, pem);
    return pem;
  } finally {
    unlock();
  }
}

function mint(r: Resolved): Pem {
  const issuerIsRsa = !r.issuer || new X509Certificate(r.issuer.cert).publicKey.asymmetricKeyType === 'rsa';
  return r.keyType === 'rsa' && issuerIsRsa && !r.aia ? mintWithForge(r) : mintWithOpenssl(r);
}

function readCache(file: string): Pem | undefined {
  try {
    const pem = JSON.parse(readFileSync(file, 'utf8')) as Pem;
    if (pem.cert && pem.key) return pem;
  } catch {
    /* not cached */
  }
  return undefined;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** A cross-process lock (mkdir is atomic); synchronous; breaks locks older than 60 s. */
function lock(dir: string): () => void {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(dir);
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(dir).mtimeMs > 60_000) rmSync(dir, { recursive: true, force: true });
      } catch {
        /* released meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${dir}`);
      Atomics.wait(sleepCell, 0, 0, 25);
    }
  }
}

function randomSerialHex(): string {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x01; // positive, no leading zero byte
  return b.toString('hex');
}

function subjectAttrs(r: Resolved): forge.pki.CertificateField[] {
  const attrs: forge.pki.CertificateField[] = [];
  if (r.o) attrs.push({ shortName: 'O', value: r.o });
  attrs.push({ shortName: 'CN', value: r.cn });
  return attrs;
}

function mintWithForge(r: Resolved): Pem {
  const kp = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = kp.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const pubPem = kp.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pubPem);
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(r.notBefore);
  cert.validity.notAfter = new Date(r.notAfter);
  cert.setSubject(subjectAttrs(r));

  let signKey: forge.pki.rsa.PrivateKey;
  let akid: string;
  if (r.issuer) {
    const issuerCert = forge.pki.certificateFromPem(r.issuer.cert);
    cert.setIssuer(issuerCert.subject.attributes);
    signKey = forge.pki.privateKeyFromPem(r.issuer.key) as forge.pki.rsa.PrivateKey;
    akid = issuerCert.generateSubjectKeyIdentifier().getBytes();
  } else {
    cert.setIssuer(subjectAttrs(r));
    signKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
    akid = cert.generateSubjectKeyIdentifier().getBytes();
  }

  const exts: object[] = [];
  if (r.isCA) {
    exts.push({ name: 'basicConstraints', cA: true, critical: true });
    exts.push({ name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true, digitalSignature: true });
  } else {
    exts.push({ name: 'basicConstraints', cA: false, critical: true });
    exts.push({ name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true });
    exts.push(r.clientAuth ? { name: 'extKeyUsage', clientAuth: true } : { name: 'extKeyUsage', serverAuth: true });
  }
  exts.push({ name: 'subjectKeyIdentifier' });
  if (r.issuer) exts.push({ name: 'authorityKeyIdentifier', keyIdentifier: akid });
  const alt = [...r.dns.map((value) => ({ type: 2, value })), ...r.ips.map((ip) => ({ type: 7, ip }))];
  if (alt.length) exts.push({ name: 'subjectAltName', altNames: alt });
  cert.setExtensions(exts);
  cert.sign(signKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keyPem };
}

function opensslTime(iso: string): string {
  // YYYYMMDDHHMMSSZ (GeneralizedTime; openssl ca accepts it and re-encodes per RFC 5280)
  return iso.replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

function mintWithOpenssl(r: Resolved): Pem {
  const dir = mkdtempSync(join(tmpdir(), 'netdiag-openssl-'));
  try {
    let keyPem: string;
    if (r.keyType === 'ecdsa') {
      keyPem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
    } else if (r.keyType === 'ed25519') {
      keyPem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    } else {
      keyPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs1', format: 'pem' })
        .toString();
    }
    const keyFile = join(dir, 'key.pem');
    writeFileSync(keyFile, keyPem, { mode: 0o600 });
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), randomSerialHex() + '\n');

    const ku = r.isCA
      ? 'critical, keyCertSign, cRLSign, digitalSignature'
      : r.keyType === 'rsa'
        ? 'critical, digitalSignature, keyEncipherment'
        : 'critical, digitalSignature';
    const extLines = [
      r.isCA ? 'basicConstraints = critical, CA:TRUE' : 'basicConstraints = critical, CA:FALSE',
      `keyUsage = ${ku}`,
      ...(r.isCA ? [] : [`extendedKeyUsage = ${r.clientAuth ? 'clientAuth' : 'serverAuth'}`]),
      'subjectKeyIdentifier = hash',
      ...(r.issuer ? ['authorityKeyIdentifier = keyid'] : []),
    ];
    const alt = [...r.dns.map((d) => `DNS:${d}`), ...r.ips.map((i) => `IP:${i}`)];
    if (alt.length) extLines.push(`subjectAltName = ${alt.join(', ')}`);
    if (r.aia) extLines.push(`authorityInfoAccess = caIssuers;URI:${r.aia}`);
    // Ed25519 signatures have no separate digest: openssl wants `default` for them
    const signerIsEd = r.issuer ? issuerIsEd25519(r) : r.keyType === 'ed25519';
    const md = signerIsEd ? 'default' : 'sha256';
    const conf = [
      '[ ca ]',
      'default_ca = labca',
      '[ labca ]',
      `dir = ${dir}`,
      'database = $dir/index.txt',
      'serial = $dir/serial',
      'new_certs_dir = $dir',
      `default_md = ${md}`,
      'policy = pol',
      'unique_subject = no',
      'email_in_dn = no',
      'copy_extensions = none',
      '[ pol ]',
      'organizationName = optional',
      'commonName = supplied',
      '[ req ]',
      'distinguished_name = dn',
      'prompt = no',
      '[ dn ]',
      ...(r.o ? [`O = ${r.o}`] : []),
      `CN = ${r.cn}`,
      '[ ext ]',
      ...extLines,
      '',
    ].join('\n');
    const confFile = join(dir, 'openssl.cnf');
    writeFileSync(confFile, conf);
    const csr = join(dir, 'req.csr');
    const out = join(dir, 'cert.pem');
    const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OPENSSL_CONF: confFile } });
    run(['req', '-new', '-config', confFile, '-key', keyFile, '-out', csr]);
    const caArgs = ['ca', '-batch', '-notext', '-config', confFile, '-extensions', 'ext', '-in', csr, '-out', out,
      '-startdate', opensslTime(r.notBefore), '-enddate', opensslTime(r.notAfter)];
    if (r.issuer) {
      writeFileSync(join(dir, 'issuer.crt'), r.issuer.cert);
      writeFileSync(join(dir, 'issuer.key'), r.issuer.key, { mode: 0o600 });
      caArgs.push('-cert', join(dir, 'issuer.crt'), '-keyfile', join(dir, 'issuer.key'));
    } else {
      caArgs.push('-selfsign', '-keyfile', keyFile);
    }
    run(caArgs);
    const certPem = readFileSync(out, 'utf8');
    const m = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(certPem);
    if (!m) throw new Error('openssl produced no certificate');
    return { cert: m[0].endsWith('\n') ? m[0] : m[0] + '\n', key: keyPem };
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`openssl failed minting ${r.cn}: ${err.stderr?.toString() ?? err.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function issuerIsEd25519(r: Resolved): boolean {
  if (!r.issuer) return false;
  try {
    return new X509Certificate(r.issuer.cert).publicKey.asymmetricKeyType === 'ed25519';
  } catch {
    return false;
  }
}

let labCache: LabPki | undefined;

/** The lab's fixed set of certificates (cached per process, and on disk for a day). */
export function labPki(): LabPki {
  if (labCache) return labCache;
  const ca = mintCert({ cn: 'lab-ca', o: 'kubectl-netdiag lab', isCA: true });
  const otherCa = mintCert({ cn: 'other-ca', o: 'somebody else', isCA: true });
  const intermediate = mintCert({ cn: 'lab-intermediate-ca', o: 'kubectl-netdiag lab', isCA: true, issuer: ca });
  const good = { dns: LAB_SERVER_DNS, ips: LAB_SERVER_IPS };
  const t = monthStart();
  labCache = {
    ca,
    otherCa,
    intermediate,
    server: mintCert({ cn: 'kube-apiserver', ...good, issuer: ca }),
    serverNoIpSan: mintCert({ cn: 'kube-apiserver', dns: LAB_SERVER_DNS, issuer: ca }),
    serverExpired: mintCert({
      cn: 'kube-apiserver',
      ...good,
      issuer: ca,
      notBefore: new Date(t - 430 * DAY),
      notAfter: new Date(t - 30 * DAY), // expired 30 to 61 days ago
    }),
    serverOtherCa: mintCert({ cn: 'kube-apiserver', ...good, issuer: otherCa }),
    serverWrongName: mintCert({ cn: 'kube-apiserver', ips: ['198.51.100.99'], issuer: ca }),
    serverEcdsa: mintCert({ cn: 'kube-apiserver', ...good, issuer: ca, keyType: 'ecdsa' }),
    serverExpiringSoon: mintCert({ cn: 'kube-apiserver', ...good, issuer: ca, notBefore: new Date(dayStart() - 355 * DAY), notAfter: new Date(dayStart() + 11 * DAY) }),
    serverNotYetValid: mintCert({ cn: 'kube-apiserver', ...good, issuer: ca, notBefore: new Date(dayStart() + 10 * DAY), notAfter: new Date(dayStart() + 375 * DAY) }),
    egressProxy: mintCert({ cn: 'egress-proxy' }),
    client: mintCert({ cn: 'lab-admin', o: 'system:masters', clientAuth: true, issuer: ca }),
  };
  return labCache;
}
