import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../lab/apiserver.ts';
import { labPki } from '../../lab/pki.ts';
import { ENVOY_REFUSED_BODY, envoyConnectErrorBody, startConnectProxy, startFailingProxy, startInterceptingProxy, type ProxyHandle } from '../../lab/proxies.ts';

const pki = labPki();

interface ConnectResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: net.Socket;
}

/** Send CONNECT target to the proxy; resolves with the proxy's answer (the socket is the tunnel on 200). */
function connect(proxy: ProxyHandle, target: string, headers: Record<string, string> = {}): Promise<ConnectResult> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: proxy.host, port: proxy.port, method: 'CONNECT', path: target, headers: { host: target, ...headers }, agent: false });
    req.on('connect', (res, socket, head: Buffer) => {
      let body = head.toString();
      if (res.statusCode === 200) return resolve({ status: 200, headers: res.headers, body, socket });
      socket.on('data', (d) => (body += d.toString()));
      socket.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, socket }));
      socket.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, socket }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** TLS + one HTTP/1.1 request over an established tunnel. */
function tlsRequest(socket: net.Socket, path: string, opts: { ca?: string; insecure?: boolean; servername?: string } = {}) {
  return new Promise<{ peer: tls.PeerCertificate; authorized: boolean; authError?: string; status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const t = tls.connect({ socket, ca: opts.ca, rejectUnauthorized: !opts.insecure, servername: opts.servername, ALPNProtocols: ['http/1.1'] });
    t.on('error', reject);
    t.on('secureConnect', () => {
      const peer = t.getPeerCertificate();
      const req = http.request({ createConnection: () => t, path, headers: { host: 'x', 'user-agent': 'curl/7.88.1' } });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          resolve({ peer, authorized: t.authorized, authError: t.authorizationError?.toString(), status: res.statusCode ?? 0, headers: res.headers, body });
          t.destroy();
        });
      });
      req.on('error', reject);
      req.end();
    });
  });
}

describe('lab proxies (loopback)', () => {
  let api: ApiServer;
  const closers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    api = await startApiServer({ tls: pki.server });
    closers.push(() => api.close());
  });
  afterAll(async () => {
    await Promise.all(closers.map((c) => c()));
  });

  it('CONNECT proxy tunnels to the API server', async () => {
    const p = await startConnectProxy();
    closers.push(p.close);
    const r = await connect(p, `127.0.0.1:${api.port}`);
    expect(r.status).toBe(200);
    const res = await tlsRequest(r.socket, '/version', { ca: pki.ca.cert });
    expect(res.authorized).toBe(true);
    expect(res.peer.subject.CN).toBe('kube-apiserver');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).major).toBe('1');
    expect(p.connects).toEqual([{ target: `127.0.0.1:${api.port}`, status: 200 }]);
  });

  it('CONNECT proxy: 407 with Proxy-Authenticate when auth is missing or wrong; tunnels with it', async () => {
    const p = await startConnectProxy({ auth: { user: 'lab', pass: 'secret' } });
    closers.push(p.close);
    const none = await connect(p, `127.0.0.1:${api.port}`);
    expect(none.status).toBe(407);
    expect(none.headers['proxy-authenticate']).toBe('Basic realm="lab-proxy"');
    const wrong = await connect(p, `127.0.0.1:${api.port}`, { 'proxy-authorization': 'Basic ' + Buffer.from('lab:nope').toString('base64') });
    expect(wrong.status).toBe(407);
    const ok = await connect(p, `127.0.0.1:${api.port}`, { 'proxy-authorization': 'Basic ' + Buffer.from('lab:secret').toString('base64') });
    expect(ok.status).toBe(200);
    ok.socket.destroy();
  });

  it('CONNECT proxy: 502 when the target refuses; 403 for non-loopback targets outside the lab', async () => {
    const p = await startConnectProxy();
    closers.push(p.close);
    const refused = await connect(p, '127.0.0.1:1');
    expect(refused.status).toBe(502);
    expect(refused.body).toContain('ECONNREFUSED');
    const outside = await connect(p, '198.51.100.10:6443');
    expect(outside.status).toBe(403);
  });

  it('intercepting proxy: presents CN=egress-proxy (no SANs) and answers 503 when its upstream refuses', async () => {
    const p = await startInterceptingProxy({ cert: pki.egressProxy, upstream: { host: '127.0.0.1', port: 1 } });
    closers.push(p.close);
    const r = await connect(p, '203.0.113.10:10443');
    expect(r.status).toBe(200);
    // verification against the lab CA fails: not our chain
    const strict = await new Promise<Error | null>((resolve) => {
      const t = tls.connect({ socket: r.socket, ca: pki.ca.cert, servername: undefined });
      t.on('secureConnect', () => resolve(null));
      t.on('error', resolve);
    });
    expect(strict?.message).toMatch(/self[- ]signed/i);

    const r2 = await connect(p, '203.0.113.10:10443');
    const res = await tlsRequest(r2.socket, '/version', { insecure: true });
    expect(res.peer.subject.CN).toBe('egress-proxy');
    expect(res.peer.subjectaltname).toBeUndefined();
    expect(new X509Certificate(res.peer.raw).issuer).toBe('CN=egress-proxy');
    expect(res.status).toBe(503);
    expect(res.headers['server']).toBe('envoy');
    expect(res.body).toBe(
      'upstream connect error or disconnect/reset before headers. reset reason: remote connection failure, transport failure reason: delayed connect error: Connection refused',
    );
    expect(res.body).toBe(ENVOY_REFUSED_BODY);
  });

  it('intercepting proxy: re-originates to a reachable upstream', async () => {
    const p = await startInterceptingProxy({ cert: pki.egressProxy, upstream: { host: '127.0.0.1', port: api.port } });
    closers.push(p.close);
    const r = await connect(p, '203.0.113.10:10443');
    const res = await tlsRequest(r.socket, '/version', { insecure: true });
    expect(res.peer.subject.CN).toBe('egress-proxy');
    expect(res.status).toBe(200);
    expect(res.headers['audit-id']).toBeTruthy();
    expect(JSON.parse(res.body).major).toBe('1');
  });

  it('intercepting proxy as-requested: dials the CONNECT target', async () => {
    const p = await startInterceptingProxy({ cert: pki.egressProxy, upstream: 'as-requested' });
    closers.push(p.close);
    const r = await connect(p, `127.0.0.1:${api.port}`);
    const res = await tlsRequest(r.socket, '/readyz', { insecure: true });
    expect(res.status).toBe(200);
    expect(res.body).toBe('ok');
  });

  it('failing proxy: refuses the CONNECT itself with 503 + body (and 403 variant)', async () => {
    const p = await startFailingProxy({ status: 503, body: ENVOY_REFUSED_BODY });
    closers.push(p.close);
    const r = await connect(p, '203.0.113.10:10443');
    expect(r.status).toBe(503);
    expect(r.headers['server']).toBe('envoy');
    expect(r.body).toBe(ENVOY_REFUSED_BODY);
    const f = await startFailingProxy({ status: 403, body: 'Forbidden by policy' });
    closers.push(f.close);
    const r403 = await connect(f, '203.0.113.10:10443');
    expect(r403.status).toBe(403);
    expect(r403.body).toBe('Forbidden by policy');
  });

  it('envoy bodies use the real errno text', () => {
    expect(envoyConnectErrorBody('ENETUNREACH')).toMatch(/delayed connect error: Network is unreachable$/);
    expect(envoyConnectErrorBody('EHOSTUNREACH')).toMatch(/No route to host$/);
    expect(envoyConnectErrorBody('ETIMEDOUT')).toBe('upstream connect error or disconnect/reset before headers. reset reason: connection timeout');
  });
});
