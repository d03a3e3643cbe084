// One TLS handshake that always yields evidence: verification is off during the handshake
// (rejectUnauthorized: false) and the whole presented chain is captured, so the caller can
// verify it afterwards with verifyChain() and explain exactly why kubectl would refuse it.

import type * as net from 'node:net';
import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { elapsed, startDeadline } from './deadline.ts';
import { isIPLiteral, joinHostPort } from './ip.ts';
import { abortedError, classifySocketError, guardSocket, openTcp, timeoutError, type NetError } from './tcp.ts';
import { certInfo, type CertInfo } from './x509.ts';
import { monotonicMs } from './clock.ts';

export interface TlsResult {
  /** handshake completed (verification is separate) */
  ok: boolean;
  durationMs: number;
  /** SNI sent; none for IP literals, like Go */
  servername?: string;
  protocol?: string;
  cipher?: string;
  alpn?: string;
  chain: CertInfo[];
  certificates: X509Certificate[];
  /** kinds: timeout, reset, refused, unreachable (TCP), alert (with the alert text), not-tls, aborted, other */
  error?: NetError;
  /** the TLS alert description when kind is 'alert' (e.g. 'handshake failure', 'certificate required') */
  alert?: string;
  /** TCP-level result when tlsHandshake opened the connection itself */
  localAddress?: string;
  socket?: tls.TLSSocket;
}

export interface TlsHandshakeOptions {
  /** an existing TCP connection or CONNECT tunnel */
  socket?: net.Socket;
  host: string;
  port: number;
  /** tls-server-name; default: host unless it is an IP */
  servername?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  alpn?: string[];
  timeoutMs: number;
  signal?: AbortSignal;
  /** keep the TLS socket open and return it (caller owns it) */
  keepOpen?: boolean;
  /** false: do not parse the presented chain (a connection only for requests; ~2 ms each) */
  chain?: boolean;
  /**
   * Called once the ClientHello is on its way (TCP connected): work that does not need the answer
   * can run while the server computes it.
   */
  onHelloSent?: () => void;
}

/** The presented chain, leaf first, as sent by the peer (no local trust store lookups). */
export function peerChain(sock: tls.TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  let c: tls.DetailedPeerCertificate | undefined = sock.getPeerCertificate(true) as tls.DetailedPeerCertificate;
  while (c && c.raw && c.raw.length) {
    const fp = c.fingerprint256 ?? c.raw.toString('base64');
    if (seen.has(fp)) break;
    seen.add(fp);
    try {
      out.push(new X509Certificate(c.raw));
    } catch {
      break;
    }
    const next: tls.DetailedPeerCertificate | undefined = c.issuerCertificate;
    if (!next || next === c) break;
    c = next;
  }
  return out;
}

const NOT_TLS = /wrong version number|packet length too long|unknown protocol|http request|record layer failure|bad record type|invalid record|unexpected message/i;

/** Classify a handshake error; `alert` is the TLS alert description when the peer sent one. */
export function classifyTlsError(err: NodeJS.ErrnoException, what: string): { error: NetError; alert?: string } {
  const msg = err.message ?? String(err);
  const code = err.code ?? (err as { library?: string }).library;
  const alertM = /(?:sslv3|tlsv1[0-9]*|ssl\/tls) alert ([a-z ]+?)(?::|$| \()/i.exec(msg) ?? /alert_([a-z_]+)/i.exec(String(err.code ?? ''));
  if (alertM || /ALERT/.test(String(err.code ?? ''))) {
    let alert = alertM ? alertM[1].replace(/_/g, ' ').toLowerCase().trim() : undefined;
    if (!alert && err.code) {
      const m = /ALERT_(.+)$/.exec(err.code);
      alert = m ? m[1].replace(/_/g, ' ').toLowerCase() : undefined;
    }
    const n = /SSL alert number (\d+)/.exec(msg)?.[1];
    return {
      error: { kind: 'alert', ...(code ? { code: String(code) } : {}), message: `${what}: the server sent TLS alert "${alert ?? 'unknown'}"${n ? ` (${n})` : ''}${alertHint(alert)}` },
      alert,
    };
  }
  if (NOT_TLS.test(msg) || /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL/.test(String(err.code ?? ''))) {
    return { error: { kind: 'not-tls', ...(code ? { code: String(code) } : {}), message: `${what}: the server did not answer with TLS (plain HTTP or another protocol on this port?)` } };
  }
  if (/disconnected before secure TLS connection|socket hang up/i.test(msg)) {
    return { error: { kind: 'reset', code: err.code ?? 'ECONNRESET', message: `${what}: the server closed the connection during the handshake` } };
  }
  if (/protocol version|no protocols available|unsupported protocol/i.test(msg)) {
    return { error: { kind: 'alert', ...(code ? { code: String(code) } : {}), message: `${what}: no TLS version in common (${msg})` }, alert: 'protocol version' };
  }
  const e = classifySocketError(err, what);
  return { error: e };
}

function alertHint(alert: string | undefined): string {
  switch (alert) {
    case 'certificate required':
    case 'bad certificate':
      return ': the server wants a client certificate it accepts';
    case 'handshake failure':
      return ': no cipher suite or TLS version in common, or a client certificate was required';
    case 'unrecognized name':
      return ': the server does not serve this SNI name';
    case 'unknown ca':
      return ': the server does not trust the client certificate\'s CA';
    case 'protocol version':
      return ': no TLS version in common';
    default:
      return '';
  }
}


// One SecureContext per client identity, reused by every handshake: building one (OpenSSL loading
// its defaults) costs more than 1 ms of CPU, paid per connection when tls.connect makes its own
// (a fleet of 200 contexts makes thousands). An empty CA list keeps getPeerCertificate(true) to
// what the server sent.
const secureContexts = new Map<string, tls.SecureContext>();
function secureContextFor(cert: string | undefined, key: string | undefined): tls.SecureContext {
  const id = cert || key ? `${cert ?? ''}\0${key ?? ''}` : '';
  let c = secureContexts.get(id);
  if (!c) {
    c = tls.createSecureContext({ ca: [], ...(cert ? { cert } : {}), ...(key ? { key } : {}) });
    if (secureContexts.size < 64) secureContexts.set(id, c);
  }
  return c;
}

export async function tlsHandshake(opts: TlsHandshakeOptions): Promise<TlsResult> {
  const startedAt = monotonicMs();
  const host = opts.host.startsWith('[') && opts.host.endsWith(']') ? opts.host.slice(1, -1) : opts.host;
  const sniCandidate = opts.servername !== undefined && opts.servername !== '' ? opts.servername : host;
  // Go (crypto/tls hostnameInSNI) never sends an IP literal as SNI
  const servername = isIPLiteral(sniCandidate) ? undefined : sniCandidate.replace(/\.$/, '');
  const what = `TLS handshake with ${joinHostPort(host, opts.port)}${servername && servername !== host ? ` (SNI ${servername})` : ''}`;
  const base = { servername, chain: [] as CertInfo[], certificates: [] as X509Certificate[] };

  let raw = opts.socket;
  let localAddress: string | undefined;
  if (!raw) {
    const tcp = await openTcp(host, opts.port, { timeoutMs: opts.timeoutMs, signal: opts.signal });
    if (!tcp.ok || !tcp.socket) {
      return { ...base, ok: false, durationMs: elapsed(startedAt), error: tcp.error };
    }
    raw = tcp.socket;
    localAddress = tcp.localAddress;
  }
  const remaining = Math.max(0, opts.timeoutMs - (monotonicMs() - startedAt));
  const rawSocket = raw;

  return new Promise<TlsResult>((resolve) => {
    let settled = false;
    let sock: tls.TLSSocket | undefined;
    const finish = (r: Partial<TlsResult> & { ok: boolean }) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      if (sock) {
        sock.removeListener('secureConnect', onSecure);
        sock.removeListener('error', onError);
        sock.removeListener('close', onClose);
      }
      let certificates: X509Certificate[] = [];
      if (sock && opts.chain !== false) {
        try {
          certificates = peerChain(sock);
        } catch {
          certificates = [];
        }
      }
      let chain: CertInfo[] = [];
      try {
        chain = certificates.map((c) => certInfo(c));
      } catch {
        chain = [];
      }
      const keep = r.ok && opts.keepOpen && sock;
      if (keep) guardSocket(sock!);
      else {
        sock?.destroy();
        rawSocket.destroy();
      }
      resolve({
        ...base,
        durationMs: elapsed(startedAt),
        ...(localAddress ? { localAddress } : {}),
        ...r,
        certificates,
        chain,
        ...(keep ? { socket: sock } : {}),
      });
    };
    const deadline = startDeadline({ timeoutMs: remaining, signal: opts.signal }, (why) =>
      finish({ ok: false, error: why === 'timeout' ? timeoutError(what, opts.timeoutMs, 'the server accepted the connection but did not complete the handshake') : abortedError(what) }),
    );
    const onSecure = () => {
      const s = sock!;
      const cipher = s.getCipher();
      finish({
        ok: true,
        protocol: s.getProtocol() ?? undefined,
        cipher: cipher?.standardName ?? cipher?.name,
        alpn: typeof s.alpnProtocol === 'string' ? s.alpnProtocol : undefined,
      });
    };
    const onError = (err: NodeJS.ErrnoException) => {
      const c = classifyTlsError(err, what);
      finish({ ok: false, error: c.error, ...(c.alert ? { alert: c.alert } : {}) });
    };
    const onClose = () => finish({ ok: false, error: { kind: 'reset', code: 'ECONNRESET', message: `${what}: the server closed the connection during the handshake` } });
    if (settled) return;
    try {
      sock = tls.connect({
        socket: rawSocket,
        servername,
        rejectUnauthorized: false,
        secureContext: secureContextFor(opts.clientCertPem, opts.clientKeyPem),
        ...(opts.alpn?.length ? { ALPNProtocols: opts.alpn } : {}),
      });
    } catch (err) {
      finish({ ok: false, error: { kind: 'other', message: `${what}: ${(err as Error).message}` } });
      return;
    }
    sock.once('secureConnect', onSecure);
    sock.on('error', onError);
    sock.once('close', onClose);
    opts.onHelloSent?.();
  });
}

// ------------------------------------------------------------------ a handshake that stalls
// "net/http: TLS handshake timeout": TCP connects, then nothing. Two cheap probes, run while the
// handshake is still pending and inside its deadline, tell the causes apart:
//  - a plain-text `GET /` on the same port: any small reaction (Go's server answers
//    `400 Bad Request … Client sent an HTTP request to an HTTPS server`; others reset or close)
//    proves the path carries small packets both ways; the handshake's first large packet (the
//    server's certificate flight) is what vanishes: a path-MTU black hole;
//  - a second handshake with a longer deadline: when it completes, the server is slow, and it
//    says how slow.
// No reaction to either: the server (or a TCP load balancer with no backend) accepts and never answers.

export interface PlainProbe {
  /** what the port did with a plain-text request */
  reaction: 'answered' | 'closed' | 'reset' | 'nothing' | 'connect-failed';
  /** the first line of the answer, when one came */
  firstLine?: string;
  bytes: number;
  durationMs: number;
  error?: NetError;
}

/** Send `GET / HTTP/1.1` in plain text to a TLS port and wait for any reaction until the deadline. */
export async function plainTextProbe(host: string, port: number, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<PlainProbe> {
  const startedAt = monotonicMs();
  const tcp = await openTcp(host, port, { timeoutMs: opts.timeoutMs, signal: opts.signal });
  if (!tcp.ok || !tcp.socket) return { reaction: 'connect-failed', bytes: 0, durationMs: elapsed(startedAt), error: tcp.error };
  const sock = tcp.socket;
  const remaining = Math.max(1, opts.timeoutMs - (monotonicMs() - startedAt));
  return new Promise<PlainProbe>((resolve) => {
    let settled = false;
    let data = Buffer.alloc(0);
    const finish = (reaction: PlainProbe['reaction']) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      sock.removeAllListeners('data');
      sock.destroy();
      const text = data.toString('latin1');
      const firstLine = text.split(/\r?\n/)[0]?.trim();
      resolve({ reaction, bytes: data.length, durationMs: elapsed(startedAt), ...(firstLine ? { firstLine: firstLine.slice(0, 120) } : {}) });
    };
    const deadline = startDeadline({ timeoutMs: remaining, signal: opts.signal }, () => finish(data.length ? 'answered' : 'nothing'));
    sock.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]).subarray(0, 4096);
      // the first line is enough: any answer proves small packets pass
      if (data.includes(10)) finish('answered');
    });
    sock.once('end', () => finish(data.length ? 'answered' : 'closed'));
    sock.once('close', () => finish(data.length ? 'answered' : 'closed'));
    sock.on('error', (e: NodeJS.ErrnoException) => finish(data.length ? 'answered' : e.code === 'ECONNRESET' ? 'reset' : 'closed'));
    sock.write(`GET / HTTP/1.1\r\nHost: ${joinHostPort(host, port)}\r\nUser-Agent: kubectl-netdiag\r\nConnection: close\r\n\r\n`);
  });
}

export type StallCause =
  /** the second, longer try completed: the server is slow */
  | { kind: 'slow'; tookMs: number }
  /** small packets get an answer, the handshake's large ones do not */
  | { kind: 'mtu-blackhole'; reaction: PlainProbe['reaction']; firstLine?: string }
  /** nothing answers even a small request */
  | { kind: 'no-answer' }
  /** the probes could not tell (the probe connection itself failed) */
  | { kind: 'unknown'; why: string };

/** Judge a stalled handshake from the probes' results (pure). */
export function judgeHandshakeStall(e: { plain?: PlainProbe; retry?: Pick<TlsResult, 'ok' | 'durationMs' | 'error'> }): StallCause {
  if (e.retry?.ok) return { kind: 'slow', tookMs: e.retry.durationMs };
  const p = e.plain;
  if (!p) return { kind: 'unknown', why: 'the plain-text probe did not run' };
  if (p.reaction === 'answered' || p.reaction === 'closed' || p.reaction === 'reset') {
    return { kind: 'mtu-blackhole', reaction: p.reaction, ...(p.firstLine ? { firstLine: p.firstLine } : {}) };
  }
  if (p.reaction === 'nothing') return { kind: 'no-answer' };
  return { kind: 'unknown', why: `the plain-text probe could not connect (${p.error?.message ?? 'connect failed'})` };
}
