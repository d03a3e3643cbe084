// HTTP CONNECT through a proxy (what Go's Transport does for https:// URLs behind an
// HTTP(S) proxy). We write the request and parse the answer ourselves so that the proxy's
// status line, headers and body (the evidence) are kept verbatim.

import type * as net from 'node:net';
import * as tls from 'node:tls';
import { elapsed, startDeadline, type NetOpts } from './deadline.ts';
import { isIPLiteral, joinHostPort, urlHostname } from './ip.ts';
import { redactUrl } from '../report/redact.ts';
import { abortedError, classifySocketError, guardSocket, openTcp, timeoutError, type NetError } from './tcp.ts';
import { monotonicMs } from './clock.ts';

export interface ConnectResult {
  /** a 2xx answer: the tunnel is open */
  ok: boolean;
  /** redacted proxy URL */
  proxy: string;
  /** "host:port" asked for */
  target: string;
  durationMs: number;
  statusCode?: number;
  statusLine?: string;
  /** lowercased names; repeated headers joined with ", " */
  headers?: Record<string, string>;
  /** first 4 KiB of a non-2xx body, as text */
  body?: string;
  /** where it failed: reaching the proxy, the TLS handshake with an https:// proxy, or the CONNECT exchange */
  stage?: 'proxy-tcp' | 'proxy-tls' | 'connect';
  error?: NetError;
  /** the tunnel when ok; the caller owns it */
  socket?: net.Socket;
}

const MAX_HEADER = 64 * 1024;
const MAX_BODY = 4 * 1024;

export interface HttpConnectOptions extends NetOpts {
  /** extra request headers (e.g. User-Agent) */
  headers?: Record<string, string>;
  /** CA bundle for an https:// proxy (verification is reported, never enforced) */
  proxyCa?: string | string[];
}

function decodeUserinfo(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The connection to the proxy itself: TCP, then TLS for an https:// proxy. */
export interface ProxyConnection {
  /** "host:port" of the proxy */
  proxyAddr: string;
  socket?: net.Socket;
  stage?: 'proxy-tcp' | 'proxy-tls';
  error?: NetError;
}

/**
 * Open a connection to an http:// or https:// proxy (no request sent): what Go's Transport does
 * before CONNECT (https:// targets) or before it sends a plain http:// request to the proxy.
 */
export async function openProxy(proxy: URL, opts: NetOpts & { proxyCa?: string | string[] }): Promise<ProxyConnection> {
  const startedAt = monotonicMs();
  const scheme = proxy.protocol.replace(/:$/, '');
  const proxyHost = urlHostname(proxy);
  const proxyPort = Number(proxy.port || (scheme === 'https' ? 443 : 80));
  const proxyAddr = joinHostPort(proxyHost, proxyPort);
  const tcp = await openTcp(proxyHost, proxyPort, { timeoutMs: opts.timeoutMs, signal: opts.signal });
  if (!tcp.ok || !tcp.socket) {
    const err = tcp.error ?? { kind: 'other', message: 'connect failed' };
    return { proxyAddr, stage: 'proxy-tcp', error: { ...err, message: `proxy ${proxyAddr}: ${err.message}` } };
  }
  if (scheme !== 'https') return { proxyAddr, socket: tcp.socket };
  const remaining = Math.max(0, opts.timeoutMs - (monotonicMs() - startedAt));
  const t = await tlsToProxy(tcp.socket, proxyHost, { timeoutMs: remaining, signal: opts.signal, ca: opts.proxyCa });
  if (!t.socket) {
    tcp.socket.destroy();
    return { proxyAddr, stage: 'proxy-tls', error: t.error };
  }
  return { proxyAddr, socket: t.socket };
}

/** The Proxy-Authorization header Go sends for a proxy URL with userinfo (Basic, decoded). */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const cred = `${decodeUserinfo(proxy.username)}:${decodeUserinfo(proxy.password)}`;
  return `Basic ${Buffer.from(cred, 'utf8').toString('base64')}`;
}

export async function httpConnect(proxy: URL, targetHost: string, targetPort: number, opts: HttpConnectOptions): Promise<ConnectResult> {
  const startedAt = monotonicMs();
  const shownProxy = redactUrl(proxy);
  const th = targetHost.startsWith('[') && targetHost.endsWith(']') ? targetHost.slice(1, -1) : targetHost;
  const target = joinHostPort(th, targetPort);
  const base = { proxy: shownProxy, target };
  const scheme = proxy.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') {
    return {
      ...base,
      ok: false,
      durationMs: 0,
      stage: 'connect',
      error: { kind: 'other', code: 'EPROTONOSUPPORT', message: `proxy scheme ${scheme}:// does not speak HTTP CONNECT` },
    };
  }

  // 1. TCP to the proxy, 2. TLS to an https:// proxy
  const opened = await openProxy(proxy, { timeoutMs: opts.timeoutMs, signal: opts.signal, proxyCa: opts.proxyCa });
  const proxyAddr = opened.proxyAddr;
  if (!opened.socket) {
    return { ...base, ok: false, durationMs: elapsed(startedAt), stage: opened.stage, error: opened.error };
  }
  const socket: net.Socket = opened.socket;

  // 3. CONNECT
  const lines = [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`];
  const hasUA = Object.keys(opts.headers ?? {}).some((k) => k.toLowerCase() === 'user-agent');
  if (!hasUA) lines.push('User-Agent: kubectl-netdiag');
  for (const [k, v] of Object.entries(opts.headers ?? {})) lines.push(`${k}: ${v}`);
  const auth = proxyAuthorization(proxy);
  if (auth) lines.push(`Proxy-Authorization: ${auth}`);
  const request = lines.join('\r\n') + '\r\n\r\n';

  return new Promise<ConnectResult>((resolve) => {
    let settled = false;
    let buf = Buffer.alloc(0);
    let head: { statusCode: number; statusLine: string; headers: Record<string, string>; bodyStart: number } | undefined;
    let contentLength: number | undefined;
    const s = socket;

    const cleanup = () => {
      s.removeListener('data', onData);
      s.removeListener('end', onEnd);
      s.removeListener('close', onEnd);
      s.removeListener('error', onError);
    };
    const finish = (r: Omit<ConnectResult, 'proxy' | 'target' | 'durationMs'>) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      cleanup();
      if (!r.ok) s.destroy();
      resolve({ ...base, durationMs: elapsed(startedAt), ...r });
    };
    const withHead = () =>
      head ? { statusCode: head.statusCode, statusLine: head.statusLine, headers: head.headers } : {};
    let chunked = false;
    const bodyBytes = (): { bytes: Buffer; done: boolean } => {
      const raw = head ? buf.subarray(head.bodyStart) : Buffer.alloc(0);
      if (chunked) return decodeChunked(raw);
      return { bytes: raw, done: contentLength !== undefined && raw.length >= contentLength };
    };
    const bodyText = () => (head ? bodyBytes().bytes.subarray(0, MAX_BODY).toString('utf8') : undefined);
    const finishNon2xx = () => finish({ ok: false, stage: 'connect', ...withHead(), body: bodyText() });

    const deadline = startDeadline({ timeoutMs: Math.max(0, opts.timeoutMs - (monotonicMs() - startedAt)), signal: opts.signal }, (why) => {
      if (head) return finishNon2xx(); // status known: report what arrived of the body
      finish({
        ok: false,
        stage: 'connect',
        error:
          why === 'timeout'
            ? timeoutError(`CONNECT ${target} via proxy ${proxyAddr}`, opts.timeoutMs, 'the proxy accepted the connection but did not answer')
            : abortedError(`CONNECT ${target} via proxy ${proxyAddr}`),
      });
    });

    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!head) {
        const end = buf.indexOf('\r\n\r\n');
        const lfEnd = end < 0 ? buf.indexOf('\n\n') : -1;
        if (end < 0 && lfEnd < 0) {
          if (buf.length > MAX_HEADER) {
            finish({ ok: false, stage: 'connect', error: { kind: 'protocol', message: `proxy ${proxyAddr} sent more than ${MAX_HEADER} bytes without ending its headers` } });
          } else if (buf.length >= 5 && !/^HTTP\//.test(buf.subarray(0, 5).toString('latin1'))) {
            finish({ ok: false, stage: 'connect', error: notHttp(proxyAddr, buf) });
          }
          return;
        }
        const headerEnd = end >= 0 ? end : lfEnd;
        const sepLen = end >= 0 ? 4 : 2;
        const text = buf.subarray(0, headerEnd).toString('latin1');
        const [statusLine, ...hl] = text.split(/\r?\n/);
        const m = /^HTTP\/\d(?:\.\d)?\s+(\d{3})(?:\s.*)?$/.exec(statusLine);
        if (!m) {
          finish({ ok: false, stage: 'connect', error: notHttp(proxyAddr, buf) });
          return;
        }
        const headers: Record<string, string> = {};
        for (const line of hl) {
          const c = line.indexOf(':');
          if (c <= 0) continue;
          const k = line.slice(0, c).trim().toLowerCase();
          const v = line.slice(c + 1).trim();
          headers[k] = headers[k] !== undefined ? `${headers[k]}, ${v}` : v;
        }
        head = { statusCode: Number(m[1]), statusLine, headers, bodyStart: headerEnd + sepLen };
        if (head.statusCode >= 200 && head.statusCode < 300) {
          const rest = buf.subarray(head.bodyStart);
          cleanup();
          s.pause();
          if (rest.length) s.unshift(rest);
          guardSocket(s);
          finish({ ok: true, ...withHead(), socket: s });
          return;
        }
        if (head.statusCode >= 100 && head.statusCode < 200) {
          // an interim answer: keep reading for the real one
          buf = buf.subarray(head.bodyStart);
          head = undefined;
          if (buf.length) onData(Buffer.alloc(0));
          return;
        }
        const cl = headers['content-length'];
        chunked = /\bchunked\b/i.test(headers['transfer-encoding'] ?? '');
        contentLength = !chunked && cl !== undefined && /^\d+$/.test(cl) ? Number(cl) : undefined;
      }
      const b = bodyBytes();
      if (b.done || b.bytes.length >= MAX_BODY) finishNon2xx();
    };
    const onEnd = () => {
      if (head) return finishNon2xx();
      finish({
        ok: false,
        stage: 'connect',
        error: {
          kind: 'reset',
          code: 'ECONNRESET',
          message: `proxy ${proxyAddr} closed the connection without answering CONNECT ${target}${buf.length ? ` (sent ${buf.length} bytes of garbage)` : ''}`,
        },
      });
    };
    const onError = (err: NodeJS.ErrnoException) => {
      if (head) return finishNon2xx();
      finish({ ok: false, stage: 'connect', error: classifySocketError(err, `CONNECT ${target} via proxy ${proxyAddr}`) });
    };
    s.on('data', onData);
    s.on('end', onEnd);
    s.on('close', onEnd);
    s.on('error', onError);
    s.write(request);
  });
}

/** Best-effort decoding of a chunked body received so far. */
export function decodeChunked(raw: Buffer): { bytes: Buffer; done: boolean } {
  const parts: Buffer[] = [];
  let p = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', p);
    if (eol < 0) return { bytes: Buffer.concat(parts), done: false };
    const size = Number.parseInt(raw.subarray(p, eol).toString('latin1').split(';')[0].trim(), 16);
    if (!Number.isFinite(size)) return { bytes: Buffer.concat([...parts, raw.subarray(p)]), done: true };
    if (size === 0) return { bytes: Buffer.concat(parts), done: true };
    const start = eol + 2;
    const end = start + size;
    parts.push(raw.subarray(start, Math.min(end, raw.length)));
    if (end + 2 > raw.length) return { bytes: Buffer.concat(parts), done: false };
    p = end + 2;
  }
}

function notHttp(proxyAddr: string, buf: Buffer): NetError {
  const sample = buf.subarray(0, 64).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  const tlsLike = buf[0] === 0x16 || buf[0] === 0x15;
  return {
    kind: 'protocol',
    message: tlsLike
      ? `proxy ${proxyAddr} answered with TLS: it expects https:// in the proxy URL`
      : `proxy ${proxyAddr} did not answer with HTTP: ${JSON.stringify(sample)}`,
  };
}

async function tlsToProxy(
  socket: net.Socket,
  proxyHost: string,
  opts: NetOpts & { ca?: string | string[] },
): Promise<{ socket?: tls.TLSSocket; error?: NetError }> {
  const what = `TLS handshake with proxy ${proxyHost}`;
  return new Promise((resolve) => {
    let settled = false;
    const t = tls.connect({
      socket,
      servername: isIPLiteral(proxyHost) ? undefined : proxyHost,
      rejectUnauthorized: false,
      ...(opts.ca ? { ca: opts.ca } : {}),
    });
    const finish = (r: { socket?: tls.TLSSocket; error?: NetError }) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      t.removeListener('secureConnect', onSecure);
      t.removeListener('error', onError);
      if (!r.socket) t.destroy();
      else guardSocket(t);
      resolve(r);
    };
    const deadline = startDeadline(opts, (why) =>
      finish({ error: why === 'timeout' ? timeoutError(what, opts.timeoutMs, 'the proxy did not complete the handshake') : abortedError(what) }),
    );
    const onSecure = () => finish({ socket: t });
    const onError = (err: NodeJS.ErrnoException) => {
      const e = classifySocketError(err, what);
      if (/wrong version number|packet length too long|http request/i.test(err.message)) {
        e.kind = 'not-tls';
        e.message = `${what}: the proxy does not speak TLS (use http:// in the proxy URL?)`;
      }
      finish({ error: e });
    };
    t.once('secureConnect', onSecure);
    t.on('error', onError);
  });
}
