/**
 * Proxies for the lab:
 *  - startConnectProxy: a plain HTTP CONNECT proxy that tunnels (optional Basic auth → 407);
 *  - startInterceptingProxy: answers CONNECT with 200, terminates TLS itself with its own
 *    certificate (CN=egress-proxy, no SANs), reads the HTTP request and re-originates it over
 *    TLS to its upstream; when the upstream dial fails it answers like Envoy:
 *    `503 upstream connect error or disconnect/reset before headers. ...`;
 *  - startFailingProxy: refuses the CONNECT itself with a fixed status and body.
 *
 * SAFETY: a proxy dials whatever it is asked to. Outside the lab's network namespace
 * that could be any address, so by default (`allowTargets: 'loopback'`) proxies only dial
 * loopback targets and answer 403 to anything else. The lab process, which runs inside its
 * own network namespace with no route to the outside, passes `allowTargets: 'any'`.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';

export type AllowTargets = 'loopback' | 'any';

export interface ProxyHandle {
  url: string;
  host: string;
  port: number;
  /** one entry per CONNECT received */
  connects: Array<{ target: string; status: number }>;
  close(): Promise<void>;
}

const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENOTFOUND: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
};

/** Envoy's body for a failed upstream connect, e.g. `... delayed connect error: Connection refused`. */
export function envoyConnectErrorBody(code: string | undefined): string {
  if (code === 'ETIMEDOUT' || code === 'LAB_CONNECT_TIMEOUT') {
    return 'upstream connect error or disconnect/reset before headers. reset reason: connection timeout';
  }
  const text = (code && ERRNO_TEXT[code]) ?? code ?? 'unknown error';
  return `upstream connect error or disconnect/reset before headers. reset reason: remote connection failure, transport failure reason: delayed connect error: ${text}`;
}

export const ENVOY_REFUSED_BODY = envoyConnectErrorBody('ECONNREFUSED');

function isLoopbackTarget(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

function targetAllowed(allow: AllowTargets, host: string): boolean {
  return allow === 'any' || isLoopbackTarget(host);
}

/** Split "host:port" / "[v6]:port". */
export function splitHostPort(target: string): { host: string; port: number } | null {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(target) ?? /^([^:]+):(\d+)$/.exec(target);
  if (!m) return null;
  const port = Number(m[2]);
  if (!(port > 0 && port < 65536)) return null;
  return { host: m[1], port };
}

function rawResponse(status: number, headers: Record<string, string>, body: string): string {
  const reason = http.STATUS_CODES[status] ?? 'Unknown';
  const lines = [`HTTP/1.1 ${status} ${reason}`];
  for (const [k, v] of Object.entries({ ...headers, 'content-length': String(Buffer.byteLength(body)) })) lines.push(`${k}: ${v}`);
  return lines.join('\r\n') + '\r\n\r\n' + body;
}

function envoyHeaders(): Record<string, string> {
  return { 'content-type': 'text/plain', date: new Date().toUTCString(), server: 'envoy' };
}

interface Tracked {
  server: http.Server;
  sockets: Set<Duplex>;
}

function track(t: Tracked, s: Duplex) {
  t.sockets.add(s);
  s.on('close', () => t.sockets.delete(s));
  s.on('error', () => {});
}

async function listen(t: Tracked, host: string, port: number): Promise<{ port: number; close: () => Promise<void> }> {
  t.server.on('connection', (s: net.Socket) => track(t, s));
  t.server.on('clientError', (_e, s) => s.destroy());
  await new Promise<void>((resolve, reject) => {
    t.server.once('error', reject);
    t.server.listen(port, host, () => {
      t.server.off('error', reject);
      resolve();
    });
  });
  let closed: Promise<void> | undefined;
  return {
    port: (t.server.address() as net.AddressInfo).port,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        t.server.close(() => resolve());
        for (const s of t.sockets) s.destroy();
      })),
  };
}

function proxyUrl(host: string, port: number) {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

// ---------------------------------------------------------------------------------------

export interface ConnectProxyOptions {
  host?: string;
  port?: number;
  auth?: { user: string; pass: string };
  allowTargets?: AllowTargets;
  /** connect timeout towards the target (ms), default 5000 → 504 */
  connectTimeoutMs?: number;
}

/** A plain HTTP CONNECT proxy that tunnels bytes. */
export async function startConnectProxy(opts: ConnectProxyOptions = {}): Promise<ProxyHandle> {
  const host = opts.host ?? '127.0.0.1';
  const allow = opts.allowTargets ?? 'loopback';
  const connects: ProxyHandle['connects'] = [];
  const t: Tracked = { server: http.createServer(), sockets: new Set() };
  const expectedAuth = opts.auth ? 'Basic ' + Buffer.from(`${opts.auth.user}:${opts.auth.pass}`).toString('base64') : undefined;

  t.server.on('request', (_req, res) => {
    const body = 'This lab proxy only supports CONNECT.\n';
    res.writeHead(405, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  t.server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    track(t, client);
    const target = req.url ?? '';
    const reply = (status: number, body: string, headers: Record<string, string> = {}) => {
      connects.push({ target, status });
      client.end(rawResponse(status, { 'content-type': 'text/plain', ...headers }, body));
    };
    if (expectedAuth && req.headers['proxy-authorization'] !== expectedAuth) {
      return reply(407, 'Proxy Authentication Required\n', { 'proxy-authenticate': 'Basic realm="lab-proxy"' });
    }
    const hp = splitHostPort(target);
    if (!hp) return reply(400, `bad CONNECT target ${JSON.stringify(target)}\n`);
    if (!targetAllowed(allow, hp.host)) return reply(403, `lab proxy: target ${target} not allowed outside the lab namespace\n`);
    const upstream = net.connect({ host: hp.host, port: hp.port });
    track(t, upstream);
    const timer = setTimeout(() => upstream.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), opts.connectTimeoutMs ?? 5000);
    let established = false;
    upstream.once('connect', () => {
      clearTimeout(timer);
      established = true;
      connects.push({ target, status: 200 });
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    upstream.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (established) return client.destroy();
      reply(e.code === 'ETIMEDOUT' ? 504 : 502, `lab proxy: cannot connect to ${target}: ${e.code ?? e.message}\n`);
    });
  });
  const l = await listen(t, host, opts.port ?? 0);
  return { url: proxyUrl(host, l.port), host, port: l.port, connects, close: l.close };
}

// ---------------------------------------------------------------------------------------

export interface InterceptingProxyOptions {
  host?: string;
  port?: number;
  /** the certificate it presents to clients (CN=egress-proxy, no SANs in the lab) */
  cert: { cert: string; key: string };
  /** where its own network reaches: a fixed upstream, or the CONNECT target */
  upstream: { host: string; port: number } | 'as-requested';
  allowTargets?: AllowTargets;
  /** upstream connect timeout (ms), default 5000 */
  connectTimeoutMs?: number;
}

/** A TLS-intercepting proxy (what a corporate egress proxy such as Envoy does). */
export async function startInterceptingProxy(opts: InterceptingProxyOptions): Promise<ProxyHandle> {
  const host = opts.host ?? '127.0.0.1';
  const allow = opts.allowTargets ?? 'loopback';
  const connects: ProxyHandle['connects'] = [];
  const t: Tracked = { server: http.createServer(), sockets: new Set() };
  const secureContext = tls.createSecureContext({ cert: opts.cert.cert, key: opts.cert.key });

  // the inner HTTP server that reads the decrypted requests
  const inner = http.createServer();
  inner.on('clientError', (_e, s) => s.destroy());

  t.server.on('request', (_req, res) => {
    res.writeHead(405, { 'content-type': 'text/plain' });
    res.end('This lab proxy only supports CONNECT.\n');
  });

  t.server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    track(t, client);
    const target = req.url ?? '';
    const hp = splitHostPort(target);
    if (!hp) {
      connects.push({ target, status: 400 });
      client.end(rawResponse(400, { 'content-type': 'text/plain' }, 'bad CONNECT target\n'));
      return;
    }
    const up = opts.upstream === 'as-requested' ? hp : opts.upstream;
    connects.push({ target, status: 200 });
    client.write('HTTP/1.1 200 Connection established\r\n\r\n');
    if (head.length) client.unshift(head);
    const tlsSock = new tls.TLSSocket(client, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
    track(t, tlsSock);
    (tlsSock as tls.TLSSocket & { labUpstream?: { host: string; port: number } }).labUpstream = up;
    inner.emit('connection', tlsSock);
  });

  inner.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const up = (req.socket as tls.TLSSocket & { labUpstream?: { host: string; port: number } }).labUpstream!;
    const fail = (code: string | undefined) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = envoyConnectErrorBody(code);
      res.writeHead(503, { ...envoyHeaders(), 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    };
    if (!targetAllowed(allow, up.host)) return fail('EACCES');
    const sock = tls.connect({ host: up.host, port: up.port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'], servername: net.isIP(up.host) ? undefined : up.host });
    track(t, sock);
    const timer = setTimeout(() => sock.destroy(Object.assign(new Error('timeout'), { code: 'LAB_CONNECT_TIMEOUT' })), opts.connectTimeoutMs ?? 5000);
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(e.code);
    });
    sock.once('secureConnect', () => {
      clearTimeout(timer);
      const headers = { ...req.headers };
      delete headers['proxy-connection'];
      const upReq = http.request({
        createConnection: () => sock,
        method: req.method,
        path: req.url,
        headers: { ...headers, connection: 'close' },
      });
      upReq.on('response', (upRes) => {
        const h = { ...upRes.headers };
        delete h['connection'];
        delete h['keep-alive'];
        delete h['transfer-encoding'];
        res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, h);
        upRes.pipe(res);
      });
      upReq.on('error', (e: NodeJS.ErrnoException) => fail(e.code === 'ECONNRESET' ? 'ECONNRESET' : e.code));
      req.pipe(upReq);
    });
  });

  const l = await listen(t, host, opts.port ?? 0);
  return { url: proxyUrl(host, l.port), host, port: l.port, connects, close: l.close };
}

// ---------------------------------------------------------------------------------------

export interface FailingProxyOptions {
  host?: string;
  port?: number;
  /** e.g. 503 (the default), 403, 502 */
  status?: number;
  /** default: Envoy's upstream connect error (Connection refused) */
  body?: string;
  headers?: Record<string, string>;
}

/** A proxy that refuses every CONNECT itself with a fixed status and body. */
export async function startFailingProxy(opts: FailingProxyOptions = {}): Promise<ProxyHandle> {
  const host = opts.host ?? '127.0.0.1';
  const status = opts.status ?? 503;
  const body = opts.body ?? ENVOY_REFUSED_BODY;
  const connects: ProxyHandle['connects'] = [];
  const t: Tracked = { server: http.createServer(), sockets: new Set() };
  t.server.on('request', (_req, res) => {
    res.writeHead(status, { ...envoyHeaders(), ...opts.headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  });
  t.server.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
    track(t, client);
    connects.push({ target: req.url ?? '', status });
    client.end(rawResponse(status, { ...envoyHeaders(), ...opts.headers }, body));
  });
  const l = await listen(t, host, opts.port ?? 0);
  return { url: proxyUrl(host, l.port), host, port: l.port, connects, close: l.close };
}
