import * as https from 'node:https';
import type * as net from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../../src/net/http.ts';
import { openTcp } from '../../../src/net/tcp.ts';
import { tlsHandshake } from '../../../src/net/tls.ts';
import { mintCert } from '../../lab/pki.ts';
import { startTcpServer } from './helpers.ts';

const leaf = mintCert({ cn: 'kube-apiserver', dns: ['localhost'], ips: ['127.0.0.1'] });
const seen: { method?: string; url?: string; host?: string; auth?: string; body: string }[] = [];

let api: { port: number; close(): Promise<void> };
let plain: Awaited<ReturnType<typeof startTcpServer>>;

beforeAll(async () => {
  const sockets = new Set<net.Socket>();
  const srv = https.createServer({ cert: leaf.cert, key: leaf.key }, (req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, host: req.headers.host, auth: req.headers.authorization, body });
      if (req.url === '/version') {
        res.writeHead(200, { 'Content-Type': 'application/json', Date: 'Sun, 22 Nov 2026 10:00:00 GMT' });
        res.end(JSON.stringify({ major: '1', minor: '31', gitVersion: 'v1.31.2' }));
      } else if (req.url === '/trickle') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('a');
        const t = setInterval(() => res.write('b'), 50);
        res.on('close', () => clearInterval(t));
      } else if (req.url === '/big') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('z'.repeat(1024 * 1024 + 5000));
      } else if (req.url === '/silent') {
        // never answers
      } else {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end('{"kind":"Status","reason":"Unauthorized","code":401}');
      }
    });
  });
  srv.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  api = {
    port: (srv.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
  plain = await startTcpServer((s) => {
    s.once('data', (d) => {
      if (d.toString().startsWith('GET /garbage')) s.end('SSH-2.0-OpenSSH\r\n\r\n');
      else s.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
    });
  });
});

afterAll(async () => {
  await api.close();
  await plain.close();
});

async function tlsSocket() {
  const t = await tlsHandshake({ host: '127.0.0.1', port: api.port, timeoutMs: 2000, keepOpen: true });
  expect(t.ok).toBe(true);
  return t.socket!;
}

describe('httpRequest', () => {
  it('GET /version over TLS', async () => {
    const socket = await tlsSocket();
    const r = await httpRequest({ socket, method: 'GET', host: `127.0.0.1:${api.port}`, path: '/version', headers: { Accept: 'application/json' }, timeoutMs: 2000 });
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.response?.statusCode).toBe(200);
    expect(r.response?.statusMessage).toBe('OK');
    expect(r.response?.headers.date).toBe('Sun, 22 Nov 2026 10:00:00 GMT');
    expect(JSON.parse(r.response!.body).gitVersion).toBe('v1.31.2');
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/version', host: `127.0.0.1:${api.port}` });
    expect(socket.destroyed).toBe(true);
  });

  it('sends headers and a body, and returns non-2xx responses as ok (the HTTP exchange worked)', async () => {
    const socket = await tlsSocket();
    const r = await httpRequest({
      socket,
      method: 'POST',
      host: 'api.lab.test',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      headers: { Authorization: 'Bearer abc', 'Content-Type': 'application/json' },
      body: '{"kind":"SelfSubjectReview"}',
      timeoutMs: 2000,
    });
    expect(r.ok).toBe(true);
    expect(r.response?.statusCode).toBe(401);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', host: 'api.lab.test', auth: 'Bearer abc', body: '{"kind":"SelfSubjectReview"}' });
  });

  it('ends at the deadline when the body trickles, keeping what arrived', async () => {
    const socket = await tlsSocket();
    const t0 = performance.now();
    const r = await httpRequest({ socket, method: 'GET', host: 'x', path: '/trickle', timeoutMs: 400 });
    const took = performance.now() - t0;
    expect(took).toBeLessThan(400 + 200);
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe('timeout');
    expect(r.response?.statusCode).toBe(200);
    expect(r.response?.body.startsWith('ab')).toBe(true);
    expect(socket.destroyed).toBe(true);
  });

  it('ends at the deadline when the server never answers', async () => {
    const socket = await tlsSocket();
    const t0 = performance.now();
    const r = await httpRequest({ socket, method: 'GET', host: 'x', path: '/silent', timeoutMs: 300 });
    expect(performance.now() - t0).toBeLessThan(300 + 200);
    expect(r.error?.kind).toBe('timeout');
    expect(r.response).toBeUndefined();
  });

  it('caps the body at 1 MiB', async () => {
    const socket = await tlsSocket();
    const r = await httpRequest({ socket, method: 'GET', host: 'x', path: '/big', timeoutMs: 3000 });
    expect(r.ok).toBe(true);
    expect(r.response?.body.length).toBe(1024 * 1024);
    expect(r.response?.truncated).toBe(true);
  });

  it('works over a plain socket', async () => {
    const t = await openTcp('127.0.0.1', plain.port, { timeoutMs: 2000 });
    const r = await httpRequest({ socket: t.socket!, method: 'GET', host: 'x', path: '/', timeoutMs: 2000 });
    expect(r.response?.body).toBe('hello');
  });

  it('classifies a non-HTTP answer', async () => {
    const t = await openTcp('127.0.0.1', plain.port, { timeoutMs: 2000 });
    const r = await httpRequest({ socket: t.socket!, method: 'GET', host: 'x', path: '/garbage', timeoutMs: 2000 });
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe('protocol');
  });

  it('reports a TLS 1.3 client-certificate rejection on the first read as an alert', async () => {
    const ca = mintCert({ cn: 'http-test-ca', isCA: true });
    const srvLeaf = mintCert({ cn: 'srv', ips: ['127.0.0.1'], issuer: ca });
    const srv = tls.createServer({ cert: srvLeaf.cert, key: srvLeaf.key, requestCert: true, rejectUnauthorized: true, ca: [ca.cert], minVersion: 'TLSv1.3' }, (s) =>
      s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    );
    srv.on('tlsClientError', () => {});
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (srv.address() as net.AddressInfo).port;
      const t = await tlsHandshake({ host: '127.0.0.1', port, timeoutMs: 2000, keepOpen: true });
      expect(t.ok).toBe(true); // TLS 1.3: the client finishes before the server checks the client certificate
      const r = await httpRequest({ socket: t.socket!, method: 'GET', host: 'x', path: '/version', timeoutMs: 2000 });
      expect(r.ok).toBe(false);
      expect(r.error?.kind).toBe('alert');
      expect(r.error?.message).toMatch(/certificate required/);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it('returns aborted when the signal fires', async () => {
    const socket = await tlsSocket();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const r = await httpRequest({ socket, method: 'GET', host: 'x', path: '/silent', timeoutMs: 5000, signal: ac.signal });
    expect(r.error?.kind).toBe('aborted');
  });
});
