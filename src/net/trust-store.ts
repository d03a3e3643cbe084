// The system trust store, read as Go's crypto/x509 reads it on Linux (what kubectl trusts when the
// kubeconfig has no CA, and what `cert` calls "the system store"): the first CA bundle file that
// exists (SSL_CERT_FILE instead of the list when set), plus every file of the CA directories
// (SSL_CERT_DIR, colon-separated, instead of the defaults when set). Only the roots that can anchor
// one presented chain are parsed: those whose subject is the issuer of a presented certificate.
// Parsing every root of the store (hundreds of X509Certificate objects) would cost more than the
// handshake. The one loader for `api` (x509.ts verifyChain with roots 'system') and `cert`.
import { X509Certificate } from 'node:crypto';
import { execFile } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, type Dirent } from 'node:fs';
import * as tls from 'node:tls';
import { children, readTlv } from './der.ts';

/** Go's crypto/x509 certFiles for Linux, in order: the first that exists is read. */
export const CERT_FILES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/tls/cacert.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

/** Go's crypto/x509 certDirectories for Linux: every file in each is read. */
export const CERT_DIRECTORIES = ['/etc/ssl/certs', '/etc/pki/tls/certs'];

/** Where the store is read from, for this environment (Go's SSL_CERT_FILE and SSL_CERT_DIR rules). */
export function trustStoreSources(env: Record<string, string | undefined>): { files: string[]; directories: string[] } {
  return {
    files: env.SSL_CERT_FILE ? [env.SSL_CERT_FILE] : CERT_FILES,
    directories: env.SSL_CERT_DIR ? env.SSL_CERT_DIR.split(':').filter(Boolean) : CERT_DIRECTORIES,
  };
}

/**
 * Go's readUniqueDirectoryEntries: the files of a directory, without the symbolic links that point
 * into the same directory (the OpenSSL hash links, e.g. 002c0b4f.0 -> GlobalSign_Root_R46.pem).
 * In the default directories, links that point elsewhere are skipped too when the bundle read is a
 * default one: there they are the ones update-ca-certificates made for the roots it also wrote into
 * that bundle (reading those ~150 files costs more than the handshake: ~7 ms of open/readlink/read
 * here); regular files (a CA dropped in by hand) are read. This holds for the directory, however it
 * is named: SSL_CERT_DIR=/etc/ssl/certs (set by several toolchains) is the same directory. Any
 * other directory, or a default one beside a bundle named by SSL_CERT_FILE outside the defaults, is
 * read whole, as Go does.
 */
function uniqueEntries(dir: string, whole: boolean): string[] {
  // (whole: also the links that point elsewhere; readsLinksElsewhere decides)
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  // (filtered first, then sorted: /etc/ssl/certs holds ~300 entries, of which one is read)
  for (const e of entries) {
    const path = `${dir}/${e.name}`;
    if (e.isSymbolicLink()) {
      if (!whole) continue;
      try {
        if (!readlinkSync(path).includes('/')) continue;
      } catch {
        continue;
      }
    } else if (!e.isFile()) continue;
    out.push(path);
  }
  out.sort();
  return out;
}

/** Whether the links of `dir` that point elsewhere are read, beside the bundle read (see uniqueEntries). */
export function readsLinksElsewhere(dir: string, bundle: string): boolean {
  return !(CERT_DIRECTORIES.includes(dir.replace(/\/+$/, '')) && CERT_FILES.includes(bundle));
}

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
  /** the bundle file read (or "Node's bundled Mozilla roots" when the system has none) */
  source: string;
  /** the file each root was found in, index for index */
  files: string[];
}

/**
 * The roots of the system store that can anchor the presented chain (any of whose issuers they
 * name). The CA directories are read only when the bundle file holds none of them: on the usual
 * systems they hold the same roots as the bundle, one file each, and a chain the bundle anchors
 * needs nothing more.
 */
export function systemAnchorsFor(presented: X509Certificate[], env: Record<string, string | undefined>): Anchors {
  const wanted = new Map<string, Buffer>();
  for (const c of presented) {
    const n = rawName(c.raw, 'issuer');
    if (n && !wanted.has(n)) wanted.set(n, Buffer.from(n, 'hex'));
  }
  const names = [...wanted.values()];
  const out: Anchors = { roots: [], source: '', files: [] };
  const found = new Set<string>();
  const seen = new Set<string>();
  const scan = ({ file, ders }: StoreFile) => {
    for (const der of ders) {
      // the names' bytes first (native), the exact subject only for the blocks that hold one
      if (!names.some((n) => der.indexOf(n) >= 0)) continue;
      const s = rawName(der, 'subject');
      if (!s || !wanted.has(s)) continue;
      let root: X509Certificate;
      try {
        root = new X509Certificate(der);
      } catch {
        continue; // unparsable root: ignored, like Go
      }
      if (seen.has(root.fingerprint256)) continue;
      seen.add(root.fingerprint256);
      found.add(s);
      out.roots.push(root);
      out.files.push(file);
    }
  };
  const store = storeFor(env);
  out.source = store.source;
  if (store.bundle) scan(store.bundle);
  let dirFiles = 0;
  if (!out.source || found.size === 0) {
    for (const f of dirFilesOf(env, store)) {
      dirFiles++;
      scan(f);
    }
  }
  if (!out.source && dirFiles === 0) {
    out.source = "Node's bundled Mozilla roots";
    scan({ file: out.source, ders: pemDers(Buffer.from(tls.rootCertificates.join('\n'), 'latin1')) });
  } else if (!out.source) {
    out.source = trustStoreSources(env).directories.join(':');
  }
  return out;
}

/** A file of the store and the DER of each CERTIFICATE block in it. */
interface StoreFile {
  file: string;
  ders: Buffer[];
}

/** The store as read for one environment: the bundle file, and (when read) the CA directories' files. */
interface Store {
  at: number;
  source: string;
  bundle?: StoreFile;
  dirs?: StoreFile[];
}

// Read once per environment object for a few seconds: `cert` asks twice (the anchors, then where an
// interceptor's CA is installed), and reads it while its handshake is in flight (prefetchSystemStore);
// a later run in the same process (the terminal UI) reads it again.
const STORE_TTL_MS = 10_000;
const stores = new WeakMap<object, Store>();

function storeFor(env: Record<string, string | undefined>): Store {
  const cached = stores.get(env);
  if (cached && Date.now() - cached.at < STORE_TTL_MS) return cached;
  const store: Store = { at: Date.now(), source: '' };
  for (const f of trustStoreSources(env).files) {
    try {
      const pem = readFileSync(f);
      store.source = f;
      store.bundle = { file: f, ders: pemDers(pem) };
      break;
    } catch {
      // next
    }
  }
  stores.set(env, store);
  return store;
}

/** The PEM files of the CA directories, besides the bundle (see uniqueEntries for which). */
function dirFilesOf(env: Record<string, string | undefined>, store: Store): StoreFile[] {
  if (store.dirs) return store.dirs;
  const out: StoreFile[] = [];
  for (const dir of trustStoreSources(env).directories) {
    for (const f of uniqueEntries(dir.replace(/\/+$/, '') || dir, readsLinksElsewhere(dir, store.source))) {
      if (f === store.source) continue;
      const pem = readSmallFile(f);
      if (!pem) continue; // a subdirectory, or unreadable: Go skips it too
      if (pem.indexOf(BEGIN_ANY) < 0) continue;
      out.push({ file: f, ders: pemDers(pem) });
    }
  }
  store.dirs = out;
  return out;
}

/**
 * Reads the store for `env` in the background (after the current I/O events): called when a
 * handshake starts, so that the reading and decoding (~4 ms) happen while the server answers. The
 * CA directories are read too when that is cheap (the default ones beside the default bundle: one
 * listing, no links followed); a directory read whole waits until a chain needs it.
 */
export function prefetchSystemStore(env: Record<string, string | undefined>): void {
  setImmediate(() => {
    try {
      const store = storeFor(env);
      if (trustStoreSources(env).directories.every((d) => !readsLinksElsewhere(d, store.source))) dirFilesOf(env, store);
    } catch {
      // read again, and reported, when a chain needs it
    }
  });
}

// A CA directory holds one small PEM file per root (about 150 on Debian, a few KB each): each is
// read into one reused buffer (open, read, close: no stat, no new buffer, no decoding), which
// measured here 2 ms for the 152 files of /etc/ssl/certs against 7-14 ms with readFileSync.
const SMALL = Buffer.allocUnsafe(64 * 1024);

/** The bytes of a file (a view of a shared buffer: use it before the next call), or undefined. */
function readSmallFile(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    let n = 0;
    for (let got = -1; got !== 0 && n < SMALL.length; n += got) got = readSync(fd, SMALL, n, SMALL.length - n, null);
    if (n < SMALL.length) return SMALL.subarray(0, n);
    return readFileSync(path); // larger than the buffer: read it whole
  } catch {
    return undefined; // EISDIR, or unreadable
  } finally {
    closeSync(fd);
  }
}

const BEGIN_ANY = Buffer.from('-----BEGIN');
const BEGIN = Buffer.from('-----BEGIN CERTIFICATE-----');
const END = Buffer.from('-----END CERTIFICATE-----');

/** The DER of every CERTIFICATE block of a PEM file (Node's base64 decoder skips the line breaks, as Go's pem.Decode does). */
function pemDers(pem: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = pem.indexOf(BEGIN); at >= 0; at = pem.indexOf(BEGIN, at + 1)) {
    const body = at + BEGIN.length;
    const end = pem.indexOf(END, body);
    if (end < 0) break;
    out.push(Buffer.from(pem.toString('latin1', body, end), 'base64'));
    at = end;
  }
  return out;
}

// ------------------------------------------------------------------ where an interceptor's CA is installed
// A middlebox's CA is usually pushed into the operating system's trust store (by the company's
// device management), which is why curl and browsers work through it while kubectl, which trusts
// only the kubeconfig CA, fails. These find where: on Linux the bundle Go reads plus the folders
// administrators drop CAs into; on macOS the System keychain (`security find-certificate -a -p`);
// on Windows the machine's Root store (`certutil -store Root`). The command outputs are parsed by
// pure functions (unit-tested on recorded outputs); the commands run only on their own OS.

/** Where administrators install extra CAs: Debian/Ubuntu (update-ca-certificates), RHEL/Fedora (update-ca-trust). */
export const ADMIN_CA_DIRECTORIES = ['/usr/local/share/ca-certificates', '/etc/pki/ca-trust/source/anchors', '/usr/share/pki/ca-trust-source/anchors'];

export const MACOS_SYSTEM_KEYCHAIN_COMMAND = ['security', 'find-certificate', '-a', '-p', '/Library/Keychains/System.keychain'] as const;
export const WINDOWS_ROOT_STORE_COMMAND = ['certutil', '-store', 'Root'] as const;

export interface InstalledCa {
  /** the CA's subject */
  subject: string;
  /** where it is installed: a file, or the keychain / store */
  where: string;
}

/** Every certificate of a PEM text (`security find-certificate -a -p` prints one PEM block per certificate). */
export function parsePemCertificates(text: string): X509Certificate[] {
  const out: X509Certificate[] = [];
  const pem = Buffer.from(text, 'latin1');
  for (let at = pem.indexOf(BEGIN); at >= 0; at = pem.indexOf(BEGIN, at + 1)) {
    const end = pem.indexOf(END, at);
    if (end < 0) break;
    try {
      out.push(new X509Certificate(Buffer.from(pem.toString('latin1', at + BEGIN.length, end), 'base64')));
    } catch {
      // skip what does not parse
    }
  }
  return out;
}

export interface CertutilEntry {
  subject: string;
  /** SHA-1 thumbprint, lowercase hex without separators */
  sha1?: string;
}

/** The entries of `certutil -store Root` (Windows): its Subject and Cert Hash(sha1) lines. */
export function parseCertutilStore(text: string): CertutilEntry[] {
  const out: CertutilEntry[] = [];
  for (const block of text.split(/^=+ Certificate \d+ =+\s*$/m).slice(1)) {
    const subject = /^Subject:\s*(.+)$/m.exec(block)?.[1]?.trim();
    if (!subject) continue;
    const sha1 = /^Cert Hash\(sha1\):\s*([0-9a-f ]+)$/im.exec(block)?.[1]?.replace(/\s+/g, '').toLowerCase();
    out.push({ subject, ...(sha1 ? { sha1 } : {}) });
  }
  return out;
}

/** 'CN=a, OU=b, S=c' (certutil) and 'CN=a,OU=b,ST=c' (CertInfo) compare equal. */
export function sameDistinguishedName(a: string, b: string): boolean {
  const norm = (s: string) =>
    s
      .split(/\s*[,\n]\s*/)
      .map((p) => p.trim().replace(/^S=/, 'ST=').replace(/^E=/, 'emailAddress='))
      .filter(Boolean)
      .sort()
      .join(',')
      .toLowerCase();
  return norm(a) === norm(b);
}

/** Node's subject text ('CN=a\nO=b', most general first) as RFC 4514 text ('CN=a,O=b' order kept as CertInfo prints). */
function subjectOf(c: X509Certificate): string {
  return c.subject.split('\n').reverse().join(',');
}

/** The certificate among `candidates` that is a CA of the presented chain: one of its certificates, or its issuer (signature checked). */
export function caOfChain(presented: X509Certificate[], candidates: X509Certificate[]): X509Certificate | undefined {
  const fps = new Set(presented.map((p) => p.fingerprint256));
  for (const c of candidates) {
    if (fps.has(c.fingerprint256) && c.ca) return c;
    for (const p of presented) {
      try {
        if (p.issuer === c.subject && p.verify(c.publicKey)) return c;
      } catch {
        // another key type, or not a signer
      }
    }
  }
  return undefined;
}

/** Linux: the system store (as Go reads it) anchors the chain; and the admin folder file that installed it, when there is one. */
export function installedCaLinux(presented: X509Certificate[], env: Record<string, string | undefined>, adminDirs: readonly string[] = ADMIN_CA_DIRECTORIES): InstalledCa | undefined {
  const anchors = systemAnchorsFor(presented, env);
  const ca = caOfChain(presented, anchors.roots);
  if (!ca) return undefined;
  const bundle = anchors.files[anchors.roots.indexOf(ca)] ?? anchors.source;
  for (const dir of adminDirs) {
    for (const f of uniqueEntries(dir, true)) {
      let text: string;
      try {
        text = readFileSync(f, 'latin1');
      } catch {
        continue;
      }
      let certs = parsePemCertificates(text);
      if (certs.length === 0) {
        try {
          certs = [new X509Certificate(readFileSync(f))]; // DER (RHEL anchors may be .der)
        } catch {
          certs = [];
        }
      }
      if (certs.some((c) => c.fingerprint256 === ca.fingerprint256)) return { subject: subjectOf(ca), where: `${f} (in the system trust store ${bundle})` };
    }
  }
  return { subject: subjectOf(ca), where: `the system trust store ${bundle}` };
}

/** macOS: from the output of `security find-certificate -a -p /Library/Keychains/System.keychain`. */
export function installedCaMacos(presented: X509Certificate[], securityOutput: string): InstalledCa | undefined {
  const ca = caOfChain(presented, parsePemCertificates(securityOutput));
  return ca ? { subject: subjectOf(ca), where: 'the macOS System keychain (/Library/Keychains/System.keychain)' } : undefined;
}

/** Windows: from the output of `certutil -store Root`: by thumbprint of a presented CA, else by the issuer's name. */
export function installedCaWindows(presented: X509Certificate[], certutilOutput: string): InstalledCa | undefined {
  const entries = parseCertutilStore(certutilOutput);
  const thumbs = new Map(presented.map((p) => [p.fingerprint.replace(/:/g, '').toLowerCase(), p] as const));
  for (const e of entries) {
    if (e.sha1 && thumbs.has(e.sha1)) return { subject: e.subject, where: 'the Windows Root store (certutil -store Root)' };
  }
  const top = presented[presented.length - 1];
  const issuer = top ? top.issuer.split('\n').reverse().join(',') : undefined;
  const e = issuer ? entries.find((x) => sameDistinguishedName(x.subject, issuer)) : undefined;
  return e ? { subject: e.subject, where: 'the Windows Root store (certutil -store Root)' } : undefined;
}

/**
 * Where this machine trusts the CA that signed the presented chain, on this OS: Linux reads files;
 * macOS and Windows run their store's command (`run` gives its output, or undefined when it fails).
 */
export async function installedCaFor(
  presented: X509Certificate[],
  opts: { platform: NodeJS.Platform; env: Record<string, string | undefined>; run?: (argv: readonly string[]) => Promise<string | undefined> },
): Promise<InstalledCa | undefined> {
  if (presented.length === 0) return undefined;
  if (opts.platform === 'darwin' || opts.platform === 'win32') {
    const argv = opts.platform === 'darwin' ? MACOS_SYSTEM_KEYCHAIN_COMMAND : WINDOWS_ROOT_STORE_COMMAND;
    const out = opts.run ? await opts.run(argv) : undefined;
    if (out === undefined) return undefined;
    return opts.platform === 'darwin' ? installedCaMacos(presented, out) : installedCaWindows(presented, out);
  }
  return installedCaLinux(presented, opts.env);
}

/** Run a trust-store command (macOS `security`, Windows `certutil`) with a deadline: its stdout, or undefined. */
export function runStoreCommand(argv: readonly string[], timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (err, stdout) => resolve(err ? undefined : String(stdout)));
  });
}
